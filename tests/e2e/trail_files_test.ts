/**
 * Trail files end to end: the real CLI reading CloudTrail log files from a folder and from the
 * emulator's S3, compared with LookupEvents over the same records and with the independent
 * reference (tests/support/reference_summary.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { emulatorEventFromRecord } from "../support/aws_emulator.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { S3Emulator } from "../support/s3_emulator.ts";
import { type PlacedRecord, storeTrailFiles, trailFiles, writeTrailFiles } from "../support/trail_fixture.ts";
import { scenario, syntheticRecord } from "./scenario.ts";

const ACCOUNT = "111122223333";
const MEMBER = "444455556666";
const REGIONS = ["eu-west-1", "us-east-1"];
const HOUR = 3600_000;

type Json = Record<string, unknown>;

/** `count` records in both regions, one every `spacingMs` back from `newestMs`, with second-precision times. */
function records(count: number, newestMs: number, spacingMs: number, account = ACCOUNT): Json[] {
  return Array.from({ length: count }, (_, index) => ({
    ...syntheticRecord(index),
    eventID: `${account}-${index}`,
    eventTime: new Date(Math.floor((newestMs - index * spacingMs) / 1000) * 1000).toISOString().slice(0, 19) + "Z",
    awsRegion: REGIONS[index % REGIONS.length],
    recipientAccountId: account,
  }));
}

const placed = (list: readonly Json[]): PlacedRecord[] => list.map((record) => ({ record }));

function reference(list: readonly Json[]) {
  return referenceSections(list.map((record) => ({ record, region: String(record.awsRegion) })));
}

function sections(summary: Json) {
  return Object.fromEntries(SECTION_NAMES.map((name) => [name, summary[name]]));
}

/** The one summary in `folder`, and its file name. */
async function summaryIn(folder: string): Promise<Json & { _metadata: Json; fileName: string }> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(folder)) if (entry.name.endsWith(".json")) names.push(entry.name);
  assert.equal(names.length, 1, `one summary in ${folder}: ${names.join(", ")}`);
  return { ...JSON.parse(await Deno.readTextFile(join(folder, names[0]!))), fileName: names[0]! };
}

Deno.test("the same records through LookupEvents, local trail files and S3 give the same summary", async () => {
  const nowMs = Date.now();
  const list = records(240, nowMs - HOUR, 37 * 60_000);
  const events = Object.fromEntries(REGIONS.map((region) => [
    region,
    list.filter((record) => record.awsRegion === region).map((record, index) =>
      emulatorEventFromRecord(record, Date.parse(String(record.eventTime)), `id-${region}-${index}`)
    ),
  ]));
  const s3 = new S3Emulator();
  const files = trailFiles(placed(list));
  storeTrailFiles(s3, "org-trail", files);
  await using world = await scenario({ regions: REGIONS, events, s3, accountId: ACCOUNT });
  await writeTrailFiles(join(world.workingDirectory, "exported"), files);

  const lookup = await world.run(["--output-dir", "lookup", "--quiet"]);
  assert.equal(lookup.code, 0, lookup.stderr);
  const local = await world.run(["--trail-files", "exported", "--output-dir", "local", "--quiet"]);
  assert.equal(local.code, 0, local.stderr);
  const bucket = await world.run(["--trail-bucket", "s3://org-trail", "--output-dir", "bucket", "--quiet"]);
  assert.equal(bucket.code, 0, bucket.stderr);

  const fromLookup = await summaryIn(join(world.workingDirectory, "lookup"));
  const fromFiles = await summaryIn(join(world.workingDirectory, "local"));
  const fromBucket = await summaryIn(join(world.workingDirectory, "bucket"));
  const expected = reference(list);
  for (const summary of [fromLookup, fromFiles, fromBucket]) assert.deepEqual(sections(summary), expected);
  for (const key of ["principals", "findings", "risk"]) {
    assert.deepEqual(fromFiles[key], fromLookup[key], key);
    assert.deepEqual(fromBucket[key], fromLookup[key], key);
  }
  assert.deepEqual(fromFiles._metadata.source, {
    type: "trail-files",
    location: join(world.workingDirectory, "exported"),
  });
  assert.deepEqual(fromBucket._metadata.source, { type: "trail-bucket", location: "s3://org-trail" });
  assert.equal(fromFiles._metadata.account_id, ACCOUNT);
  assert.equal(fromBucket._metadata.account_id, ACCOUNT);
  assert.equal(fromFiles._metadata.records_read, list.length);
  assert.deepEqual(fromFiles._metadata.accounts_seen, { [ACCOUNT]: list.length });
  const regionsSeen = fromBucket._metadata.regions_seen as Record<string, { records: number }>;
  assert.deepEqual(Object.keys(regionsSeen).sort(), REGIONS);
  assert.equal(regionsSeen["eu-west-1"]!.records, list.filter((record) => record.awsRegion === "eu-west-1").length);
  // No object outside the trail's own folder was read: listing stayed under …/CloudTrail/.
  assert.ok(s3.stats.keysRead.every((key) => key.includes("/CloudTrail/")));
});

