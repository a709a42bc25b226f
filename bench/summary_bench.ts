/** Summary step throughput on the real corpus: parse + describe + count, then the sorted JSON. */
import process from "node:process";
import { ActivityCounter } from "../src/cli/activity_counter.ts";
import { bundledRuleSources } from "../src/findings/sigma/rule_set.ts";
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
  sigmaCost(lines, rounds * 2, print);
}

/** What the bundled Sigma rules cost: the counting of a run (sections, principals, findings) without and with them. */
function sigmaCost(lines: readonly string[], rounds: number, print: (line: string) => void): void {
  const sigmaRules = bundledRuleSources();
  const best = { without: Infinity, with: Infinity };
  // Alternating rounds, so that a busy moment of the machine hits both; CPU time (the process's, all
  // threads), which a shared machine disturbs less than wall time.
  for (let round = 0; round < rounds; round++) {
    for (const variant of ["without", "with"] as const) {
      const counter = new ActivityCounter({
        activityType: "ALL",
        thresholds: {},
        ...(variant === "with" ? { sigmaRules } : {}),
      });
      const start = process.cpuUsage();
      for (const line of lines) counter.add({ region: "us-east-1", cloudTrailEvent: line });
      const used = process.cpuUsage(start);
      best[variant] = Math.min(best[variant], (used.user + used.system) / 1000);
    }
  }
  const rate = (ms: number) => Math.round(lines.length / ms * 1000);
  print(
    `summary with principals and findings: ${rate(best.without).toLocaleString("en")} records/s; with the ` +
      `${sigmaRules.length} bundled Sigma rules too: ${rate(best.with).toLocaleString("en")} records/s ` +
      `(${((1 - best.without / best.with) * 100).toFixed(1)}% fewer; CPU time, best of ${rounds} each)`,
  );
}
