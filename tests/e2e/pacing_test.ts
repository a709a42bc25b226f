import assert from "node:assert/strict";
import { scenario, syntheticEvents } from "./scenario.ts";

Deno.test("summarize paces LookupEvents at the real quota (2/s, bucket of 1) with zero throttled responses", async () => {
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
    const stats = world.emulator.stats(region);
    assert.equal(stats.throttled, 0, `${region} was throttled`);
  }
  assert.equal(world.emulator.stats("us-east-1").pages, 6);
  assert.equal((await world.summary())._metadata.records_read, 500);
});