Deno.test("an organization trail: --accounts picks accounts from the keys; the file name says which", async () => {
  const nowMs = Date.now();
  const management = records(60, nowMs - HOUR, 20 * 60_000, ACCOUNT);
  const member = records(40, nowMs - HOUR, 25 * 60_000, MEMBER);
  const s3 = new S3Emulator();
  const files = trailFiles(placed([...management, ...member]), { prefix: "org", organizationId: "o-exampleorg1" });
  storeTrailFiles(s3, "org-trail", files);
  await using world = await scenario({ regions: REGIONS, events: {}, s3, accountId: ACCOUNT });

  const one = await world.run(["--trail-bucket", "s3://org-trail/org", "--accounts", MEMBER, "--output-dir", "one"]);
  assert.equal(one.code, 0, one.stderr);
  const onlyMember = await summaryIn(join(world.workingDirectory, "one"));
  assert.deepEqual(sections(onlyMember), reference(member));
  assert.deepEqual(onlyMember._metadata.accounts_seen, { [MEMBER]: member.length });
  assert.match(onlyMember.fileName, new RegExp(`^account_activity_${MEMBER}_\\d{14}\\.json$`));
  // Keys of the other account were never read.
  assert.ok(s3.stats.keysRead.every((key) => key.includes(`/${MEMBER}/`)));

  const all = await world.run(["--trail-bucket", "s3://org-trail/org", "--accounts", "all", "--output-dir", "all"]);
  assert.equal(all.code, 0, all.stderr);
  const both = await summaryIn(join(world.workingDirectory, "all"));
  assert.deepEqual(sections(both), reference([...management, ...member]));
  assert.equal(both._metadata.account_id, ACCOUNT, "an S3 run names the caller's account");
  assert.match(both.fileName, new RegExp(`^account_activity_${ACCOUNT}-and-1-more_\\d{14}\\.json$`));

  await writeTrailFiles(join(world.workingDirectory, "copy"), files);
  const local = await world.run(["--trail-files", "copy", "--output-dir", "local"]);
  assert.equal(local.code, 0, local.stderr);
  assert.equal((await summaryIn(join(world.workingDirectory, "local")))._metadata.account_id, `${ACCOUNT},${MEMBER}`);
});

Deno.test("broken, empty, digest, Insight and non-JSON files are counted or reported, never a crash", async () => {
  const list = records(30, Date.UTC(2026, 10, 1, 12), 60_000);
  await using world = await scenario({ regions: REGIONS, events: {} });
  const folder = join(world.workingDirectory, "incident");
  await writeTrailFiles(folder, trailFiles(placed(list)));
  const good = gzipSync(JSON.stringify({ Records: records(5, Date.UTC(2026, 10, 1, 13), 1000) }));
  const extra: Record<string, Uint8Array | string> = {
    "loose/truncated.json.gz": good.subarray(0, good.length - 20),
    "loose/notes.txt": "Exported by the responder on Monday.\n",
    "loose/empty.json": '{"Records":[]}',
    "loose/digest-by-content.json": JSON.stringify({ digestStartTime: "2026-11-01T12:00:00Z", logFiles: [] }),
    "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/01/d.json.gz": gzipSync('{"digestStartTime":"x"}'),
    "AWSLogs/111122223333/CloudTrail-Insight/eu-west-1/2026/11/01/i.json.gz": gzipSync(
      JSON.stringify({ Records: [{ eventType: "AwsCloudTrailInsight", eventCategory: "Insight" }] }),
    ),
  };
  for (const [name, content] of Object.entries(extra)) {
    await Deno.mkdir(join(folder, name, ".."), { recursive: true });
    await Deno.writeFile(join(folder, name), typeof content === "string" ? new TextEncoder().encode(content) : content);
  }
  const result = await world.run(["--trail-files", "incident", "--quiet"]);
  assert.equal(result.code, 3, "a file that could not be read is a partial failure");
  const summary = await world.summary();
  assert.deepEqual(sections(summary), reference(list));
  const files = summary._metadata.files as Json;
  assert.deepEqual(files.failed, { [join(folder, "loose/truncated.json.gz")]: "TruncatedGzip" });
  assert.deepEqual(files.skipped, { digest: 2, insight: 1, not_cloudtrail: 1 });
  assert.deepEqual(files.not_cloudtrail, [join(folder, "loose/notes.txt")]);
  assert.equal(files.empty, 1);
  assert.equal(files.listed, trailFiles(placed(list)).size + Object.keys(extra).length);
});

