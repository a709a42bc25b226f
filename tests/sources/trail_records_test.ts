import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  countTrailFile,
  type RecordFilter,
  type RecordReceiver,
  trailFileBytes,
  TrailFileError,
} from "../../src/sources/trail_records.ts";

const OPEN: RecordFilter = {
  windowStartMs: undefined,
  windowEndMs: undefined,
  includeDataEvents: false,
  accounts: undefined,
  regions: undefined,
};

function receiver() {
  const counted: { record: Record<string, unknown>; region: string }[] = [];
  let unreadable = 0;
  const sink: RecordReceiver = {
    addRecord: (record, region) => counted.push({ record, region }),
    addUnreadable: () => unreadable++,
  };
  return { sink, counted, unreadable: () => unreadable };
}

/** Counts a file given as text. */
const countText = (text: string, filter: RecordFilter, sink: RecordReceiver) =>
  countTrailFile(new TextEncoder().encode(text), filter, sink);

const record = (eventTime: string, extra: Record<string, unknown> = {}) => ({
  eventTime,
  eventSource: "iam.amazonaws.com",
  eventName: "ListUsers",
  awsRegion: "eu-west-1",
  recipientAccountId: "111122223333",
  ...extra,
});

Deno.test("a gzipped CloudTrail log file is detected by content and every record counted under its awsRegion", () => {
  const bytes = gzipSync(JSON.stringify({ Records: [record("2026-11-01T10:00:00Z"), record("2026-11-01T11:00:00Z")] }));
  const { sink, counted } = receiver();
  const tally = countTrailFile(trailFileBytes(bytes), OPEN, sink);
  assert.equal(tally.kind, "log");
  assert.equal(tally.records, 2);
  assert.deepEqual(counted.map((item) => item.region), ["eu-west-1", "eu-west-1"]);
  assert.deepEqual(tally.regions["eu-west-1"], {
    records: 2,
    oldestMs: Date.parse("2026-11-01T10:00:00Z"),
    newestMs: Date.parse("2026-11-01T11:00:00Z"),
  });
  assert.deepEqual(tally.accounts, { "111122223333": 2 });
});

Deno.test("JSON lines of plain records and of LookupEvents items (raw dumps) both count, bad lines as unreadable", () => {
  const lines = [
    JSON.stringify(record("2026-11-01T10:00:00Z")),
    JSON.stringify({ EventId: "1", CloudTrailEvent: JSON.stringify(record("2026-11-01T10:01:00Z")) }),
    "not json",
    "",
    JSON.stringify({ EventId: "2", CloudTrailEvent: "{broken" }),
  ].join("\n");
  const { sink, counted, unreadable } = receiver();
  const tally = countText(lines, OPEN, sink);
  assert.equal(tally.kind, "lines");
  assert.equal(counted.length, 2);
  assert.equal(unreadable(), 2);
  assert.equal(tally.records, 4);
});

Deno.test("digest, Insight, empty and non-JSON files are recognised and nothing of them is counted", () => {
  const { sink, counted } = receiver();
  const digest = JSON.stringify({ digestStartTime: "2026-11-01T10:00:00Z", logFiles: [] });
  const insight = JSON.stringify({ Records: [{ eventType: "AwsCloudTrailInsight", eventCategory: "Insight" }] });
  assert.equal(countText(digest, OPEN, sink).kind, "digest");
  assert.equal(countText(insight, OPEN, sink).kind, "insight");
  const empty = countText('{"Records":[]}', OPEN, sink);
  assert.equal(empty.kind, "log");
  assert.equal(empty.records, 0);
  assert.equal(countText("just some notes\nand more", OPEN, sink).kind, "not-cloudtrail");
  assert.equal(countText("", OPEN, sink).kind, "not-cloudtrail");
  // JSON that is not CloudTrail (the cache's index.json, a config) is not counted as a record.
  assert.equal(countText('{"intervals":[{"from":1,"to":2}]}', OPEN, sink).kind, "not-cloudtrail");
  assert.equal(countText('{"a":1}\n{"b":2}\n', OPEN, sink).kind, "not-cloudtrail");
  assert.equal(counted.length, 0);
});

