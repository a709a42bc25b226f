/** Every bundled rule against a record made from its own detection, and one that misses it. */
import assert from "node:assert/strict";
import { describeRecord } from "../../../src/summary/activity_record.ts";
import { bundledRuleSources, compileRules, SigmaRuleSet } from "../../../src/findings/sigma/rule_set.ts";
import { SigmaFindingsCollector } from "../../../src/findings/sigma/sigma_findings.ts";
import { exampleRecords } from "../../support/sigma_examples.ts";

const sources = bundledRuleSources();

Deno.test("all 57 bundled rules compile", () => {
  const { rules, refused } = compileRules(sources, ["stable", "test", "experimental", "deprecated", "unsupported"]);
  assert.deepEqual(refused.map((error) => error.message), []);
  assert.equal(rules.length, 57);
  for (const rule of rules) {
    assert.ok(rule.author, `${rule.file} names its author`);
    assert.match(
      rule.reference!,
      /^https:\/\/github\.com\/SigmaHQ\/sigma\/blob\/[0-9a-f]{40}\/rules\/cloud\/aws\/cloudtrail\//,
    );
  }
});

for (const source of sources) {
  Deno.test(`bundled rule ${source.file}: one finding for its example, none for the near miss`, () => {
    const { rules } = compileRules([source], undefined);
    assert.equal(rules.length, 1);
    const rule = rules[0]!;
    const { positive, negative } = exampleRecords(source.text);
    const findingsFor = (record: Record<string, unknown>) => {
      const collector = new SigmaFindingsCollector(new SigmaRuleSet(rules));
      collector.observe(describeRecord(record, "us-east-1"));
      return collector.findings([]);
    };
    const found = findingsFor(positive);
    assert.equal(found.length, 1, JSON.stringify(positive));
    assert.equal(found[0]!.rule, rule.ruleId);
    assert.equal(found[0]!.count, 1);
    assert.deepEqual(findingsFor(negative), [], JSON.stringify(negative));
  });
}
