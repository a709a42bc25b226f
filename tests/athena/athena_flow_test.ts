/**
 * The Athena flow through the real SDK client against the emulator, the query run by DuckDB:
 * exact summary across 1000-row pages, settings sent as asked, throttled polls retried, a failure's
 * reason on one line, Ctrl-C and the scan limit stop the query, a missing table named.
 */
import { deepStrictEqual, equal, match, ok, rejects } from "node:assert/strict";
import { createAthenaApi } from "../../src/aws/athena_api.ts";
import { type AthenaQueryInput, readWithAthena } from "../../src/cli/athena_run.ts";
import { CannotRunError, CliError } from "../../src/errors.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import { createAthenaEmulator } from "../support/athena_emulator.ts";
import { startAwsEmulator } from "../support/aws_emulator.ts";
import { S3Emulator } from "../support/s3_emulator.ts";
import { duckDbUnavailable, openCloudTrailDatabase } from "../support/duckdb_cloudtrail.ts";
import { athenaTestRecordsWithManyUsers, TEST_ATHENA_SETTINGS, TEST_QUERY_INPUT } from "./test_records.ts";
import { assertSameSummary, typescriptSummary } from "./typescript_summary.ts";

const skipReason = await duckDbUnavailable();
const SKIPPED = skipReason === undefined ? "" : ` (skipped: ${skipReason})`;

const INPUT: AthenaQueryInput = {
  ...TEST_QUERY_INPUT,
  windowStartMs: Date.UTC(2026, 10, 19),
  windowEndMs: Date.UTC(2026, 10, 22),
};

const SETTINGS = TEST_ATHENA_SETTINGS;

/** An emulator with Athena over the records; with `resultFiles`, S3 holds each query's result file. */
async function withAthena(
  test: (context: {
    api: ReturnType<typeof createAthenaApi>;
    athena: ReturnType<typeof createAthenaEmulator>;
    records: Record<string, unknown>[];
  }) => Promise<void>,
  resultFiles = false,
): Promise<void> {
  const records = athenaTestRecordsWithManyUsers();
  // All in one day folder inside the window, as if delivered that day (records without a time too).
  const database = await openCloudTrailDatabase(records.map((record) => ({ record, timestamp: "2026/11/20" })), {
    database: "security",
    table: "cloudtrail",
    layout: "single-account",
  });
  const s3 = resultFiles ? new S3Emulator() : undefined;
  const athena = createAthenaEmulator((sql) => database.query(sql), [
    { database: "security", table: "cloudtrail", partitionKeys: ["timestamp"] },
  ], s3);
  const credentials = { accessKeyId: "AKIATESTATHENA000001", secretAccessKey: "test-secret" };
  const emulator = startAwsEmulator({
    regions: ["us-east-1"],
    events: {},
    acceptedAccessKeys: [credentials.accessKeyId],
    athena,
    ...(s3 === undefined ? {} : { s3 }),
  });
  // One attempt per call: our own loop retries throttling, which is what is under test.
  const api = createAthenaApi({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 }, true);
  try {
    await test({ api, athena, records });
  } finally {
    await athena.idle();
    await emulator.close();
    await database.close();
  }
}

const deps = (interrupt = new AbortController().signal) => ({
  clock: new FakeClock(),
  interrupt,
  stderr: { write: () => {}, isTerminal: false },
});

