/**
 * CloudTrail records for the Athena query tests: every identity type of the principal rules and
 * each of their fallbacks, the error and success rules, every finding rule, odd times and missing
 * fields — shapes the JSON SerDe reads the same way as JSON.parse (doc/athena.md lists the others).
 */
import type { AthenaSettings } from "../../src/cli/athena_flags.ts";
import type { AthenaQueryInput } from "../../src/cli/athena_run.ts";
import { DEFAULT_THRESHOLDS } from "../../src/findings/findings.ts";

const ACCOUNT = "111122223333";

type Fields = Record<string, unknown>;

function at(minute: number, second = 7): string {
  return new Date(Date.UTC(2026, 10, 20, 10, minute, second)).toISOString().slice(0, 19) + "Z";
}

function record(minute: number, userIdentity: unknown, fields: Fields = {}): Fields {
  return {
    eventTime: at(minute),
    eventSource: "iam.amazonaws.com",
    eventName: "ListUsers",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15",
    recipientAccountId: ACCOUNT,
    ...(userIdentity === undefined ? {} : { userIdentity }),
    ...fields,
  };
}

const IDENTITIES: unknown[] = [
  { type: "IAMUser", accountId: ACCOUNT, userName: "alice", arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
  { type: "IAMUser", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/dept/bob` },
  { type: "IAMUser", userName: "carol", arn: `arn:aws:iam::${ACCOUNT}:user/carol` },
  {
    type: "AssumedRole",
    accountId: ACCOUNT,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/session-1`,
    sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCOUNT}:role/Deployer` } },
  },
  { type: "AssumedRole", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/OrgAccess/admin` },
  { type: "AssumedRole", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/NoSession` },
  { type: "AssumedRole", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role//empty-role` },
  {
    type: "AssumedRole",
    accountId: ACCOUNT,
    arn:
      `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/eu-central-1/AWSReservedSSO_AdministratorAccess_ccf1`,
  },
  { type: "AssumedRole", accountId: ACCOUNT, arn: "aws:ec2-instance" },
  { type: "AssumedRole", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Orphan/s` },
  { type: "Root", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` },
  { type: "Root", arn: `arn:aws:iam::${ACCOUNT}:root` },
  { type: "AWSAccount", accountId: "999988887777", invokedBy: "partner.example.com" },
  { type: "AWSAccount", accountId: "999988887777" },
  { type: "AWSService", invokedBy: "eks.amazonaws.com" },
  { type: "AWSService", invokedBy: "AWS Internal" },
  { type: "AWSService" },
  {
    type: "FederatedUser",
    accountId: ACCOUNT,
    sessionContext: { sessionIssuer: { type: "Root", arn: `arn:aws:iam::${ACCOUNT}:root` } },
  },
  {
    type: "FederatedUser",
    accountId: ACCOUNT,
    sessionContext: { sessionIssuer: { type: "IAMUser", arn: `arn:aws:iam::${ACCOUNT}:user/fed/dave` } },
  },
  { type: "FederatedUser", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:federated-user/erin` },
  {
    type: "IdentityCenterUser",
    accountId: ACCOUNT,
    onBehalfOf: { userId: "user-1", identityStoreArn: "arn:aws:identitystore::1:identitystore/d-9067" },
  },
  { type: "IdentityCenterUser", accountId: ACCOUNT, onBehalfOf: { identityStoreArn: "arn:x/d-1" } },
  {
    type: "WebIdentityUser",
    principalId: `arn:aws:iam::${ACCOUNT}:oidc-provider/app.terraform.io:aws.workload.identity:organization:org`,
  },
  { type: "WebIdentityUser", accountId: ACCOUNT },
  { type: "WebIdentityUser", principalId: "no-slash", accountId: ACCOUNT },
  { type: "WebIdentityUser", principalId: "ends-with/" },
  { type: "SAMLUser", principalId: "SAMLProvider:frank" },
  { type: "SAMLUser", accountId: ACCOUNT },
  { type: "Directory", accountId: ACCOUNT, arn: "arn:aws:ds:us-east-1:1:directory/d-1/gina" },
  { type: "Directory", accountId: ACCOUNT, arn: "arn:aws:ds:us-east-1:1:directory//gina" },
  { type: "Directory", accountId: ACCOUNT, arn: "no-slash-arn" },
  { type: "Unknown", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` },
  { type: "Unknown", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/henry` },
  { type: "Unknown", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:federated-user/ivan` },
  { type: "Unknown", accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Unk/s` },
  { type: "Unknown", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:role/path/UnkRole` },
  { type: "Unknown", accountId: ACCOUNT, arn: "arn:aws:s3:::bucket" },
  { type: "Unknown", accountId: ACCOUNT, onBehalfOf: { userId: "u-2", identityStoreArn: "arn:x/d-2" } },
  { type: "Unknown", accountId: ACCOUNT },
  { type: "Unknown" },
  { type: "Unknown", arn: "" },
  { type: "SomethingNew", arn: `arn:aws:iam::${ACCOUNT}:user/jane`, accountId: ACCOUNT },
  { type: "SomethingNew", arn: "arn:aws:iam::444455556666:role/Cross" },
  { type: "SomethingNew", invokedBy: "new.amazonaws.com" },
  { type: "SomethingNew", principalId: "AIDAEXAMPLE" },
  { type: "SomethingNew" },
  { type: "" },
  { accountId: ACCOUNT, invokedBy: "ec2.amazonaws.com" },
  { accountId: ACCOUNT },
  { principalId: "only-principal-id" },
  {},
  undefined,
  { type: "IAMUser", accountId: ACCOUNT, userName: "zoë", arn: `arn:aws:iam::${ACCOUNT}:user/départ/zoë` },
  { type: "WebIdentityUser", principalId: "fédéré/ünïcode/x" },
];

