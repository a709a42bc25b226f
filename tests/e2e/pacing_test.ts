/**
 * Pacing at the real quota (2 requests/s per region, bucket of 1). On a loaded 2-core machine one
 * request can leave a little late and its successor on time, so a single throttled response is
 * scheduling jitter, not a pacing bug: this test asserts what is deterministic (the spacing of the
 * requests as they arrive, never faster than the quota over the run, and every event counted exactly
 * once, throttled pages included). The strict "0 throttled" figure is `deno task bench quota`'s.
 */
import assert from "node:assert/strict";
import { scenario, syntheticEvents } from "./scenario.ts";

const INTERVAL_MS = 500;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

Deno.test("summarize paces LookupEvents at the real quota (2/s, bucket of 1) and counts every event", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: {
      "us-east-1": syntheticEvents(300, now - 1000, 1000).events,
      "eu-west-1": syntheticEvents(200, now - 1000, 1000, 1000).events,
    },
    quota: { ratePerSecond: 2, burst: 1 },
  });
  const result = await world.run(["--quiet"]);
  assert.equal(result.code, 0, result.stderr);
  for (const region of ["us-east-1", "eu-west-1"]) {
    const times = world.emulator.stats(region).requestTimes;
    const gaps = times.slice(1).map((time, index) => time - times[index]!);
    const pageRequests = times.length - world.emulator.stats(region).throttled;
    // Over the whole run requests never come faster than the quota (5% for timer resolution).
    assert.ok(times.at(-1)! - times[0]! >= (times.length - 1) * INTERVAL_MS * 0.95, `${region}: ${gaps.join(", ")}`);
    // Typical spacing is the quota's interval (plus our 1% margin), not a burst and not a crawl.
    const typical = median(gaps);
    assert.ok(typical >= INTERVAL_MS * 0.9 && typical <= INTERVAL_MS * 1.5, `${region}: median gap ${typical} ms`);
    assert.equal(pageRequests, region === "us-east-1" ? 6 : 4, `${region}: one request per page`);
  }
  const summary = await world.summary();
  assert.equal(summary._metadata.records_read, 500);
  assert.deepEqual(summary._metadata.regions_failed, {});
});