Deno.test({
  name: `athena flow: exact summary across 1000-row pages, settings as asked${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena, records }) => {
      const lines: string[] = [];
      const reading = await readWithAthena(api, SETTINGS, INPUT, deps(), (line) => lines.push(line));
      const summary = reading.rows.summary(INPUT.thresholds);
      const expected = typescriptSummary(records, INPUT);
      assertSameSummary({
        sections: summary.aggregator.sections(),
        principals: summary.principals.section(),
        findings: summary.findings.findings(),
        counts: summary.counts,
      }, expected);
      const query = athena.queries[0]!;
      equal(athena.queries.length, 1);
      deepStrictEqual(
        [query.workgroup, query.catalog, query.database, query.outputLocation, query.reuseMaxAgeMinutes],
        ["primary", "AwsDataCatalog", "security", undefined, 60],
      );
      ok(reading.rows.rows > 3000, `rows: ${reading.rows.rows}`);
      equal(reading.metadata.result_pages, Math.ceil((reading.rows.rows + 1) / 1000));
      equal(athena.resultPages, reading.metadata.result_pages);
      deepStrictEqual(reading.metadata.query_ids, [query.id]);
      deepStrictEqual(reading.metadata.pruned_on, ["timestamp"]);
      match(query.sql, /"timestamp" >= '2026\/11\/19'/);
      match(query.sql, /"timestamp" <= '2026\/11\/22'/);
    });
  },
});

Deno.test({
  name: `athena flow: OutputLocation and reuse are sent as given; throttled polls are retried${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena }) => {
      athena.faults.throttleStatusCalls = 3;
      const settings = { ...SETTINGS, outputLocation: "s3://results-bucket/athena/", reuseMinutes: 0 };
      const reading = await readWithAthena(api, settings, INPUT, deps(), () => {});
      equal(reading.metadata.throttled_calls, 3);
      equal(athena.queries[0]!.outputLocation, "s3://results-bucket/athena/");
      equal(athena.queries[0]!.reuseMaxAgeMinutes, undefined);
    });
  },
});

Deno.test({
  name: `athena flow: a failed query's reason reaches the caller on one line${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena }) => {
      athena.faults.failNextWith = "HIVE_BAD_DATA: Error parsing field value\n  at line 3";
      await rejects(readWithAthena(api, SETTINGS, INPUT, deps(), () => {}), (error: Error) => {
        ok(error instanceof CannotRunError);
        match(error.message, /^Athena query [0-9a-f-]+ failed: HIVE_BAD_DATA: Error parsing field value at line 3$/);
        return true;
      });
    });
  },
});

Deno.test({
  name: `athena flow: Ctrl-C stops the running query${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena }) => {
      athena.faults.holdRunning = true;
      const controller = new AbortController();
      const say = (line: string) => {
        if (line.includes("RUNNING")) controller.abort();
      };
      await rejects(readWithAthena(api, SETTINGS, INPUT, deps(controller.signal), say), (error: Error) => {
        ok(error instanceof CliError);
        equal(error.exitCode, 130);
        return true;
      });
      equal(athena.queries[0]!.stopped, true);
      equal(athena.queries[0]!.state, "CANCELLED");
    });
  },
});

Deno.test({
  name: `athena flow: --athena-max-scanned-gb stops a query past the limit${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena }) => {
      athena.faults.holdRunning = true;
      const settings = { ...SETTINGS, maxScannedBytes: 2_500_000 };
      await rejects(
        readWithAthena(api, settings, INPUT, deps(), () => {}),
        /more than the limit of 0\.00 GB \(--athena-max-scanned-gb, or the workgroup's own\)/,
      );
      equal(athena.queries[0]!.stopped, true);
    });
  },
});

Deno.test({
  name: `athena flow: a missing table is named with the call that failed${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api }) => {
      await rejects(
        readWithAthena(api, { ...SETTINGS, table: "nope" }, INPUT, deps(), () => {}),
        /^CannotRunError: Cannot read the table security\.nope in catalog AwsDataCatalog \(athena:GetTableMetadata\): MetadataException: Table security\.nope not found$/,
      );
    });
  },
});

Deno.test({
  name: `athena flow: the workgroup's own scan limit applies when it is the stricter${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena }) => {
      athena.faults.holdRunning = true;
      athena.faults.workgroupScanLimit = 1_500_000;
      const settings = { ...SETTINGS, maxScannedBytes: 10_000_000 };
      await rejects(readWithAthena(api, settings, INPUT, deps(), () => {}), /scanned 0\.00 GB, more than the limit/);
      equal(athena.queries[0]!.stopped, true);
    });
  },
});

Deno.test({
  name: `athena flow: a result of several pages is read from the result file on S3, exactly${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await withAthena(async ({ api, athena, records }) => {
      const reading = await readWithAthena(api, SETTINGS, INPUT, deps(), () => {});
      const summary = reading.rows.summary(INPUT.thresholds);
      assertSameSummary({
        sections: summary.aggregator.sections(),
        principals: summary.principals.section(),
        findings: summary.findings.findings(),
        counts: summary.counts,
      }, typescriptSummary(records, INPUT));
      equal(reading.metadata.result_read_from, "result file on S3");
      equal(reading.metadata.result_pages, 1);
      equal(athena.resultPages, 1);
    }, true);
  },
});
