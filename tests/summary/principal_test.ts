import assert from "node:assert/strict";
import { principalOf } from "../../src/summary/principal.ts";
import { referencePrincipal } from "../support/reference_summary.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";

const ACCT = "112233445566";

/** [description, userIdentity, expected principal, recognized] — every row and example of the spec's table. */
const SPEC_CASES: [string, unknown, string, boolean][] = [
  ["absent type with invokedBy", { accountId: ACCT, invokedBy: "ec2.amazonaws.com" }, "ec2.amazonaws.com", true],
  ["absent type without invokedBy", { accountId: ACCT, principalId: "x" }, ACCT, true],
  [
    "IAMUser",
    { type: "IAMUser", accountId: ACCT, userName: "alice", arn: `arn:aws:iam::${ACCT}:user/alice` },
    `${ACCT}:user/alice`,
    true,
  ],
  [
    "AssumedRole (spec example)",
    {
      type: "AssumedRole",
      arn: `arn:aws:sts::${ACCT}:assumed-role/OrganizationAccountAccessRole/Administrator`,
      accountId: ACCT,
    },
    `${ACCT}:role/OrganizationAccountAccessRole`,
    true,
  ],
  [
    "AssumedRole SSO role (spec example)",
    {
      type: "AssumedRole",
      arn:
        `arn:aws:iam::${ACCT}:role/aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_AdministratorAccess_ccf1d4a38ab69010`,
      accountId: ACCT,
    },
    `${ACCT}:role/AWSReservedSSO_AdministratorAccess_ccf1d4a38ab69010`,
    true,
  ],
  [
    "AssumedRole prefers sessionIssuer.arn",
    {
      type: "AssumedRole",
      arn: `arn:aws:sts::${ACCT}:assumed-role/Session/abc`,
      accountId: ACCT,
      sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCT}:role/service-role/MyRole` } },
    },
    `${ACCT}:role/MyRole`,
    true,
  ],
  [
    "AssumedRole aws:ec2-instance keeps its role name",
    { type: "AssumedRole", arn: `arn:aws:sts::${ACCT}:assumed-role/aws:ec2-instance/i-0abc`, accountId: ACCT },
    `${ACCT}:role/aws:ec2-instance`,
    true,
  ],
  [
    "AssumedRole with an empty sessionIssuer uses arn",
    {
      type: "AssumedRole",
      arn: `arn:aws:sts::${ACCT}:assumed-role/R/s`,
      accountId: ACCT,
      sessionContext: { sessionIssuer: {} },
    },
    `${ACCT}:role/R`,
    true,
  ],
  [
    "AssumedRole whose arn has no session part keeps its role name (real record)",
    {
      type: "AssumedRole",
      arn: "arn:aws:sts::111122223333:assumed-role/MakeStuffPublic",
      accountId: "111122223333",
      sessionContext: { sessionIssuer: {} },
    },
    "111122223333:role/MakeStuffPublic",
    true,
  ],
  ["Root", { type: "Root", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:root` }, `${ACCT}:root`, true],
  [
    "AWSAccount with invokedBy",
    { type: "AWSAccount", accountId: ACCT, invokedBy: "AWS Internal" },
    "AWS Internal",
    true,
  ],
  ["AWSAccount without invokedBy", { type: "AWSAccount", accountId: ACCT, principalId: "AIDA:x" }, ACCT, true],
  ["AWSService", { type: "AWSService", invokedBy: "eks.amazonaws.com" }, "eks.amazonaws.com", true],
  [
    "FederatedUser issued by root",
    {
      type: "FederatedUser",
      accountId: ACCT,
      sessionContext: { sessionIssuer: { type: "Root", arn: `arn:aws:iam::${ACCT}:root` } },
    },
    `${ACCT}:root`,
    true,
  ],
  [
    "FederatedUser issued by a user",
    {
      type: "FederatedUser",
      accountId: ACCT,
      arn: `arn:aws:sts::${ACCT}:federated-user/bob-session`,
      sessionContext: { sessionIssuer: { type: "IAMUser", arn: `arn:aws:iam::${ACCT}:user/bob` } },
    },
    `${ACCT}:user/bob`,
    true,
  ],
  [
    "IdentityCenterUser",
    {
      type: "IdentityCenterUser",
      accountId: ACCT,
      onBehalfOf: {
        userId: "94482488-3041-7026-18f3-be45837cd0e4",
        identityStoreArn: "arn:aws:identitystore::112233445566:identitystore/d-9067642ac7",
      },
    },
    `${ACCT}:identitycenteruser/d-9067642ac7/94482488-3041-7026-18f3-be45837cd0e4`,
    true,
  ],
  [
    "WebIdentityUser (spec example)",
    {
      type: "WebIdentityUser",
      principalId: `arn:aws:iam::${ACCT}:oidc-provider/app.terraform.io:aws.workload.identity:organization:my-org`,
      userName: "...",
      identityProvider: "...",
    },
    "oidc:app.terraform.io:aws.workload.identity:organization:my-org",
    true,
  ],
  ["WebIdentityUser without principalId", { type: "WebIdentityUser", accountId: ACCT }, ACCT, true],
  [
    "SAMLUser",
    { type: "SAMLUser", principalId: "Q4w...=:alice@example.com", userName: "alice" },
    "saml:Q4w...=:alice@example.com",
    true,
  ],
  [
    "Directory",
    { type: "Directory", accountId: ACCT, arn: `arn:aws:ds:us-east-1:${ACCT}:user/d-1234567890/admin` },
    `${ACCT}:ds/d-1234567890/admin`,
    true,
  ],
  [
    "Unknown with a root arn",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:root` },
    `${ACCT}:root`,
    true,
  ],
  [
    "Unknown with a user arn",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:user/path/carol` },
    `${ACCT}:user/carol`,
    true,
  ],
  [
    "Unknown with a federated-user arn",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:sts::${ACCT}:federated-user/dave` },
    `${ACCT}:user/dave`,
    true,
  ],
  [
    "Unknown with an assumed-role arn",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:sts::${ACCT}:assumed-role/Ops/s1` },
    `${ACCT}:role/Ops`,
    true,
  ],
  [
    "Unknown with an assumed-role arn without a session part",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:sts::${ACCT}:assumed-role/Ops` },
    `${ACCT}:role/Ops`,
    true,
  ],
  [
    "Unknown with a role arn",
    { type: "Unknown", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:role/Ops` },
    `${ACCT}:role/Ops`,
    true,
  ],
  [
    "Unknown with onBehalfOf",
    {
      type: "Unknown",
      accountId: ACCT,
      arn: "",
      onBehalfOf: { userId: "u-1", identityStoreArn: "arn:aws:identitystore::1:identitystore/d-1" },
    },
    `${ACCT}:identitycenteruser/d-1/u-1`,
    true,
  ],
  ["Unknown with only accountId", { type: "Unknown", accountId: ACCT, arn: "" }, ACCT, true],
  ["Unknown with nothing", { type: "Unknown", principalId: "", arn: "", accountId: "" }, "Unknown", true],
];

