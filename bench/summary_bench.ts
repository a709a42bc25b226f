/** Summary step throughput on the real corpus: parse + describe + count, then the sorted JSON. */
import { FindingsCollector } from "../src/findings/findings.ts";
import { PrincipalActivity } from "../src/findings/principals.ts";
import { bundledRuleSources, compileRules, SigmaRuleSet } from "../src/findings/sigma/rule_set.ts";
import { stringifySorted } from "../src/report/json.ts";
import { EventSummarizer } from "../src/summary/summarizer.ts";
import { CORPUS_FILES, corpusAvailable, corpusLines } from "../tests/support/real_corpus.ts";

/** Prints records/s of the summary step and the time to write the JSON. */
export async function summaryBench(print: (line: string) => void): Promise<void> {
  if (!corpusAvailable()) {
    print("summary: skipped (../shared/data/cloudtrail-real/ is not here)");
    return;
  }
  const lines = (await Promise.all(CORPUS_FILES.map(corpusLines))).flat();
  const rounds = 10;
  let best = Infinity;
  let summarizer = new EventSummarizer("ALL");
  for (let round = 0; round < rounds; round++) {
    summarizer = new EventSummarizer("ALL");
    const start = performance.now();
    for (const line of lines) summarizer.add({ region: "us-east-1", cloudTrailEvent: line });
    best = Math.min(best, performance.now() - start);
  }
  const heapAfterCounting = Deno.memoryUsage().heapUsed;
  const sections = summarizer.aggregator.sections();
  const jsonStart = performance.now();
  const json = stringifySorted(sections);
  const jsonMs = performance.now() - jsonStart;
  print(
    `summary: ${lines.length} real records in ${best.toFixed(1)} ms (best of ${rounds}) = ` +
      `${Math.round(lines.length / best * 1000).toLocaleString("en")} records/s; ` +
      `sorted JSON ${(json.length / 1024).toFixed(0)} KiB in ${jsonMs.toFixed(1)} ms; heap after counting ` +
      `${(heapAfterCounting / 1048576).toFixed(0)} MiB (the corpus text itself included)`,
  );
  sigmaCost(lines, rounds * 4, print);
}

/**
 * What the bundled Sigma rules cost: the counting of a run (sections, principals, findings) without and
 * with them. Rounds alternate the two, and each variant's best wall time is its figure: the best round is
 * the one the rest of a shared machine disturbed least. (Process CPU time is no better here: it also
 * counts V8's background garbage collection threads, which the variant that allocates more pays.)
 */
function sigmaCost(lines: readonly string[], rounds: number, print: (line: string) => void): void {
  // Compiled once, as a run does before reading.
  const sigmaRules = new SigmaRuleSet(compileRules(bundledRuleSources(), undefined).rules);
  const best = { without: Infinity, with: Infinity };
  for (let round = 0; round < rounds; round++) {
    // Alternating which goes first.
    const order = round % 2 === 0 ? ["without", "with"] as const : ["with", "without"] as const;
    for (const variant of order) {
      const findings = new FindingsCollector({}, variant === "with" ? sigmaRules : undefined);
      const summarizer = new EventSummarizer("ALL", [new PrincipalActivity(), findings]);
      const start = performance.now();
      for (const line of lines) summarizer.add({ region: "us-east-1", cloudTrailEvent: line });
      findings.findings();
      best[variant] = Math.min(best[variant], performance.now() - start);
    }
  }
  const rate = (ms: number) => Math.round(lines.length / ms * 1000);
  print(
    `summary with principals and findings: ${rate(best.without).toLocaleString("en")} records/s; with the ` +
      `${sigmaRules.rules.length} bundled Sigma rules too: ${rate(best.with).toLocaleString("en")} records/s ` +
      `(best of ${rounds} alternating rounds each, wall time); records/s lost to Sigma: ` +
      `${((1 - best.without / best.with) * 100).toFixed(1)}%`,
  );
}
