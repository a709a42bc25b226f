/**
 * The bundled Sigma rules over the real CloudTrail corpus (attack simulations and vendors' examples,
 * permissively licensed files only: MIT, Apache-2.0, CC-BY-4.0). The findings per rule are kept in
 * tests/__snapshots__/sigma_real_corpus.txt; why each one is right is written, per rule and record,
 * in tests/findings/sigma/real_corpus_review.md.
 */
import { ActivityCounter } from "../../../src/cli/activity_counter.ts";
import { bundledRuleSources, compileRules } from "../../../src/findings/sigma/rule_set.ts";
import type { SigmaFinding } from "../../../src/findings/sigma/sigma_findings.ts";
import { CORPUS_MISSING, corpusAvailable, corpusLines } from "../../support/real_corpus.ts";
import { assertSnapshot } from "../../support/snapshot.ts";

/** The corpus files whose licences allow keeping facts from them in the repository. */
const PERMISSIVE_FILES = [
  "invictus-ir-aws-dataset",
  "stratus-red-team",
  "traildiscover",
  "panther-analysis",
  "cloud-custodian",
  "plaso",
];

Deno.test(`Sigma findings on the real corpus match the reviewed snapshot ${corpusAvailable() ? "" : CORPUS_MISSING}`, {
  ignore: !corpusAvailable(),
}, async () => {
  const sources = bundledRuleSources();
  const rules = compileRules(sources, undefined).rules;
  const lines: string[] = [
    "# Sigma findings of the bundled rules per corpus file: rule, records matched, principals, calls, first",
    "# matching record's eventID. Facts from invictus-ir/aws_dataset (MIT), DataDog/stratus-red-team (Apache-2.0),",
    "# adanalvarez/TrailDiscover (CC-BY-4.0), panther-labs/panther-analysis (Apache-2.0),",
    "# cloud-custodian/cloud-custodian (Apache-2.0), log2timeline/plaso (Apache-2.0).",
  ];
  for (const file of PERMISSIVE_FILES) {
    const records = (await corpusLines(file)).map((line) => JSON.parse(line) as Record<string, unknown>);
    const counter = new ActivityCounter({ activityType: "ALL", thresholds: {}, sigmaRules: sources });
    for (const record of records) counter.addRecord(record, String(record.awsRegion ?? "unknown"));
    const sigma = counter.findings.findings().filter((finding) => finding.rule.startsWith("sigma:")) as SigmaFinding[];
    lines.push("", `## ${file}: ${records.length} records`);
    for (const rule of rules) {
      const findings = sigma.filter((finding) => finding.rule === rule.ruleId);
      if (findings.length === 0) continue;
      const calls = new Map<string, number>();
      for (const record of records) {
        if (!rule.matches(record)) continue;
        const call = `${record.eventName}`;
        calls.set(call, (calls.get(call) ?? 0) + 1);
      }
      const example = records.find((record) => rule.matches(record))!;
      const listed = [...calls].sort(([a], [b]) => a < b ? -1 : 1).map(([call, count]) => `${call}×${count}`);
      const count = findings.reduce((sum, finding) => sum + finding.count, 0);
      const grouped = findings.filter((finding) => finding.grouped_with !== undefined).length;
      lines.push(
        `${rule.severity} ${rule.ruleId} ${rule.title} (${rule.file}): ${count} records, ${findings.length} principals` +
          (grouped === 0 ? "" : ` (${grouped} grouped with our own finding)`),
        `  calls: ${
          listed.length > 8 ? `${listed.slice(0, 8).join(", ")} and ${listed.length - 8} more` : listed.join(", ")
        }`,
        `  first: eventID ${example.eventID ?? "(none)"}`,
      );
    }
  }
  await assertSnapshot(lines.join("\n") + "\n", "sigma_real_corpus.txt");
});