const ALICE = IDENTITIES[0];
const ROOT = IDENTITIES[10];

/** Records of every rule, at minutes 0–59 of one hour. */
export function athenaTestRecords(): Fields[] {
  const records: Fields[] = IDENTITIES.map((identity, index) => record(index % 60, identity));
  const errors: Fields[] = [
    { errorCode: "AccessDenied", errorMessage: "no" },
    { errorMessage: "only a message" },
    { errorCode: "" },
    { responseElements: { errorCode: "FromResponse" } },
    { responseElements: { errorCode: 5 } },
    { responseElements: { errorMessage: "failed in the response" } },
    { responseElements: { errorCode: null, other: 1 } },
    { responseElements: { ok: true } },
    { responseElements: {} },
    { responseElements: "plain text with errorCode" },
    { responseElements: null },
    { errorCode: "Client.UnauthorizedOperation", eventSource: "ec2.amazonaws.com" },
  ];
  errors.forEach((fields, index) => records.push(record(index, ALICE, fields)));
  const login = { eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin" };
  records.push(
    record(1, ALICE, {
      ...login,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { MFAUsed: "No" },
    }),
    record(2, ALICE, {
      ...login,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { MFAUsed: "No" },
    }),
    record(3, ALICE, {
      ...login,
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { MFAUsed: "Yes" },
    }),
    record(4, ALICE, {
      ...login,
      responseElements: { ConsoleLogin: "Failure" },
      additionalEventData: { MFAUsed: "No" },
    }),
    record(5, ROOT, { ...login, errorMessage: "Failed authentication", responseElements: null }),
  );
  const stopLogging = { eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" };
  records.push(
    record(10, ALICE, stopLogging),
    record(40, ALICE, stopLogging),
    record(50, ALICE, { ...stopLogging, errorCode: "AccessDenied" }),
    record(12, ROOT, { eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey" }),
    record(13, ROOT, { eventType: "AwsServiceEvent" }),
  );
  // Three access-denied errors within ten minutes, three calls within one minute.
  for (const second of [1, 2, 3]) {
    records.push(record(21, IDENTITIES[3], { errorCode: "AccessDeniedException", eventTime: at(21, second) }));
  }
  records.push(
    record(0, ALICE, { eventSource: undefined, eventName: undefined, sourceIPAddress: undefined }),
    record(0, ALICE, { userAgent: undefined, sourceIPAddress: "" }),
    record(0, ALICE, { awsRegion: undefined }),
    record(0, ALICE, { sourceIPAddress: "203.0.113.9", userAgent: "console.amazonaws.com", awsRegion: "eu-west-1" }),
    record(0, ALICE, { eventTime: "2026-11-20 10:30:07.000000000" }),
    record(0, ALICE, { eventTime: "2026-11-20 10:31:08" }),
    record(0, ALICE, { eventTime: "2026-11-20T10:32:09.123Z" }),
    record(0, ALICE, { eventTime: undefined }),
    record(0, ALICE, { eventTime: "not a time" }),
    record(0, ALICE, { eventTime: "1999-01-01T00:00:00Z" }),
    record(0, ALICE, { eventCategory: "Data", eventSource: "s3.amazonaws.com", eventName: "GetObject" }),
    record(0, ALICE, { eventCategory: "NetworkActivity" }),
    record(0, ALICE, { eventCategory: "Management" }),
    record(0, ALICE, { recipientAccountId: "444455556666", awsRegion: "eu-west-1" }),
  );
  return records;
}

/** The test records and 1500 users with one call each: several thousand result rows, several 1000-row pages. */
export function athenaTestRecordsWithManyUsers(): Fields[] {
  const users = Array.from({ length: 1500 }, (_, index) => ({
    eventTime: "2026-11-20T11:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: "ListBuckets",
    awsRegion: "eu-west-1",
    sourceIPAddress: `10.0.${index >> 8}.${index & 255}`,
    userAgent: "boto3",
    recipientAccountId: ACCOUNT,
    userIdentity: { type: "IAMUser", accountId: ACCOUNT, userName: `user-${index}` },
  }));
  return [...athenaTestRecords(), ...users];
}

/** Athena settings as the flags give them by default, for table `security.cloudtrail`. */
export const TEST_ATHENA_SETTINGS: AthenaSettings = {
  database: "security",
  table: "cloudtrail",
  workgroup: "primary",
  outputLocation: undefined,
  catalog: "AwsDataCatalog",
  reuseMinutes: 60,
  maxScannedBytes: undefined,
};

/** What the query counts, as the flags give it by default, over the day of the test records. */
export const TEST_QUERY_INPUT: AthenaQueryInput = {
  windowStartMs: Date.UTC(2026, 10, 20),
  windowEndMs: Date.UTC(2026, 10, 20, 23, 59, 59),
  lateSlackMinutes: 60,
  regions: undefined,
  accounts: undefined,
  activityType: "ALL",
  includeDataEvents: false,
  thresholds: DEFAULT_THRESHOLDS,
};
