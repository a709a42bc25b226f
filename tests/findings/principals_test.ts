import assert from "node:assert/strict";
import { PrincipalActivity } from "../../src/findings/principals.ts";
import { describeRecord } from "../../src/summary/activity_record.ts";
import { principalOf } from "../../src/summary/principal.ts";
import { CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";

Deno.test("PrincipalActivity.section() gives first and last seen, calls, failures, regions and IPs", () => {
  const principals = new PrincipalActivity();
  const identity = { type: "Root", accountId: "111122223333" };
  const rows: [string, string, string, boolean][] = [
    ["2026-01-02T00:00:00Z", "us-east-1", "198.51.100.1", true],
    ["2026-01-01T00:00:00Z", "eu-west-1", "198.51.100.2", false],
    ["2026-01-03T12:30:00Z", "us-east-1", "198.51.100.1", true],
  ];
  for (const [eventTime, region, sourceIPAddress, ok] of rows) {
    principals.observe(
      describeRecord({ eventTime, userIdentity: identity, sourceIPAddress, ...(ok ? {} : { errorCode: "X" }) }, region),
    );
  }
  principals.observe(describeRecord({ userIdentity: identity, eventTime: "garbage" }, "us-east-1"));
  assert.deepEqual(principals.section(), {
    "111122223333:root": {
      first_seen: "2026-01-01T00:00:00Z",
      last_seen: "2026-01-03T12:30:00Z",
      total_calls: 4,
      failed_calls: 1,
      distinct_regions: 2,
      distinct_source_ips: 3,
    },
  });
});

Deno.test(`PrincipalActivity matches hand-computed rows on real records ${corpusAvailable() ? "" : CORPUS_MISSING}`, {
  ignore: !corpusAvailable(),
}, async () => {
  const records = await corpusRecords("stratus-red-team");
  const principals = new PrincipalActivity();
  for (const record of records) principals.observe(describeRecord(record, String(record.awsRegion)));
  const section = principals.section();
  // Independent expectation: group the raw records by principal and take string minima/maxima of eventTime.
  const groups = Map.groupBy(records, (record) => principalOf(record.userIdentity).principal);
  assert.deepEqual(Object.keys(section).sort(), [...groups.keys()].sort());
  for (const [principal, group] of groups) {
    const times = group.map((record) => String(record.eventTime)).sort();
    const row = section[principal]!;
    assert.equal(row.first_seen, times[0]!.replace(/\.\d+Z$/, "Z"), principal);
    assert.equal(row.last_seen, times.at(-1)!.replace(/\.\d+Z$/, "Z"), principal);
    assert.equal(row.total_calls, group.length);
    assert.equal(
      row.failed_calls,
      group.filter((record) => record.errorCode !== undefined || record.errorMessage !== undefined).length,
    );
    assert.equal(row.distinct_regions, new Set(group.map((record) => record.awsRegion)).size);
  }
});
