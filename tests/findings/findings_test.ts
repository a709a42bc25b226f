import assert from "node:assert/strict";
import sensitiveCalls from "../../src/findings/sensitive_calls.json" with { type: "json" };
import {
  DEFAULT_THRESHOLDS,
  type Finding,
  FindingsCollector,
  meetsFailOn,
  riskScores,
  SEVERITIES,
} from "../../src/findings/findings.ts";
import { describeRecord } from "../../src/summary/activity_record.ts";
import { CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const ALICE = { type: "IAMUser", accountId: "111122223333", userName: "alice" };

function record(overrides: Record<string, unknown>, timeMs = T0): Record<string, unknown> {
  return {
    eventSource: "iam.amazonaws.com",
    eventName: "ListUsers",
    eventTime: new Date(timeMs).toISOString().slice(0, 19) + "Z",
    userIdentity: ALICE,
    sourceIPAddress: "198.51.100.1",
    userAgent: "aws-cli/2",
    ...overrides,
  };
}

function findingsOf(records: Record<string, unknown>[], collector = new FindingsCollector()): Finding[] {
  for (const each of records) collector.observe(describeRecord(each, "us-east-1"));
  return collector.findings();
}

Deno.test("FindingsCollector flags every sensitive call of the rule table, and not its near misses", async (t) => {
  for (const rule of sensitiveCalls.rules) {
    await t.step(rule.id, () => {
      const call = { eventSource: rule.eventSource, eventName: rule.eventName };
      const [finding, ...rest] = findingsOf([record(call)]);
      assert.equal(rest.length, 0);
      assert.deepEqual(
        { rule: finding!.rule, severity: finding!.severity, api_call: finding!.api_call, count: finding!.count },
        { rule: rule.id, severity: rule.severity, api_call: `${rule.eventSource}:${rule.eventName}`, count: 1 },
      );
      assert.equal(finding!.principal, "111122223333:user/alice");
      const nearMisses = [
        record({ eventSource: "example.amazonaws.com", eventName: rule.eventName }),
        record({ eventSource: rule.eventSource, eventName: `${rule.eventName}s` }),
        record({ eventSource: rule.eventSource, eventName: rule.eventName.toLowerCase() }),
        record({ ...call, errorCode: "AccessDenied", errorMessage: "denied" }),
      ];
      assert.deepEqual(
        findingsOf(nearMisses).filter((found) => found.rule === rule.id),
        [],
        "other service, similar name, other case, failed call",
      );
    });
  }
});

Deno.test("FindingsCollector flags root activity, console logins without MFA and failed console logins", async (t) => {
  const login = { eventSource: "signin.amazonaws.com", eventName: "ConsoleLogin" };
  const rules = (records: Record<string, unknown>[]) => findingsOf(records).map((finding) => finding.rule).sort();
  await t.step("root activity", () => {
    assert.deepEqual(rules([record({ userIdentity: { type: "Root", accountId: "111122223333" } })]), ["root-activity"]);
    assert.deepEqual(
      rules([record({ userIdentity: { type: "Root", accountId: "1" }, eventType: "AwsServiceEvent" })]),
      [],
      "an AWS service event about root is not root activity",
    );
    assert.deepEqual(rules([record({ userIdentity: { type: "IAMUser", accountId: "1", userName: "root" } })]), []);
  });
  await t.step("console login without MFA", () => {
    const withoutMfa = record({
      ...login,
      additionalEventData: { MFAUsed: "No" },
      responseElements: { ConsoleLogin: "Success" },
    });
    assert.deepEqual(rules([withoutMfa]), ["console-login-without-mfa", "signin-console-login"]);
    const withMfa = record({
      ...login,
      additionalEventData: { MFAUsed: "Yes" },
      responseElements: { ConsoleLogin: "Success" },
    });
    assert.deepEqual(rules([withMfa]), ["signin-console-login"]);
  });
  await t.step("failed console login", () => {
    const failed = record({
      ...login,
      additionalEventData: { MFAUsed: "No" },
      responseElements: { ConsoleLogin: "Failure" },
    });
    assert.deepEqual(rules([failed]), ["console-login-failed", "signin-console-login"]);
    const withError = record({
      ...login,
      errorMessage: "Failed authentication",
      responseElements: { ConsoleLogin: "Failure" },
    });
    assert.deepEqual(rules([withError]), ["console-login-failed"]);
  });
});

Deno.test("FindingsCollector flags anomalies exactly at their thresholds", async (t) => {
  const limits = { callsPerMinute: 5, sourceIps: 2, userAgents: 2, deniedPerTenMinutes: 3 };
  const rules = (records: Record<string, unknown>[]) =>
    findingsOf(records, new FindingsCollector(limits)).map((finding) => `${finding.rule}:${finding.count}`);
  await t.step("call rate: above N calls in one minute", () => {
    const inOneMinute = (count: number) => Array.from({ length: count }, (_, index) => record({}, T0 + index * 1000));
    assert.deepEqual(rules(inOneMinute(5)), []);
    assert.deepEqual(rules(inOneMinute(6)), ["call-rate:6"]);
    const acrossMinutes = Array.from({ length: 6 }, (_, index) => record({}, T0 + 50_000 + index * 3000));
    assert.deepEqual(rules(acrossMinutes), [], "the calls fall into two minutes");
  });
  await t.step("source IPs and user agents: more than N distinct", () => {
    const ips = (count: number) =>
      Array.from({ length: count }, (_, index) => record({ sourceIPAddress: `203.0.113.${index}` }));
    assert.deepEqual(rules(ips(2)), []);
    assert.deepEqual(rules(ips(3)), ["many-source-ips:3"]);
    const agents = Array.from({ length: 3 }, (_, index) => record({ userAgent: `agent/${index}` }));
    assert.deepEqual(rules(agents), ["many-user-agents:3"]);
  });
  await t.step("access-denied bursts: N or more within ten minutes", () => {
    const denied = (count: number, code: string) =>
      Array.from({ length: count }, (_, index) => record({ errorCode: code }, T0 + index * 60_000));
    assert.deepEqual(rules(denied(2, "AccessDenied")), []);
    assert.deepEqual(rules(denied(3, "AccessDenied")), ["access-denied-burst:3"]);
    assert.deepEqual(rules(denied(3, "Client.UnauthorizedOperation")), ["access-denied-burst:3"]);
    assert.deepEqual(rules(denied(3, "ThrottlingException")), [], "not a denial");
  });
  await t.step("defaults are documented values", () => {
    assert.deepEqual(DEFAULT_THRESHOLDS, {
      callsPerMinute: 300,
      sourceIps: 10,
      userAgents: 10,
      deniedPerTenMinutes: 20,
    });
  });
});

Deno.test("FindingsCollector.findings() sorts by severity, then count, and keeps first and last seen", () => {
  const findings = findingsOf([
    record({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole" }, T0),
    record({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole" }, T0 + 5000),
    record({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole" }, T0 - 5000),
    record({ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey" }, T0),
    record({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging" }, T0),
    record({ eventSource: "ec2.amazonaws.com", eventName: "CreateKeyPair" }, T0),
  ]);
  assert.deepEqual(findings.map((finding) => [finding.severity, finding.rule, finding.count]), [
    ["critical", "cloudtrail-stop-logging", 1],
    ["high", "iam-create-access-key", 1],
    ["medium", "sts-assume-role", 3],
    ["low", "ec2-create-key-pair", 1],
  ]);
  assert.equal(findings[2]!.first_seen, "2026-01-05T09:59:55Z");
  assert.equal(findings[2]!.last_seen, "2026-01-05T10:00:05Z");
});

Deno.test("riskScores() adds severity weights per principal, capped at 100", () => {
  const finding = (principal: string, severity: Finding["severity"], rule: string): Finding => ({
    rule,
    severity,
    principal,
    api_call: null,
    description: "",
    count: 1,
    first_seen: null,
    last_seen: null,
  });
  assert.deepEqual(
    riskScores([
      finding("a", "critical", "r1"),
      finding("a", "critical", "r2"),
      finding("a", "critical", "r3"),
      finding("b", "high", "r1"),
      finding("b", "low", "r2"),
      finding("c", "medium", "r1"),
    ]),
    [
      { principal: "a", score: 100, findings: 3 },
      { principal: "b", score: 16, findings: 2 },
      { principal: "c", score: 5, findings: 1 },
    ],
  );
});

Deno.test("meetsFailOn() is true for a finding at the level or above", () => {
  for (const [index, level] of SEVERITIES.entries()) {
    assert.equal(meetsFailOn([{ severity: "medium" }], level), index >= 2, level);
  }
  assert.equal(meetsFailOn([], "low"), false);
});

Deno.test(
  `FindingsCollector finds the attack in the invictus-ir records with exact counts and times ${
    corpusAvailable() ? "" : CORPUS_MISSING
  }`,
  {
    ignore: !corpusAvailable(),
  },
  async () => {
    const records = await corpusRecords("invictus-ir-aws-dataset");
    const findings = findingsOf(records);
    // Expectations read off the records directly, not through the collector.
    const successful = (name: string) =>
      records.filter((each) =>
        each.eventName === name && each.errorCode === undefined && each.errorMessage === undefined
      );
    for (
      const [rule, name] of [["cloudtrail-stop-logging", "StopLogging"], ["cloudtrail-delete-trail", "DeleteTrail"]]
    ) {
      const matching = successful(name!);
      const found = findings.filter((finding) => finding.rule === rule);
      assert.equal(found.reduce((sum, finding) => sum + finding.count, 0), matching.length, rule);
      if (matching.length > 0) {
        const times = matching.map((each) => String(each.eventTime)).sort();
        assert.equal(found.map((finding) => finding.first_seen).sort()[0], times[0]);
        assert.equal(found.map((finding) => finding.last_seen).sort().at(-1), times.at(-1));
      }
    }
    const accessKeys = successful("CreateAccessKey");
    assert.equal(
      findings.filter((finding) => finding.rule === "iam-create-access-key").reduce(
        (sum, finding) => sum + finding.count,
        0,
      ),
      accessKeys.length,
    );
    assert.ok(findings.some((finding) => finding.severity === "critical"), "a responder would start here");
  },
);
