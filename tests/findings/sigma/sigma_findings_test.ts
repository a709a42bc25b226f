/** Sigma findings: per principal, with author and link, grouped with our own finding on the same records. */
import assert from "node:assert/strict";
import { FindingsCollector, riskScores } from "../../../src/findings/findings.ts";
import { bundledRuleSources, compileRules, SigmaRuleSet } from "../../../src/findings/sigma/rule_set.ts";
import type { SigmaFinding } from "../../../src/findings/sigma/sigma_findings.ts";
import { describeRecord } from "../../../src/summary/activity_record.ts";

const RULE_SET = new SigmaRuleSet(compileRules(bundledRuleSources(), undefined).rules);
const DISABLE_LOGGING = "sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74";
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function record(user: string, eventSource: string, eventName: string, minutes = 0): Record<string, unknown> {
  return {
    eventSource,
    eventName,
    eventTime: new Date(T0 + minutes * 60_000).toISOString().slice(0, 19) + "Z",
    eventType: "AwsApiCall",
    userIdentity: {
      type: "IAMUser",
      accountId: "111122223333",
      userName: user,
      arn: `arn:aws:iam::111122223333:user/${user}`,
    },
    sourceIPAddress: "198.51.100.1",
    userAgent: "aws-cli/2",
  };
}

function collectors() {
  const own = new FindingsCollector({}, RULE_SET);
  const observe = (...records: Record<string, unknown>[]) => {
    for (const each of records) own.observe(describeRecord(each, "us-east-1"));
  };
  return { own, observe, findings: () => own.findings() as SigmaFinding[] };
}

Deno.test("a Sigma finding counts per principal, with first and last seen, author, link and ATT&CK tags", () => {
  const { observe, findings } = collectors();
  observe(
    record("alice", "cloudtrail.amazonaws.com", "StopLogging", 0),
    record("alice", "cloudtrail.amazonaws.com", "StopLogging", 90),
    record("bob", "cloudtrail.amazonaws.com", "StopLogging", 30),
  );
  const sigma = findings().filter((finding) => finding.rule === DISABLE_LOGGING);
  assert.deepEqual(sigma.map((finding) => [finding.principal, finding.count, finding.first_seen, finding.last_seen]), [
    ["111122223333:user/alice", 2, "2026-01-05T10:00:00Z", "2026-01-05T11:30:00Z"],
    ["111122223333:user/bob", 1, "2026-01-05T10:30:00Z", "2026-01-05T10:30:00Z"],
  ]);
  const first = sigma[0]!;
  assert.equal(first.severity, "medium");
  assert.equal(first.description, "AWS CloudTrail Important Change");
  assert.equal(first.api_call, "cloudtrail.amazonaws.com:StopLogging");
  assert.equal(first.author, "vitaliy0x1");
  assert.match(
    first.reference!,
    /^https:\/\/github\.com\/SigmaHQ\/sigma\/blob\/[0-9a-f]{40}\/.*aws_cloudtrail_disable_logging\.yml$/,
  );
  assert.deepEqual(first.tags, ["attack.defense-impairment", "attack.t1685.002"]);
});

Deno.test("several calls matched by one rule leave api_call empty", () => {
  const { observe, findings } = collectors();
  observe(
    record("alice", "cloudtrail.amazonaws.com", "StopLogging"),
    record("alice", "cloudtrail.amazonaws.com", "DeleteTrail"),
  );
  const sigma = findings().find((finding) => finding.rule === DISABLE_LOGGING)!;
  assert.equal(sigma.api_call, null);
  assert.equal(sigma.count, 2);
});

Deno.test("a Sigma finding on the same records as ours is grouped with it and counts once in the risk score", () => {
  const { observe, findings } = collectors();
  observe(record("alice", "cloudtrail.amazonaws.com", "StopLogging"));
  const all = findings();
  assert.deepEqual(all.map((finding) => [finding.rule, finding.severity, finding.grouped_with]), [
    ["cloudtrail-stop-logging", "critical", undefined],
    [DISABLE_LOGGING, "medium", "cloudtrail-stop-logging"],
  ]);
  assert.deepEqual(riskScores(all), [{ principal: "111122223333:user/alice", score: 40, findings: 1 }]);
});

Deno.test("a Sigma finding on calls our rules do not cover stands alone", () => {
  const { observe, findings } = collectors();
  observe(record("alice", "ses.amazonaws.com", "DeleteIdentity"));
  const all = findings();
  assert.deepEqual(all.map((finding) => [finding.rule, finding.grouped_with]), [
    ["sigma:20f754db-d025-4a8f-9d74-e0037e999a9a", undefined],
  ]);
  assert.deepEqual(riskScores(all), [{ principal: "111122223333:user/alice", score: 5, findings: 1 }]);
});

Deno.test("merged collectors give the findings of one that saw every record", () => {
  const records = [
    record("alice", "cloudtrail.amazonaws.com", "StopLogging", 5),
    record("alice", "cloudtrail.amazonaws.com", "UpdateTrail", 1),
    record("bob", "ses.amazonaws.com", "DeleteIdentity", 3),
  ];
  const whole = collectors();
  whole.observe(...records);
  const left = collectors();
  const right = collectors();
  left.observe(records[0]!);
  right.observe(records[1]!, records[2]!);
  left.own.merge(structuredClone(right.own.state));
  assert.deepEqual(left.findings(), whole.findings());
});

Deno.test("the index finds rules whatever the case of the value, also when folding changes its length", () => {
  const rule = (id: string, eventName: string) =>
    `title: ${id}\nid: ${id}\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  s:\n    eventName: '${eventName}'\n  condition: s\n`;
  const { rules } = compileRules([
    { file: "a.yml", text: rule("strasse", "STRASSE") },
    { file: "b.yml", text: rule("stop", "StopLogging") },
  ], undefined);
  const set = new SigmaRuleSet(rules);
  const matching = (eventName: string) =>
    set.matching(describeRecord({ eventName, eventSource: "x.amazonaws.com" }, "us-east-1")).map((each) => each.ruleId);
  assert.deepEqual(matching("Straße"), ["sigma:strasse"]);
  assert.deepEqual(matching("strasse"), ["sigma:strasse"]);
  assert.deepEqual(matching("STOPLOGGING"), ["sigma:stop"]);
  assert.deepEqual(matching("StopLoggin"), []);
  assert.deepEqual(matching("Stöp"), []);
});
