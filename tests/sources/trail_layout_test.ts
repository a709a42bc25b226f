import assert from "node:assert/strict";
import { dayListings, deliveryTimeOfKey, parseBucketLocation, skippedByPath } from "../../src/sources/trail_layout.ts";

const FOLDER = "p/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/";
const key = (day: string, stamp: string) =>
  `${FOLDER}${day}/111122223333_CloudTrail_eu-west-1_${stamp}_AbCdEfGhIj012345.json.gz`;

Deno.test("bucket locations: bucket and prefix, slashes trimmed; anything else is refused", () => {
  assert.deepEqual(parseBucketLocation("s3://my-trail"), { bucket: "my-trail", prefix: "" });
  assert.deepEqual(parseBucketLocation("s3://my-trail/org/logs/"), { bucket: "my-trail", prefix: "org/logs" });
  assert.throws(() => parseBucketLocation("my-trail"), RangeError);
  assert.throws(() => parseBucketLocation("s3://My_Bucket"), RangeError);
});

Deno.test("day listings start one minute before the window and reach the late slack into the next day", () => {
  const start = Date.parse("2026-11-01T10:00:00Z");
  const end = Date.parse("2026-11-01T23:30:00Z");
  const listings = dayListings(FOLDER, "111122223333", "eu-west-1", start, end, 60 * 60_000);
  assert.deepEqual(listings.map((listing) => listing.prefix), [`${FOLDER}2026/11/01/`, `${FOLDER}2026/11/02/`]);
  assert.equal(listings[0]!.startAfter, `${FOLDER}2026/11/01/111122223333_CloudTrail_eu-west-1_20261101T0959Z`);
  assert.equal(listings[1]!.startAfter, undefined);
  assert.equal(listings[1]!.lastDeliveryMs, Date.parse("2026-11-02T00:30:00Z"));
  // A key of the minute before the start sorts after StartAfter; one of two minutes before does not.
  assert.ok(key("2026/11/01", "20261101T0959Z") > listings[0]!.startAfter!);
  assert.ok(key("2026/11/01", "20261101T0958Z") < listings[0]!.startAfter!);
});

Deno.test("a window starting just after midnight also lists the day before", () => {
  const start = Date.parse("2026-11-02T00:00:30Z");
  const listings = dayListings(FOLDER, "111122223333", "eu-west-1", start, start + 60_000, 0);
  assert.deepEqual(listings.map((listing) => listing.prefix), [`${FOLDER}2026/11/01/`, `${FOLDER}2026/11/02/`]);
});

Deno.test("keys are checked against the layout: account, region, day folder and name", () => {
  const day = `${FOLDER}2026/11/01/`;
  assert.equal(
    deliveryTimeOfKey(key("2026/11/01", "20261101T1005Z"), day, "111122223333", "eu-west-1"),
    Date.parse("2026-11-01T10:05:00Z"),
  );
  assert.equal(deliveryTimeOfKey(key("2026/11/01", "20261102T1005Z"), day, "111122223333", "eu-west-1"), undefined);
  assert.equal(deliveryTimeOfKey(`${day}notes.txt`, day, "111122223333", "eu-west-1"), undefined);
  assert.equal(deliveryTimeOfKey(key("2026/11/01", "20261101T1005Z"), day, "444455556666", "eu-west-1"), undefined);
});

Deno.test("digest and Insight files are known by their path", () => {
  assert.equal(skippedByPath("x/AWSLogs/1/CloudTrail-Digest/eu-west-1/2026/11/01/a.json.gz"), "digest");
  assert.equal(skippedByPath("x/111122223333_CloudTrail-Digest_eu-west-1_x.json.gz"), "digest");
  assert.equal(skippedByPath("x/AWSLogs/1/CloudTrail-Insight/eu-west-1/a.json.gz"), "insight");
  assert.equal(skippedByPath("x/AWSLogs/1/CloudTrail/eu-west-1/a.json.gz"), undefined);
});
