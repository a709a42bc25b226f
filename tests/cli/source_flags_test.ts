import assert from "node:assert/strict";
import { UsageError } from "../../src/errors.ts";
import { type SourceFlagValues, sourceOptions, timeWindow } from "../../src/cli/source_flags.ts";

const NOW = Date.UTC(2026, 11, 4, 12);
const HOUR = 3600_000;

function window(values: SourceFlagValues, pastHours = 336) {
  return timeWindow({ ...sourceOptions(values), pastHours }, NOW);
}

Deno.test("times are ISO 8601 with a zone; offsets are honoured; a window must not be empty", () => {
  const options = sourceOptions({ "start-time": "2026-11-01T09:30:00+09:00", "end-time": "2026-11-02T00:00:00.5Z" });
  assert.equal(options.startTime?.toISOString(), "2026-11-01T00:30:00.000Z");
  assert.equal(options.endTime?.toISOString(), "2026-11-02T00:00:00.500Z");
  for (const bad of ["2026-11-01", "2026-11-01T00:00:00", "yesterday", "2026-13-01T00:00:00Z"]) {
    assert.throws(() => sourceOptions({ "start-time": bad }), UsageError, bad);
  }
  assert.throws(
    () => sourceOptions({ "start-time": "2026-11-02T00:00:00Z", "end-time": "2026-11-02T00:00:00Z" }),
    /is not before --end-time/,
  );
  assert.throws(() => sourceOptions({ "start-time": "2026-11-02T00:00:00Z", "past-hours": "5" }), /cannot be used/);
});

Deno.test("LookupEvents and trail buckets default to the past hours before the end; local files read everything", () => {
  assert.deepEqual(window({}), { startMs: NOW - 336 * HOUR, endMs: NOW });
  assert.deepEqual(window({ "trail-bucket": "s3://b" }, 24), { startMs: NOW - 24 * HOUR, endMs: NOW });
  const end = "2026-11-02T00:00:00Z";
  assert.deepEqual(window({ "end-time": end, "past-hours": "2" }, 2), {
    startMs: Date.parse(end) - 2 * HOUR,
    endMs: Date.parse(end),
  });
  assert.deepEqual(window({ "trail-files": ["x"] }), { startMs: undefined, endMs: undefined });
  assert.deepEqual(window({ "trail-files": ["x"], "start-time": end }), { startMs: Date.parse(end), endMs: NOW });
  assert.deepEqual(window({ "trail-files": ["x"], "end-time": end }), { startMs: undefined, endMs: Date.parse(end) });
  assert.deepEqual(window({ "trail-files": ["x"], "past-hours": "3" }, 3), { startMs: NOW - 3 * HOUR, endMs: NOW });
});

Deno.test("flags that mean nothing for the chosen source are usage errors", () => {
  assert.throws(() => sourceOptions({ "trail-files": ["a"], "trail-bucket": "s3://b" }), /cannot be used together/);
  assert.throws(() => sourceOptions({ "trail-bucket": "my-bucket" }), /s3:\/\/BUCKET/);
  assert.throws(
    () => sourceOptions({ "trail-files": ["a"], "lookup-attribute": "EventName=X" }),
    /\(LookupEvents\) only/,
  );
  assert.throws(() => sourceOptions({ "trail-bucket": "s3://b", "dump-raw-cloudtrail-data": true }), /LookupEvents/);
  assert.throws(
    () => sourceOptions({ "trail-files": ["t"], "cache-dir": "c" }),
    /--cache-dir applies to .*LookupEvents/,
  );
  assert.throws(() => sourceOptions({ "include-data-events": true }), /trail files only/);
  assert.throws(() => sourceOptions({ workers: "2" }), /trail files only/);
  assert.throws(() => sourceOptions({ "trail-files": ["a"], "late-slack": "5" }), /--late-slack applies to/);
  assert.throws(() => sourceOptions({ "trail-bucket": "s3://b", "late-slack": "-1" }), /whole number/);
  assert.throws(() => sourceOptions({ "trail-files": ["a"], workers: "0" }), /whole number/);
});

Deno.test("defaults and repeated paths", () => {
  const options = sourceOptions({ "trail-files": ["a", "b"] });
  assert.deepEqual(options.trailFiles, ["a", "b"]);
  assert.equal(options.lateSlackMinutes, 60);
  assert.equal(options.includeDataEvents, false);
  assert.equal(options.workers, undefined);
});