/** Identities that fit no rule: the fallback, never a throw, never a lost record. */
const FALLBACK_CASES: [string, unknown, string][] = [
  [
    "unknown type with an arn",
    { type: "User", accountId: ACCT, arn: `arn:aws:iam::${ACCT}:user/eve` },
    `${ACCT}:user/eve`,
  ],
  ["unknown type with nothing else", { type: "SomethingNew" }, "SomethingNew"],
  ["IAMUser without accountId takes the arn's account", {
    type: "IAMUser",
    userName: "x",
    arn: "arn:aws:iam::999988887777:user/x",
  }, "999988887777:user/x"],
  ["IAMUser without accountId and arn", { type: "IAMUser", userName: "x", principalId: "AIDAX" }, "AIDAX"],
  [
    "AssumedRole without accountId",
    { type: "AssumedRole", arn: "arn:aws:sts::999988887777:assumed-role/R/s" },
    "999988887777:role/R",
  ],
  [
    "AssumedRole with a non-role arn",
    { type: "AssumedRole", accountId: ACCT, arn: "arn:aws:iam::1:oidc-provider/x" },
    ACCT,
  ],
  [
    "AssumedRole whose arn ends at assumed-role/",
    { type: "AssumedRole", accountId: ACCT, arn: `arn:aws:sts::${ACCT}:assumed-role/` },
    ACCT,
  ],
  ["AWSService without invokedBy", { type: "AWSService", accountId: ACCT }, ACCT],
  ["FederatedUser without sessionIssuer.arn", {
    type: "FederatedUser",
    accountId: ACCT,
    arn: `arn:aws:sts::${ACCT}:federated-user/f`,
  }, `${ACCT}:user/f`],
  ["FederatedUser with empty sessionIssuer and no arn", {
    type: "FederatedUser",
    accountId: ACCT,
    sessionContext: { sessionIssuer: {} },
  }, ACCT],
  [
    "WebIdentityUser principalId without /",
    { type: "WebIdentityUser", principalId: "accounts.google.com:123" },
    "accounts.google.com:123",
  ],
  [
    "SAMLUser without principalId",
    { type: "SAMLUser", userName: "x", invokedBy: "signin.amazonaws.com" },
    "signin.amazonaws.com",
  ],
  ["Directory without arn", { type: "Directory", accountId: ACCT }, ACCT],
  ["IdentityCenterUser without onBehalfOf", { type: "IdentityCenterUser", accountId: ACCT }, ACCT],
  ["absent type, no invokedBy, no accountId", { principalId: "AROAX:session" }, "AROAX:session"],
  ["non-string fields", { type: "IAMUser", accountId: 112233445566, userName: ["a"], invokedBy: 5 }, "IAMUser"],
  ["type that is not a string", { type: 7, accountId: ACCT }, ACCT],
  ["null", null, "Unknown"],
  ["a string", "IAMUser", "Unknown"],
  ["an array", [{ type: "Root" }], "Unknown"],
  ["a number", 42, "Unknown"],
  ["absent", undefined, "Unknown"],
];

