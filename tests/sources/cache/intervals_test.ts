import assert from "node:assert/strict";
import {
  contains,
  intersect,
  normalize,
  sameTimes,
  splitByUtcDay,
  subtract,
} from "../../../src/sources/cache/intervals.ts";

const span = (startMs: number, endMs: number) => ({ startMs, endMs });

Deno.test("normalize sorts, merges touching and overlapping intervals, drops empty ones", () => {
  assert.deepEqual(normalize([span(5, 7), span(0, 2), span(2, 3), span(6, 9), span(4, 4)]), [span(0, 3), span(5, 9)]);
});

Deno.test("subtract leaves the gaps of a window, ends half-open", () => {
  assert.deepEqual(subtract([span(0, 100)], [span(10, 20), span(50, 60), span(90, 200)]), [
    span(0, 10),
    span(20, 50),
    span(60, 90),
  ]);
  assert.deepEqual(subtract([span(0, 100)], [span(0, 100)]), []);
  assert.deepEqual(subtract([span(0, 100)], []), [span(0, 100)]);
});

Deno.test("intersect, contains and sameTimes", () => {
  assert.deepEqual(intersect([span(0, 10), span(20, 30)], [span(5, 25)]), [span(5, 10), span(20, 25)]);
  assert.equal(contains([span(10, 20)], 10), true, "the start belongs to the interval");
  assert.equal(contains([span(10, 20)], 20), false, "the end does not");
  assert.equal(sameTimes([span(0, 5), span(5, 9)], [span(0, 9)]), true);
  assert.equal(sameTimes([span(0, 5)], [span(0, 6)]), false);
});

Deno.test("splitByUtcDay cuts at UTC midnight", () => {
  const day = 86_400_000;
  const start = Date.UTC(2026, 11, 3, 22);
  const days = splitByUtcDay([span(start, start + day + 4 * 3600_000)]);
  assert.deepEqual([...days.keys()], ["2026-12-03", "2026-12-04", "2026-12-05"]);
  assert.deepEqual(days.get("2026-12-04"), [span(Date.UTC(2026, 11, 4), Date.UTC(2026, 11, 5))]);
  assert.deepEqual(days.get("2026-12-05"), [span(Date.UTC(2026, 11, 5), Date.UTC(2026, 11, 5, 2))]);
});
