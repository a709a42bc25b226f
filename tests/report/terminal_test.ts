import assert from "node:assert/strict";
import { renderTerminalReport } from "../../src/report/terminal.ts";
import { escapeForTerminal } from "../../src/report/terminal_text.ts";
import type { Summary } from "../../src/summary/types.ts";
import { assertSnapshot } from "../support/snapshot.ts";

const HOSTILE = "evil\u202Egpj.exe\x1b[2J\x1b]0;owned\x07\r\nfake line\u2066\u0000\\u0041";

function summary(): Summary {
  return {
    _metadata: {
      account_id: "111122223333",
      account_principal: "arn:aws:iam::111122223333:user/auditor",
      activity_type: "ALL",
      cloudtrail_data_analyzed: { from_timestamp: "20260101000000", to_timestamp: "20260115000000" },
      invocation: "aws-summarize-account-activity",
      regions_enabled: ["eu-west-1", "us-east-1"],
      regions_failed: { "eu-west-1": "AccessDeniedException" },
      run_timestamp: "20260115000000",
      records_read: 12,
      records_counted: 12,
      records_unreadable: 1,
      records_with_unrecognized_identity: 0,
    },
    api_calls_by_principal: {},
    api_calls_by_region: {},
    error_codes_by_principal: {},
    ip_addresses_by_principal: {},
    user_agents_by_principal: {},
    principals: {
      [`111122223333:user/${HOSTILE}`]: {
        first_seen: "2026-01-02T00:00:00Z",
        last_seen: "2026-01-14T10:00:00Z",
        total_calls: 9,
        failed_calls: 2,
        distinct_regions: 1,
        distinct_source_ips: 3,
      },
      "111122223333:root": {
        first_seen: "2026-01-03T00:00:00Z",
        last_seen: "2026-01-03T00:00:00Z",
        total_calls: 3,
        failed_calls: 0,
        distinct_regions: 1,
        distinct_source_ips: 1,
      },
    },
    findings: [
      {
        rule: "cloudtrail-stop-logging",
        severity: "critical",
        principal: `111122223333:user/${HOSTILE}`,
        api_call: "cloudtrail.amazonaws.com:StopLogging",
        description: "CloudTrail logging stopped",
        count: 1,
        first_seen: "2026-01-14T10:00:00Z",
        last_seen: "2026-01-14T10:00:00Z",
      },
      {
        rule: "root-activity",
        severity: "high",
        principal: "111122223333:root",
        api_call: null,
        description: "The root user was used",
        count: 3,
        first_seen: "2026-01-03T00:00:00Z",
        last_seen: "2026-01-03T00:00:00Z",
      },
    ],
  };
}

Deno.test("escapeForTerminal() shows control, bidi and escape characters as visible escapes", async (t) => {
  const cases: [string, string][] = [
    ["plain text", "plain text"],
    ["\x1b[31mred", "\\u001B[31mred"],
    ["a\u202Eb", "a\\u202Eb"],
    ["line\r\nbreak", "line\\u000D\\u000Abreak"],
    ["nul\u0000", "nul\\u0000"],
    ["C1 \u009b", "C1 \\u009B"],
    ["isolate \u2066x\u2069", "isolate \\u2066x\\u2069"],
    ["fake \\u0041", "fake \\\\u0041"],
    ["ünïcödé 漢字 😀", "ünïcödé 漢字 😀"],
  ];
  for (const [input, expected] of cases) {
    await t.step(JSON.stringify(input), () => assert.equal(escapeForTerminal(input), expected));
  }
});

Deno.test("renderTerminalReport() lists account, window, regions, principals and findings, escaping event strings", async () => {
  const text = renderTerminalReport(summary(), { color: false });
  // deno-lint-ignore no-control-regex -- looking for control characters is the point.
  assert.ok(!/[\x00-\x09\x0b-\x1f\x7f\u202e\u2066]/.test(text), "no control or bidi character reaches the terminal");
  await assertSnapshot(text, "terminal_report.txt");
});

Deno.test("renderTerminalReport() colours severities only when asked, keeping columns aligned", () => {
  const plain = renderTerminalReport(summary(), { color: false });
  const colored = renderTerminalReport(summary(), { color: true });
  assert.ok(colored.includes("\x1b[1;31mcritical"));
  // deno-lint-ignore no-control-regex -- stripping colour codes.
  assert.equal(colored.replace(/\x1b\[[\d;]*m/g, ""), plain);
});

Deno.test("renderTerminalReport() reads an older summary file without principals or findings", () => {
  const old = summary();
  delete old.principals;
  delete old.findings;
  old.api_calls_by_principal = { "111122223333:root": { "s3.amazonaws.com:ListBuckets": 4 } };
  const text = renderTerminalReport(old, { color: false });
  assert.match(text, /111122223333:root\s+4/);
  assert.doesNotMatch(text, /Findings/);
});

Deno.test("a Sigma finding shows its title and author, under our finding on the same calls", () => {
  const sigma = {
    severity: "medium",
    principal: "111122223333:user/alice",
    api_call: "cloudtrail.amazonaws.com:StopLogging",
    count: 1,
    first_seen: "2026-01-14T10:00:00Z",
    last_seen: "2026-01-14T10:00:00Z",
    author: "vitaliy0x1",
    reference: "https://github.com/SigmaHQ/sigma/blob/0/rules/cloud/aws/cloudtrail/aws_cloudtrail_disable_logging.yml",
    tags: ["attack.defense-impairment"],
  };
  const text = renderTerminalReport({
    ...summary(),
    findings: [
      {
        rule: "cloudtrail-stop-logging",
        severity: "critical",
        principal: "111122223333:user/alice",
        api_call: "cloudtrail.amazonaws.com:StopLogging",
        description: "CloudTrail logging stopped",
        count: 1,
        first_seen: "2026-01-14T10:00:00Z",
        last_seen: "2026-01-14T10:00:00Z",
      },
      {
        rule: "iam-create-user",
        severity: "medium",
        principal: "111122223333:user/bob",
        api_call: "iam.amazonaws.com:CreateUser",
        description: "New IAM user",
        count: 2,
        first_seen: null,
        last_seen: null,
      },
      {
        ...sigma,
        rule: "sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74",
        description: "AWS CloudTrail Important Change",
        grouped_with: "cloudtrail-stop-logging",
      },
      { ...sigma, rule: "sigma:20f754db", description: "SES Identity Has Been Deleted", author: "Someone Else" },
    ],
  }, { color: false });
  const rows = text.split("\n").filter((line) => /^(critical|medium|high|low) /.test(line));
  assert.deepEqual(rows.map((row) => row.replace(/\s+/g, " ").split(" 111122223333")[0]), [
    "critical cloudtrail-stop-logging",
    'medium └ Sigma "AWS CloudTrail Important Change" by vitaliy0x1',
    "medium iam-create-user",
    'medium Sigma "SES Identity Has Been Deleted" by Someone Else',
  ]);
  assert.match(text, /└ the same calls, seen by a Sigma rule too: one incident/);
});
