/** A team's own rule folder: one line per refused file, the good rule runs. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadSigmaRules, prepareSigmaRules } from "../../src/cli/sigma_rules.ts";
import { UsageError } from "../../src/errors.ts";
import { type SigmaFinding, SigmaFindingsCollector } from "../../src/findings/sigma/sigma_findings.ts";
import { describeRecord } from "../../src/summary/activity_record.ts";

const GOOD = `title: Secrets read by a console user
id: team-secrets-console
status: test
author: Team Blue
level: high
tags:
  - attack.credential-access
  - attack.t1555
  - team.internal
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventSource: secretsmanager.amazonaws.com
    eventName: GetSecretValue
    userAgent|contains: 'console.amazonaws.com'
  condition: selection
`;
const BROKEN = "title: Half written\ndetection:\n  selection: [unclosed\n";
const UNSUPPORTED = GOOD.replace("id: team-secrets-console", "id: team-burst")
  .replace("  condition: selection", "  condition: selection | count() by userIdentity.arn > 10");

async function ruleFolder(): Promise<string> {
  const folder = await Deno.makeTempDir();
  await Deno.mkdir(join(folder, "nested"));
  await Deno.writeTextFile(join(folder, "broken.yml"), BROKEN);
  await Deno.writeTextFile(join(folder, "nested", "good.yaml"), GOOD);
  await Deno.writeTextFile(join(folder, "unsupported.yml"), UNSUPPORTED);
  await Deno.writeTextFile(join(folder, "notes.txt"), "not a rule");
  return folder;
}

Deno.test("a rule folder with a broken, an unsupported and a good rule", async () => {
  const folder = await ruleFolder();
  try {
    const loaded = await loadSigmaRules({ rulePaths: [folder], builtin: false, statuses: undefined }, Deno.cwd());
    assert.equal(loaded.refused.length, 2);
    assert.match(loaded.refused[0]!, /^Sigma rule (.*\/)?broken\.yml: not valid YAML: /);
    assert.match(loaded.refused[1]!, /^Sigma rule (.*\/)?unsupported\.yml: aggregations in the condition/);
    assert.ok(loaded.refused.every((line) => !line.includes("\n")));
    assert.deepEqual(loaded.ruleSet.rules.map((rule) => rule.ruleId), ["sigma:team-secrets-console"]);

    const collector = new SigmaFindingsCollector(loaded.ruleSet);
    collector.observe(describeRecord({
      eventSource: "secretsmanager.amazonaws.com",
      eventName: "GetSecretValue",
      eventTime: "2026-01-05T10:00:00Z",
      userAgent: "AWS Internal, console.amazonaws.com",
      userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "alice" },
    }, "eu-west-1"));
    const [finding, ...rest] = collector.findings([]) as SigmaFinding[];
    assert.deepEqual(rest, []);
    assert.equal(finding!.rule, "sigma:team-secrets-console");
    assert.equal(finding!.severity, "high");
    assert.equal(finding!.description, "Secrets read by a console user");
    assert.deepEqual(
      { author: finding!.author, tags: finding!.tags, reference: finding!.reference },
      { author: "Team Blue", tags: ["attack.credential-access", "attack.t1555"], reference: null },
    );
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("relative rule paths start at the working folder and name the files as typed", async () => {
  const folder = await ruleFolder();
  try {
    const loaded = await loadSigmaRules(
      { rulePaths: ["nested/good.yaml", "broken.yml"], builtin: true, statuses: undefined },
      folder,
    );
    assert.equal(loaded.refused.length, 1);
    assert.match(loaded.refused[0]!, /^Sigma rule broken\.yml: not valid YAML: /);
    assert.equal(loaded.ruleSet.rules.length, 58);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a second rule with an id already loaded is refused; --no-builtin-sigma and --sigma-status filter", async () => {
  const folder = await Deno.makeTempDir();
  try {
    const bundled = await Deno.readTextFile(
      new URL("../../src/findings/sigma/rules/aws_cloudtrail_disable_logging.yml", import.meta.url),
    );
    await Deno.writeTextFile(join(folder, "copy.yml"), bundled);
    const both = await loadSigmaRules({ rulePaths: ["copy.yml"], builtin: true, statuses: undefined }, folder);
    assert.deepEqual(both.refused, [
      "Sigma rule copy.yml: id sigma:4db60cc0-36fb-42b7-9b58-a5b53019fb74 is already loaded from aws_cloudtrail_disable_logging.yml",
    ]);
    const onlyStable = await loadSigmaRules({ rulePaths: [], builtin: true, statuses: ["stable"] }, folder);
    assert.deepEqual(onlyStable.ruleSet.rules.map((rule) => rule.status), ["stable", "stable"]);
    const none = await loadSigmaRules({ rulePaths: [], builtin: false, statuses: undefined }, folder);
    assert.equal(none.ruleSet.rules.length, 0);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("a --sigma-rules path that does not exist is a usage error naming it", async () => {
  await assert.rejects(
    loadSigmaRules({ rulePaths: ["no/such/rules"], builtin: true, statuses: undefined }, Deno.cwd()),
    (error: unknown) =>
      error instanceof UsageError && error.message === "--sigma-rules no/such/rules: no such file or folder",
  );
});

Deno.test("prepareSigmaRules loads once per run and warns once per refused file", async () => {
  const folder = await ruleFolder();
  try {
    const lines: string[] = [];
    const deps = { workingDirectory: folder, stderr: { write: (text: string) => lines.push(text), isTerminal: false } };
    const options = { rulePaths: ["broken.yml", "nested"], builtin: false, statuses: undefined };
    const first = await prepareSigmaRules(options, deps);
    const again = await prepareSigmaRules(options, deps);
    assert.equal(again, first);
    assert.equal(first.ruleSet.rules.length, 1);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^warning: Sigma rule broken\.yml: not valid YAML: .*\n$/);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