Deno.test("a truncated gzip stream is a file error with its own code, not a crash", () => {
  const bytes = gzipSync(JSON.stringify({ Records: [record("2026-11-01T10:00:00Z")] }));
  assert.throws(
    () => trailFileBytes(bytes.subarray(0, bytes.length - 10)),
    (error: unknown) => error instanceof TrailFileError && error.code === "TruncatedGzip",
  );
});

Deno.test("the window is inclusive to the millisecond; one millisecond outside is tallied, not counted", () => {
  const start = Date.parse("2026-11-01T10:00:00Z");
  const end = Date.parse("2026-11-01T11:00:00Z");
  const text = JSON.stringify({
    Records: [
      record("2026-11-01T09:59:59.999Z"),
      record("2026-11-01T10:00:00Z"),
      record("2026-11-01T11:00:00Z"),
      record("2026-11-01T11:00:00.001Z"),
      record("not a time"),
    ],
  });
  const { sink, counted } = receiver();
  const tally = countText(text, { ...OPEN, windowStartMs: start, windowEndMs: end }, sink);
  assert.equal(tally.recordsOutsideWindow, 2);
  // A record whose time cannot be read cannot be placed outside the window: it is counted.
  assert.deepEqual(counted.map((item) => item.record.eventTime), [
    "2026-11-01T10:00:00Z",
    "2026-11-01T11:00:00Z",
    "not a time",
  ]);
});

Deno.test("management events only unless data events are asked for; categories are tallied either way", () => {
  const text = JSON.stringify({
    Records: [
      record("2026-11-01T10:00:00Z"),
      record("2026-11-01T10:00:00Z", { eventCategory: "Management" }),
      record("2026-11-01T10:00:00Z", { eventCategory: "Data" }),
      record("2026-11-01T10:00:00Z", { eventCategory: "NetworkActivity" }),
    ],
  });
  const management = receiver();
  const tally = countText(text, OPEN, management.sink);
  assert.equal(management.counted.length, 2);
  assert.equal(tally.recordsOfOtherCategories, 2);
  assert.deepEqual(tally.recordsByCategory, { Management: 2, Data: 1, NetworkActivity: 1 });
  const all = receiver();
  countText(text, { ...OPEN, includeDataEvents: true }, all.sink);
  assert.equal(all.counted.length, 4);
});

Deno.test("account and region filters leave other records out and tally them", () => {
  const text = JSON.stringify({
    Records: [
      record("2026-11-01T10:00:00Z"),
      record("2026-11-01T10:00:00Z", { recipientAccountId: "444455556666" }),
      record("2026-11-01T10:00:00Z", { awsRegion: "us-east-1" }),
    ],
  });
  const { sink, counted } = receiver();
  const tally = countText(text, { ...OPEN, accounts: ["111122223333"], regions: ["eu-west-1"] }, sink);
  assert.equal(counted.length, 1);
  assert.equal(tally.recordsOfOtherAccountsOrRegions, 2);
});

Deno.test("a broken record inside a log file is one unreadable record; its neighbours still count", () => {
  const good = JSON.stringify(record("2026-11-01T10:00:00Z", { requestParameters: { text: 'quote " and } brace' } }));
  const text = `{"Records":[${good},{"eventName": tru},${good}]}`;
  const { sink, counted, unreadable } = receiver();
  const tally = countText(text, OPEN, sink);
  assert.equal(tally.kind, "log");
  assert.equal(counted.length, 2);
  assert.equal(unreadable(), 1);
  assert.equal((counted[0]!.record.requestParameters as Record<string, string>).text, 'quote " and } brace');
});

Deno.test("a gzip of a few bytes is truncated; a file of several gzip members reads as one text", () => {
  const text = JSON.stringify({ Records: [record("2026-11-01T10:00:00Z")] });
  assert.throws(
    () => trailFileBytes(new Uint8Array([0x1f, 0x8b, 8])),
    (error: unknown) => error instanceof TrailFileError && error.code === "TruncatedGzip",
  );
  const half = text.length >> 1;
  const members = new Uint8Array([...gzipSync(text.slice(0, half)), ...gzipSync(text.slice(half))]);
  assert.equal(new TextDecoder().decode(trailFileBytes(members)), text);
});
