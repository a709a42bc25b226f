/**
 * The S3 adapter against the emulator's S3, which sends an object's CRC-64/NVME when asked, as S3
 * does: gzip objects are read without S3's checksum (gunzip checks them), anything else with it.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { createTrailBucketApi } from "../../src/aws/trail_bucket.ts";
import { trailFileBytes } from "../../src/sources/trail_records.ts";
import { fakeCredentials } from "../e2e/cli_harness.ts";
import { startAwsEmulator } from "../support/aws_emulator.ts";
import { S3Emulator } from "../support/s3_emulator.ts";

const GZIP_KEY = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/file.json.gz";
const CSV_KEY = "athena-results/query.csv";

async function withBucket(test: (s3: S3Emulator, api: ReturnType<typeof createTrailBucketApi>) => Promise<void>) {
  const s3 = new S3Emulator();
  const credentials = fakeCredentials();
  const emulator = startAwsEmulator({
    regions: ["us-east-1"],
    events: {},
    acceptedAccessKeys: [credentials.accessKeyId],
    s3,
  });
  try {
    const api = createTrailBucketApi("trail", { region: "us-east-1", endpoint: emulator.url, credentials }, true);
    await test(s3, api);
  } finally {
    await emulator.close();
  }
}

Deno.test("a gzip object is read as stored, without asking for S3's checksum; gunzip catches altered bytes", async () => {
  await withBucket(async (s3, api) => {
    const stored = new Uint8Array(gzipSync(JSON.stringify({ Records: [{ eventName: "GetCallerIdentity" }] })));
    s3.putObject("trail", GZIP_KEY, stored);
    assert.deepEqual(await api.getObject(GZIP_KEY), stored);
    s3.faults.corruptedKeys.add(GZIP_KEY);
    const altered = await api.getObject(GZIP_KEY);
    assert.notDeepEqual(altered, stored);
    assert.throws(() => trailFileBytes(altered), { code: "CorruptGzip" });
    assert.equal(s3.stats.checksumRequests, 0);
  });
});

Deno.test("any other object is read with S3's checksum, which the SDK checks", async () => {
  await withBucket(async (s3, api) => {
    const stored = new TextEncoder().encode("principal,calls\narn:aws:iam::111122223333:user/alice,3\n");
    s3.putObject("trail", CSV_KEY, stored);
    assert.deepEqual(await api.getObject(CSV_KEY), stored);
    assert.equal(s3.stats.checksumRequests, 1);
    s3.faults.corruptedKeys.add(CSV_KEY);
    await assert.rejects(api.getObject(CSV_KEY), /Checksum mismatch/);
  });
});
