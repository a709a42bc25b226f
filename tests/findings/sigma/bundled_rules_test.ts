/** Every bundled rule against a record made from its own detection, and one that misses it. */
import assert from "node:assert/strict";
import { describeRecord } from "../../../src/summary/activity_record.ts";
import { bundledRuleSources, compileRules, SigmaRuleSet } from "../../../src/findings/sigma/rule_set.ts";
import { SigmaFindingsCollector } from "../../../src/findings/sigma/sigma_findings.ts";
import { exampleRecords } from "../../support/sigma_examples.ts";
import { bundledRuleIndex, bundledRulesList, replaceGeneratedSection } from "../../../scripts/sigma_index.ts";

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

Deno.test("the embedding module and the list in doc/findings.md are up to date with the rule files", async () => {
  const folder = new URL("../../../src/findings/sigma/rules/", import.meta.url);
  const files = [...Deno.readDirSync(folder)].map((entry) => entry.name).filter((name) => name.endsWith(".yml")).sort();
  const index = await Deno.readTextFile(new URL("../../../src/findings/sigma/builtin_rules.ts", import.meta.url));
  assert.equal(index, bundledRuleIndex(files), "run scripts/sigma_index.ts");
  const doc = await Deno.readTextFile(new URL("../../../doc/findings.md", import.meta.url));
  const texts = files.map((file) => ({ file, text: Deno.readTextFileSync(new URL(file, folder)) }));
  assert.equal(doc, replaceGeneratedSection(doc, bundledRulesList(texts)), "run scripts/sigma_index.ts");
});

const VENDORED_FROM = new URL("../../../../shared/sigma/rules/", import.meta.url);
const vendorAvailable = (() => {
  try {
    return Deno.statSync(VENDORED_FROM).isDirectory;
  } catch {
    return false;
  }
})();

Deno.test(
  `the bundled rules are byte-for-byte the vendored copies ${
    vendorAvailable ? "" : "(skipped: ../shared/sigma/ is not here)"
  }`,
  { ignore: !vendorAvailable },
  () => {
    for (const { file, text } of sources) {
      assert.equal(text, Deno.readTextFileSync(new URL(file, VENDORED_FROM)), file);
    }
    assert.equal(sources.length, [...Deno.readDirSync(VENDORED_FROM)].length);
  },
);
