import assert from "node:assert/strict";
import { scenario, syntheticEvents } from "./scenario.ts";

Deno.test("summarize --fail-on exits 4 after writing everything when a finding reaches the level", async (t) => {
  // syntheticRecord() includes StopLogging (critical) and CreateAccessKey (high) calls.
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(60, now - 1000, 1000).events },
  });
  await t.step("critical found: exit 4, summary with findings written", async () => {
    const result = await world.run(["--lookup-rate", "20", "--fail-on", "critical"]);
    assert.equal(result.code, 4, result.stderr);
    assert.match(result.stderr, /--fail-on critical/);
    const summary = await world.summary();
    const findings = summary.findings as { rule: string; severity: string }[];
    assert.equal(findings[0]!.severity, "critical");
    assert.ok(findings.some((finding) => finding.rule === "iam-create-access-key"));
    assert.ok(Object.keys(summary.principals as object).length >= 4);
    assert.ok(Array.isArray(summary.risk));
  });
  await t.step("no finding at that level in a clean account: exit 0", async () => {
    await using clean = await scenario({ regions: ["us-east-1"], events: {} });
    const result = await clean.run(["--lookup-rate", "20", "--fail-on", "low"]);
    assert.equal(result.code, 0, result.stderr);
  });
});

Deno.test("summarize --json-stdout prints the summary on stdout and the paths on stderr", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(5, now - 1000, 1000).events },
  });
  const result = await world.run(["--lookup-rate", "20", "--json-stdout"]);
  assert.equal(result.code, 0, result.stderr);
  const printed = JSON.parse(result.stdout);
  assert.deepEqual(printed, await world.summary());
  assert.match(result.stderr, /Wrote .*account_activity_111122223333_\d{14}\.json/);
});

Deno.test("report FILE prints the terminal report of a summary file; a bad file exits 1", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(30, now - 1000, 1000).events },
  });
  const run = await world.run(["--lookup-rate", "20", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const file = run.stdout.trim();
  const report = await world.run(["report", file]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^Account 111122223333/);
  assert.match(report.stdout, /critical\s+cloudtrail-stop-logging/);
  const missing = await world.run(["report", "nope.json"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: Cannot read the summary file '.*nope\.json': no such file$/m);
});
