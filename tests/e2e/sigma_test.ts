/** Sigma rules end to end: the bundled set, a team's rule folder, the flags, --fail-on. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { scenario, syntheticEvents } from "./scenario.ts";

const TEAM_RULE = `title: Caller identity checked by an unknown principal
id: team-whoami
status: test
author: Team Blue
level: critical
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: sts.amazonaws.com
    eventName: GetCallerIdentity
  condition: selection
`;

interface FindingRow {
  rule: string;
  severity: string;
  principal: string;
  author?: string | null;
  reference?: string | null;
  tags?: string[];
  grouped_with?: string;
}

Deno.test("the bundled Sigma rules run by default: findings with author and link, grouped with ours", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(60, now - 1000, 1000).events },
  });
  const result = await world.run(["--lookup-rate", "20"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  const findings = summary.findings as FindingRow[];
  const important = findings.filter((finding) => finding.rule === "sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74");
  assert.ok(important.length > 0, "StopLogging records fire SigmaHQ's CloudTrail rule");
  for (const finding of important) {
    assert.equal(finding.author, "vitaliy0x1");
    assert.match(finding.reference!, /^https:\/\/github\.com\/SigmaHQ\/sigma\/blob\/[0-9a-f]{40}\//);
  }
  assert.ok(important.some((finding) => finding.grouped_with === "cloudtrail-stop-logging"));
  const metadata = summary._metadata.sigma_rules as Record<string, unknown>;
  assert.equal(metadata.rules_run, 57);
  assert.deepEqual(metadata.refused, []);
  assert.match(String(metadata.bundled_rule_set), /^https:\/\/github\.com\/SigmaHQ\/sigma\/tree\//);
  assert.match(result.stderr, /└ Sigma "AWS CloudTrail Important Change" by vitaliy0x1/);
});

Deno.test("a team's rule folder: one warning per refused file, the good rule runs and counts for --fail-on", async () => {
  const now = Date.now();
  // Five records: no finding of our own rules is critical.
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(5, now - 1000, 1000).events },
  });
  const folder = join(world.workingDirectory, "rules");
  await Deno.mkdir(folder);
  await Deno.writeTextFile(join(folder, "whoami.yml"), TEAM_RULE);
  await Deno.writeTextFile(join(folder, "broken.yml"), "title: [half written\n");
  await Deno.writeTextFile(
    join(folder, "unsupported.yml"),
    TEAM_RULE.replace("id: team-whoami", "id: team-b64").replace("eventName:", "eventName|base64:"),
  );
  const result = await world.run([
    "--lookup-rate",
    "20",
    "--no-builtin-sigma",
    "--sigma-rules",
    "rules",
    "--fail-on",
    "critical",
  ]);
  assert.equal(result.code, 4, result.stderr);
  const warnings = result.stderr.split("\n").filter((line) => line.includes("Sigma rule"));
  assert.deepEqual(warnings.map((line) => line.match(/^warning: Sigma rule [^:]+/)?.[0]), [
    `warning: Sigma rule ${join("rules", "broken.yml")}`,
    `warning: Sigma rule ${join("rules", "unsupported.yml")}`,
  ]);
  const summary = await world.summary();
  const findings = summary.findings as FindingRow[];
  assert.deepEqual(findings.filter((finding) => finding.rule.startsWith("sigma:")).map((finding) => finding.rule), [
    "sigma:team-whoami",
  ]);
  assert.equal((summary._metadata.sigma_rules as Record<string, unknown>).rules_run, 1);
});

Deno.test("bad Sigma flags are usage errors (exit 2) before any AWS call", async () => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const missing = await world.run(["--sigma-rules", "no-such-folder"]);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--sigma-rules no-such-folder: no such file or folder/);
  const status = await world.run(["--sigma-status", "stable,beta"]);
  assert.equal(status.code, 2, status.stderr);
  assert.match(status.stderr, /--sigma-status: 'beta' is not one of/);
});
