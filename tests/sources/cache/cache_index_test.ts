import assert from "node:assert/strict";
import {
  CACHE_INDEX_FORMAT,
  CacheDamageError,
  coveredIntervals,
  parseCacheIndex,
  serializeCacheIndex,
} from "../../../src/sources/cache/cache_index.ts";
import { cacheRecordOf, parseCacheLine } from "../../../src/sources/cache/cache_records.ts";

const DAY = Date.UTC(2026, 11, 4);
const HOUR = 3600_000;

Deno.test("an index survives a round trip and says which time it covers", () => {
  const index = {
    segments: [
      {
        file: "2026-12-04/010000000-015959999.abc.jsonl.gz",
        intervals: [{ startMs: DAY + HOUR, endMs: DAY + 2 * HOUR }],
        records: 3,
      },
      { intervals: [{ startMs: DAY, endMs: DAY + HOUR }], records: 0 },
    ],
  };
  const parsed = parseCacheIndex(serializeCacheIndex(index));
  assert.deepEqual(parsed.segments, [index.segments[1], index.segments[0]]);
  assert.deepEqual(coveredIntervals(parsed.segments), [{ startMs: DAY, endMs: DAY + 2 * HOUR }]);
});

Deno.test("an index that cannot be trusted is refused with the reason", () => {
  const segment = (fields: Record<string, unknown>) =>
    JSON.stringify({
      format: CACHE_INDEX_FORMAT,
      segments: [{ covered: [["2026-12-04T00:00:00.000Z", "2026-12-04T01:00:00.000Z"]], records: 0, ...fields }],
    });
  const cases: [string, RegExp][] = [
    ["{ half", /not JSON/],
    [JSON.stringify({ format: "something else", segments: [] }), /not a 'aws-summarize-account-activity cache/],
    [segment({ file: "../../etc/passwd.jsonl.gz", records: 1 }), /bad file name/],
    [segment({ file: "2026-12-04/a/b.jsonl.gz", records: 1 }), /bad file name/],
    [segment({ records: 2 }), /file and record count disagree/],
    [segment({ records: -1 }), /bad record count/],
    [segment({ covered: [["2026-12-04T01:00:00.000Z", "2026-12-04T00:00:00.000Z"]] }), /bad interval/],
    [segment({ covered: [] }), /no covered intervals/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => parseCacheIndex(text),
      (error: Error) => error instanceof CacheDamageError && reason.test(error.message),
    );
  }
});

Deno.test("a record line is the record's compact JSON; what cannot be placed in time is not stored", () => {
  const record = { eventID: "e-1", eventTime: "2026-12-04T01:02:03Z", eventName: "ListUsers" };
  const stored = cacheRecordOf(JSON.stringify(record, null, 2))!;
  assert.equal(stored.line, JSON.stringify(record), "one line");
  assert.equal(stored.eventTimeMs, Date.parse("2026-12-04T01:02:03Z"));
  assert.equal(stored.eventId, "e-1");
  assert.equal(cacheRecordOf(""), undefined);
  assert.equal(cacheRecordOf("[1]"), undefined);
  assert.equal(cacheRecordOf(JSON.stringify({ eventID: "e-2" })), undefined, "no eventTime");
  assert.equal(parseCacheLine(JSON.stringify(record, null, 2)), undefined, "a line must be as the cache wrote it");
  assert.deepEqual(parseCacheLine(JSON.stringify(record)), { ...stored });
});
