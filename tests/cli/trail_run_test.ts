import assert from "node:assert/strict";
import { fileNameAccount, trailProgressLine } from "../../src/cli/trail_run.ts";
import { TrailTally } from "../../src/sources/trail_tally.ts";

Deno.test("the file name names the one account, or the lowest and how many more", () => {
  assert.equal(fileNameAccount(["444455556666"], "111122223333"), "444455556666");
  assert.equal(fileNameAccount(["444455556666", "111122223333", "Unknown"], undefined), "111122223333-and-1-more");
  assert.equal(fileNameAccount([], "111122223333"), "111122223333");
  assert.equal(fileNameAccount(["Unknown"], undefined), "unknown");
});

Deno.test("progress: files and records done, MB/s and the time left for the bytes listed so far", () => {
  const tally = new TrailTally();
  for (let index = 0; index < 4; index++) tally.listed(10_000_000);
  tally.readFile({
    kind: "log",
    records: 5000,
    recordsByCategory: { Management: 5000 },
    recordsOfOtherCategories: 0,
    recordsOfOtherAccountsOrRegions: 0,
    recordsOutsideWindow: 0,
    regions: { "eu-west-1": { records: 5000, oldestMs: 0, newestMs: 1 } },
    accounts: { "111122223333": 5000 },
  }, 10_000_000);
  tally.failedFile("broken.json.gz", "TruncatedGzip", 10_000_000);
  assert.equal(
    trailProgressLine(tally, 4000),
    "2/4 files, 5000 records counted, 20.0 MB at 5.0 MB/s, ETA 4s, 1 files failed",
  );
  assert.equal(trailProgressLine(new TrailTally(), 0), "0/0 files, 0 records counted, 0.0 MB at 0.0 MB/s");
});
