import assert from "node:assert/strict";
import { progressLine, ProgressReporter, totalLine } from "../../src/cli/progress.ts";
import type { PartitionProgress } from "../../src/sources/event_source.ts";

const END = Date.UTC(2026, 0, 15);
const START = END - 10 * 24 * 3600_000;

function partition(overrides: Partial<PartitionProgress>): PartitionProgress {
  return {
    name: "eu-west-1",
    status: "reading",
    events: 0,
    pages: 0,
    throttled: 0,
    retries: 0,
    windowStartMs: START,
    windowEndMs: END,
    ...overrides,
  };
}

Deno.test("progressLine() shows events, pages, share of the window covered and the ETA at the quota", () => {
  const line = progressLine(
    partition({ events: 5000, pages: 100, oldestEventTimeMs: END - 2.5 * 24 * 3600_000 }),
    2,
  );
  // A quarter of the window took 100 pages: 300 more at 2/s is 150 s.
  assert.equal(line, "eu-west-1            5000 events    100 pages   25.0% back to 2026-01-12T12:00:00Z, ETA 2m30s");
});

Deno.test("progressLine() tells how a region ended", async (t) => {
  await t.step("complete", () => {
    assert.match(
      progressLine(partition({ status: "complete", events: 3, pages: 1, throttled: 2 }), 2),
      /done, 2 throttled$/,
    );
  });
  await t.step("failed", () => {
    assert.match(
      progressLine(partition({ status: "failed", errorCode: "AccessDeniedException" }), 2),
      /FAILED: AccessDeniedException$/,
    );
  });
  await t.step("interrupted", () => {
    assert.match(
      progressLine(partition({ status: "interrupted", oldestEventTimeMs: END }), 2),
      /interrupted at 2026-01-15T00:00:00Z$/,
    );
  });
});

Deno.test("totalLine() adds up the regions", () => {
  assert.equal(
    totalLine([
      partition({ events: 10, pages: 1 }),
      partition({ name: "us-east-1", events: 5, pages: 2, status: "complete" }),
    ]),
    "total                  15 events      3 pages  1/2 regions finished",
  );
});

Deno.test("ProgressReporter writes plain lines only when something changed, when not on a terminal", () => {
  const written: string[] = [];
  const partitions = [partition({})];
  const reporter = new ProgressReporter({ write: (text) => written.push(text), isTerminal: false }, partitions, 2);
  reporter.start();
  reporter.stop();
  assert.equal(written.length, 1);
  assert.match(written[0]!, /started\n$/);
  partitions[0]!.status = "complete";
  reporter.start();
  reporter.stop();
  assert.equal(written.length, 2);
  assert.match(written[1]!, /done\n$/);
});

Deno.test("ProgressReporter redraws its block in place on a terminal", () => {
  const written: string[] = [];
  const reporter = new ProgressReporter({ write: (text) => written.push(text), isTerminal: true }, [partition({})], 2);
  reporter.start();
  reporter.stop();
  assert.equal(written.length, 2);
  assert.ok(!written[0]!.startsWith("\x1b[2F"));
  assert.ok(written[1]!.startsWith("\x1b[2F"), "moves up over the two lines drawn before");
});
