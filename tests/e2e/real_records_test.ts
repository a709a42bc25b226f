import assert from "node:assert/strict";
import { type EmulatorEvent, emulatorEventFromRecord } from "../support/aws_emulator.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { scenario } from "./scenario.ts";

const REGIONS = ["ap-northeast-1", "eu-west-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2"];

Deno.test(
  `summarize counts every real CloudTrail record of the corpus exactly ${corpusAvailable() ? "" : CORPUS_MISSING}`,
  {
    ignore: !corpusAvailable(),
  },
  async () => {
    const now = Date.now();
    const served: { record: Record<string, unknown>; region: string }[] = [];
    const events: Record<string, EmulatorEvent[]> = {};
    let index = 0;
    for (const name of CORPUS_FILES) {
      for (const record of await corpusRecords(name)) {
        // Served from the record's own region when that one is enabled, like LookupEvents does.
        const region = REGIONS.includes(String(record.awsRegion)) ? String(record.awsRegion) : "us-east-1";
        served.push({ record, region });
        (events[region] ??= []).push(emulatorEventFromRecord(record, now - 60_000 - index * 5_000, `corpus-${index}`));
        index += 1;
      }
    }
    await using world = await scenario({ regions: REGIONS, events, quota: { ratePerSecond: 200, burst: 1 } });
    const result = await world.run(["--lookup-rate", "100", "--past-hours", "100", "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "--quiet prints nothing on stderr");
    const summary = await world.summary();
    assert.equal(summary._metadata.records_read, served.length);
    assert.equal(summary._metadata.records_unreadable, 0);
    const expected = referenceSections(served);
    for (const section of Object.keys(expected) as (keyof typeof expected)[]) {
      assert.deepEqual(summary[section], expected[section], section);
    }
    // An assumed-role ARN without its session part still names its role (never the whole ARN).
    const principals = Object.keys(summary.api_calls_by_principal as Record<string, unknown>);
    assert.ok(principals.includes("123123123123:role/MakeStuffPublic"), principals.join(", "));
    assert.deepEqual(principals.filter((principal) => principal.includes(":role/arn:")), []);
    const total = Object.values(summary.api_calls_by_region as Record<string, Record<string, number>>)
      .flatMap((calls) => Object.values(calls)).reduce((sum, count) => sum + count, 0);
    assert.equal(total, served.length);
  },
);

Deno.test("summarize counts a record that is not JSON as unreadable and goes on", async () => {
  const now = Date.now();
  const good = emulatorEventFromRecord(
    { eventSource: "s3.amazonaws.com", eventName: "ListBuckets" },
    now - 2000,
    "good",
  );
  const broken = { ...good, eventId: "broken", eventTimeMs: now - 3000, cloudTrailEvent: '{"eventSource": "s3.amazon' };
  const multiline = {
    ...good,
    eventId: "multiline",
    eventTimeMs: now - 4000,
    cloudTrailEvent: '{\n  "eventSource": "iam.amazonaws.com",\n  "eventName": "GetUser"\n}',
  };
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": [good, broken, multiline] } });
  const result = await world.run(["--lookup-rate", "20", "--dump-raw-cloudtrail-data"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  assert.equal(summary._metadata.records_read, 3);
  assert.equal(summary._metadata.records_unreadable, 1);
  assert.deepEqual(summary.api_calls_by_region, {
    "us-east-1": { "s3.amazonaws.com:ListBuckets": 1, "iam.amazonaws.com:GetUser": 1 },
  });
  const dump = await Deno.readTextFile(
    `${world.resultsDirectory}/account_activity_111122223333_${summary._metadata.run_timestamp}_raw_cloudtrail_data/us-east-1.jsonl`,
  );
  const lines = dump.trimEnd().split("\n");
  assert.equal(lines.length, 3, "one line per record, multi-line records made compact");
  assert.deepEqual(JSON.parse(lines[2]!), { eventSource: "iam.amazonaws.com", eventName: "GetUser" });
  assert.equal(lines[1], broken.cloudTrailEvent, "unreadable text kept as served");
});