Deno.test("window edges: one millisecond outside is not counted; late deliveries in the next day's folder are found", async () => {
  const start = Date.UTC(2026, 10, 1, 0, 0, 0);
  const end = Date.UTC(2026, 10, 1, 23, 59, 59, 999);
  const at = (ms: number, index: number): Json => ({
    ...records(1, ms, 0)[0]!,
    eventID: `edge-${index}`,
    eventTime: new Date(ms).toISOString(),
  });
  const inside = [at(start, 0), at(end, 1), at(end - 10 * 60_000, 2)];
  const outside = [at(start - 1, 3), at(end + 1, 4)];
  const placedRecords: PlacedRecord[] = [
    ...[...inside, ...outside].slice(0, 2).map((record) => ({ record })),
    // Delivered 25 minutes after midnight: in the next day's folder, inside the default 60-minute slack.
    { record: inside[2]!, deliveryMs: end + 1 + 25 * 60_000 },
    { record: outside[0]! },
    { record: outside[1]!, deliveryMs: end + 1 + 5 * 60_000 },
  ];
  const s3 = new S3Emulator();
  const files = trailFiles(placedRecords);
  storeTrailFiles(s3, "trail", files);
  await using world = await scenario({ regions: REGIONS, events: {}, s3, accountId: ACCOUNT });
  await writeTrailFiles(join(world.workingDirectory, "trail"), files);
  const window = ["--start-time", new Date(start).toISOString(), "--end-time", new Date(end).toISOString()];

  const sources: [string, string[]][] = [["local", ["--trail-files", "trail"]], ["bucket", [
    "--trail-bucket",
    "s3://trail",
  ]]];
  for (const [name, source] of sources) {
    const result = await world.run([...source, ...window, "--output-dir", name, "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = await summaryIn(join(world.workingDirectory, name));
    assert.deepEqual(sections(summary), reference(inside), name);
    assert.equal(summary._metadata.records_outside_window, 2, name);
  }
  // Day folders from the day of start − 1 minute to the day of end + slack; StartAfter only where the window starts.
  const dayListings = s3.stats.listings.filter((listing) => listing.delimiter === null);
  const days = [...new Set(dayListings.map((listing) => listing.prefix.slice(-11)))];
  assert.deepEqual(days.sort(), ["2026/10/31/", "2026/11/01/", "2026/11/02/"]);
  assert.ok(dayListings.some((listing) => listing.startAfter?.endsWith("_20261031T2359Z")));
  // Without slack, files delivered after the window's end are not read: only the first edge record is left.
  const noSlack = await world.run([
    "--trail-bucket",
    "s3://trail",
    ...window,
    "--late-slack",
    "0",
    "--output-dir",
    "x",
  ]);
  assert.equal(noSlack.code, 0, noSlack.stderr);
  assert.deepEqual(sections(await summaryIn(join(world.workingDirectory, "x"))), reference(inside.slice(0, 1)));
});

Deno.test("LookupEvents takes the same window flags", async () => {
  const nowMs = Date.now();
  const list = records(40, nowMs - 2 * HOUR, 3 * 60_000);
  const events = Object.fromEntries(REGIONS.map((region) => [
    region,
    list.filter((record) => record.awsRegion === region).map((record, index) =>
      emulatorEventFromRecord(record, Date.parse(String(record.eventTime)), `w-${region}-${index}`)
    ),
  ]));
  await using world = await scenario({ regions: REGIONS, events });
  const start = nowMs - 2 * HOUR - 60 * 60_000;
  const end = nowMs - 2 * HOUR - 30 * 60_000;
  const result = await world.run([
    "--start-time",
    new Date(start).toISOString(),
    "--end-time",
    new Date(end).toISOString(),
    "--quiet",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const expected = list.filter((record) => {
    const time = Date.parse(String(record.eventTime));
    return time >= start && time <= end;
  });
  assert.ok(expected.length > 0 && expected.length < list.length);
  assert.deepEqual(sections(await world.summary()), reference(expected));
});

Deno.test("S3 faults: 503s and cut bodies are retried; denied prefixes, broken and altered objects are reported, exit 3", async () => {
  const nowMs = Date.now();
  const management = records(50, nowMs - HOUR, 30 * 60_000, ACCOUNT);
  const member = records(20, nowMs - HOUR, 30 * 60_000, MEMBER);
  const s3 = new S3Emulator();
  const files = trailFiles(placed([...management, ...member]), { organizationId: "o-exampleorg1" });
  storeTrailFiles(s3, "trail", files);
  const managementKeys = [...files.keys()].filter((key) => key.includes(`/${ACCOUNT}/`));
  const [cutKey, brokenKey, alteredKey] = managementKeys as [string, string, string];
  s3.faults.serverErrors = 3;
  s3.faults.truncatedBodies.set(cutKey, 1);
  s3.faults.brokenKeys.add(brokenKey);
  s3.faults.corruptedKeys.add(alteredKey);
  s3.faults.accessDeniedPrefixes.push(`AWSLogs/o-exampleorg1/${MEMBER}/`);
  await using world = await scenario({ regions: REGIONS, events: {}, s3, accountId: ACCOUNT });
  const result = await world.run(["--trail-bucket", "s3://trail", "--quiet"]);
  assert.equal(result.code, 3, result.stderr);
  const summary = await world.summary();
  const lostIds = new Set(
    [brokenKey, alteredKey].flatMap((key) =>
      (JSON.parse(new TextDecoder().decode(gunzipSync(files.get(key)!))).Records as Json[]).map((record) =>
        record.eventID
      )
    ),
  );
  assert.deepEqual(sections(summary), reference(management.filter((record) => !lostIds.has(record.eventID))));
  assert.deepEqual((summary._metadata.files as Json).failed, {
    [brokenKey]: "InternalError",
    [alteredKey]: "CorruptGzip",
  });
  assert.deepEqual(summary._metadata.regions_failed, { [MEMBER]: "AccessDenied" });
  // Gunzip checked every object; S3's checksum was never asked for (trail_bucket.ts).
  assert.equal(s3.stats.checksumRequests, 0);
});

Deno.test("a missing path, two sources at once or a bad bucket URL are usage errors; nothing is written", async () => {
  await using world = await scenario({ regions: REGIONS, events: {} });
  const cases: [string[], RegExp][] = [
    [["--trail-files", "no-such-folder"], /Invalid value 'no-such-folder' for --trail-files: no such file or folder/],
    [["--trail-files", ".", "--trail-bucket", "s3://b"], /cannot be used together/],
    [["--trail-bucket", "s3://Not_A_Bucket"], /Invalid value 's3:\/\/Not_A_Bucket' for --trail-bucket/],
  ];
  for (const [args, message] of cases) {
    const result = await world.run(args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
  }
  await assert.rejects(() => Deno.stat(world.resultsDirectory), Deno.errors.NotFound);
});

Deno.test("Ctrl-C while reading a bucket writes the summary of the files counted, marked incomplete, exit 130", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const list = records(400, Date.now() - HOUR, 60_000);
  const s3 = new S3Emulator();
  const files = trailFiles(placed(list));
  storeTrailFiles(s3, "trail", files);
  s3.faults.getLatencyMs = 300;
  let interrupt: () => void = () => {};
  const fifthRequest = new Promise<void>((resolve) => (interrupt = resolve));
  s3.onGetObject = (_key, requestNumber) => {
    if (requestNumber === 5) interrupt();
  };
  await using world = await scenario({ regions: REGIONS, events: {}, s3, accountId: ACCOUNT });
  const child = world.spawn(["--trail-bucket", "s3://trail", "--workers", "1"]);
  await fifthRequest;
  child.kill("SIGINT");
  const output = await child.output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 130, stderr);
  const summary = await world.summary();
  assert.equal(summary._metadata.incomplete, true);
  const read = summary._metadata.records_read as number;
  assert.ok(read < list.length, `partial: ${read} of ${list.length}`);
  const regionsSeen = summary._metadata.regions_seen as Record<string, { records: number }>;
  assert.equal(Object.values(regionsSeen).reduce((sum, region) => sum + region.records, 0), read);
  assert.ok((summary._metadata.files as Json).read as number < files.size);
});