Deno.test("principalOf() follows every row and example of the spec's table", async (t) => {
  for (const [description, identity, expected, recognized] of SPEC_CASES) {
    await t.step(description, () => {
      assert.deepEqual(principalOf(identity), { principal: expected, recognized });
    });
  }
});

Deno.test("principalOf() applies the fallback to identities that fit no rule", async (t) => {
  for (const [description, identity, expected] of FALLBACK_CASES) {
    await t.step(description, () => {
      assert.deepEqual(principalOf(identity), { principal: expected, recognized: false });
    });
  }
});

Deno.test(
  `principalOf() agrees with the independent reference on every real record ${corpusAvailable() ? "" : CORPUS_MISSING}`,
  {
    ignore: !corpusAvailable(),
  },
  async (t) => {
    for (const name of CORPUS_FILES) {
      await t.step(name, async () => {
        const records = await corpusRecords(name);
        let unrecognized = 0;
        for (const record of records) {
          const actual = principalOf(record.userIdentity);
          assert.deepEqual(actual, referencePrincipal(record.userIdentity), JSON.stringify(record.userIdentity));
          assert.notEqual(actual.principal, "");
          if (!actual.recognized) unrecognized += 1;
        }
        // Only a handful of real records fit no rule; most files have none.
        assert.ok(unrecognized <= records.length / 10, `${unrecognized} of ${records.length} unrecognized`);
      });
    }
  },
);

Deno.test(
  `principalOf() gives the expected principal for real identity shapes ${corpusAvailable() ? "" : CORPUS_MISSING}`,
  {
    ignore: !corpusAvailable(),
  },
  async () => {
    const invictus = await corpusRecords("invictus-ir-aws-dataset");
    const typeless = invictus.find((record) => (record.userIdentity as Record<string, unknown>).type === undefined)!;
    const typelessIdentity = typeless.userIdentity as Record<string, unknown>;
    assert.equal(
      principalOf(typelessIdentity).principal,
      (typelessIdentity.invokedBy as string | undefined) ?? typelessIdentity.accountId,
    );
    const sans = await corpusRecords("large-sans504-s3-ransomware-lab");
    const service = sans.find((record) => (record.userIdentity as Record<string, unknown>).type === "AWSService")!;
    assert.equal(
      principalOf(service.userIdentity).principal,
      (service.userIdentity as Record<string, unknown>).invokedBy,
    );
    const root = sans.find((record) => (record.userIdentity as Record<string, unknown>).type === "Root")!;
    assert.equal(principalOf(root.userIdentity).principal, "342082656213:root");
  },
);
