import assert from "node:assert/strict";
import { ActivityCounter, type ActivityCounterOptions } from "../../src/cli/activity_counter.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusLines } from "../support/real_corpus.ts";
import { syntheticRecord } from "../e2e/scenario.ts";
import { bundledRuleSources } from "../../src/findings/sigma/rule_set.ts";

const OPTIONS: ActivityCounterOptions = {
  activityType: "ALL",
  // Low thresholds, so the anomaly rules (per-minute, per-ten-minutes, distinct sets) fire and are compared too.
  thresholds: { callsPerMinute: 2, sourceIps: 2, userAgents: 2, deniedPerTenMinutes: 2 },
  sigmaRules: bundledRuleSources(),
};

function everything(counter: ActivityCounter) {
  return {
    counts: counter.summarizer.counts,
    sections: counter.summarizer.aggregator.sections(),
    principals: counter.principals.section(),
    findings: counter.findings.findings(),
  };
}

/** Counts `lines` in one counter, and dealt out over `parts` counters merged into one (structured-cloned). */
function oneAndMerged(lines: readonly string[], parts: number) {
  const one = new ActivityCounter(OPTIONS);
  const workers = Array.from({ length: parts }, () => new ActivityCounter(OPTIONS));
  lines.forEach((line, index) => {
    const event = { region: `region-${index % 3}`, cloudTrailEvent: line };
    one.add(event);
    workers[(index * 7) % parts]!.add(event);
  });
  const merged = new ActivityCounter(OPTIONS);
  // Reverse order: merging must not depend on which worker finishes first.
  for (const worker of workers.reverse()) merged.merge(structuredClone(worker.state));
  return { one: everything(one), merged: everything(merged) };
}

Deno.test("counters merged from workers give the same sections, principals and findings as one counter", () => {
  const lines = Array.from({ length: 500 }, (_, index) => {
    const minute = Math.floor(index / 7);
    return JSON.stringify({
      ...syntheticRecord(index),
      eventTime: new Date(Date.UTC(2026, 10, 1, 10, minute, index % 60)).toISOString(),
    });
  });
  lines.push("{broken", "[]");
  const { one, merged } = oneAndMerged(lines, 3);
  assert.ok(one.findings.length > 3, "the thresholds make findings fire");
  assert.deepEqual(merged, one);
});

Deno.test(`merged counters equal one counter over the real corpus ${corpusAvailable() ? "" : CORPUS_MISSING}`, {
  ignore: !corpusAvailable(),
}, async () => {
  const lines = (await Promise.all(CORPUS_FILES.map(corpusLines))).flat();
  const { one, merged } = oneAndMerged(lines, 2);
  assert.deepEqual(merged, one);
});
