/**
 * `summarize --athena-table` end to end: the real CLI (the summarize task's permissions) talks to the
 * emulator's Athena, which runs the received query text in DuckDB over the records. The summary
 * equals the TypeScript path's over the same records; failures, Ctrl-C and throttling as a user meets them.
 */
import * as assert from "node:assert/strict";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { createAthenaEmulator } from "../support/athena_emulator.ts";
import { duckDbUnavailable, openCloudTrailDatabase } from "../support/duckdb_cloudtrail.ts";
import { athenaTestRecordsWithManyUsers, TEST_QUERY_INPUT } from "../athena/test_records.ts";
import { assertSameSummary, typescriptSummary } from "../athena/typescript_summary.ts";
import { scenario } from "./scenario.ts";

const skipReason = await duckDbUnavailable();
const SKIPPED = skipReason === undefined ? "" : ` (skipped: ${skipReason})`;

const WINDOW = ["--start-time", "2026-11-20T00:00:00Z", "--end-time", "2026-11-20T23:59:59Z"];
const ARGS = ["--athena-table", "security.cloudtrail", ...WINDOW, "--athena-max-scanned-gb", "1"];

async function athenaWorld() {
  const all = athenaTestRecordsWithManyUsers();
  // One day folder inside the window, as if delivered that day.
  const database = await openCloudTrailDatabase(all.map((record) => ({ record, timestamp: "2026/11/20" })), {
    database: "security",
    table: "cloudtrail",
    layout: "single-account",
  });
  // DDL is Hive's, which DuckDB does not speak: the emulated catalog accepts it as Athena would.
  const engine = (sql: string) =>
    sql.startsWith("CREATE EXTERNAL TABLE") ? Promise.resolve({ columns: [], rows: [] }) : database.query(sql);
  const athena = createAthenaEmulator(engine, [
    { database: "security", table: "cloudtrail", partitionKeys: ["timestamp"] },
  ]);
  // Real polling waits 0.5 s, then 1 s: answer RUNNING once, then the end.
  athena.faults.queuedPolls = 0;
  const world = await scenario({ regions: ["us-east-1"], events: {}, athena });
  return {
    world,
    athena,
    records: all,
    async [Symbol.asyncDispose]() {
      await athena.idle();
      await world[Symbol.asyncDispose]();
      await database.close();
    },
  };
}

Deno.test({
  name: `athena e2e: the summary equals the record-by-record one, across 1000-row pages${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await using context = await athenaWorld();
    const { world, athena } = context;
    const result = await world.run(ARGS);
    assert.equal(result.code, 0, result.stderr);
    const summary = await world.summary();
    const expected = typescriptSummary(context.records, TEST_QUERY_INPUT);
    // Through JSON both ways: the file holds what JSON can say.
    assertSameSummary(
      {
        sections: Object.fromEntries(SECTION_NAMES.map((name) => [name, summary[name]])),
        principals: summary.principals,
        findings: summary.findings,
      },
      JSON.parse(JSON.stringify({
        sections: expected.sections,
        principals: expected.principals,
        findings: expected.findings,
      })),
    );
    const metadata = summary._metadata;
    const athenaMetadata = metadata.athena as Record<string, unknown>;
    assert.deepEqual(athenaMetadata.query_ids, [athena.queries[0]!.id]);
    assert.ok((athenaMetadata.result_pages as number) >= 2, `pages: ${athenaMetadata.result_pages}`);
    assert.equal(athenaMetadata.result_pages, Math.ceil(((athenaMetadata.result_rows as number) + 1) / 1000));
    assert.equal(athenaMetadata.result_read_from, "GetQueryResults pages");
    assert.equal(athenaMetadata.result_pages, athena.resultPages);
    assert.equal(metadata.records_counted, expected.counts.records_counted);
    assert.deepEqual(metadata.source, { type: "athena", location: "AwsDataCatalog.security.cloudtrail" });
    assert.equal(athena.queries[0]!.outputLocation, undefined);
    assert.match(result.stderr, /Athena query [0-9a-f-]+: 0\.00 GB scanned, about \$0\.0000/);
  },
});

Deno.test({
  name: `athena e2e: a failed query's reason reaches the user on one line, exit 1, nothing written${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await using context = await athenaWorld();
    const { world, athena } = context;
    athena.faults.failNextWith = "HIVE_BAD_DATA: Error parsing field value '{' for field 3\nin file s3://x/y.json.gz";
    const result = await world.run(ARGS);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: Athena query [0-9a-f-]+ failed: HIVE_BAD_DATA: Error parsing field value '\{' for field 3 in file s3:\/\/x\/y\.json\.gz$/m,
    );
    await assert.rejects(world.summary());
  },
});

Deno.test({
  name: `athena e2e: Ctrl-C stops the running query and exits 130${SKIPPED}`,
  ignore: skipReason !== undefined || Deno.build.os === "windows",
  async fn() {
    await using context = await athenaWorld();
    const { world, athena } = context;
    athena.faults.holdRunning = true;
    const child = world.spawn(ARGS);
    // Wait until the query is running, then press Ctrl-C.
    while (!athena.queries.some((query) => query.state === "RUNNING")) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGINT");
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 130, stderr);
    assert.match(stderr, /Interrupted: Athena query [0-9a-f-]+ was stopped/);
    assert.equal(athena.queries[0]!.stopped, true);
    assert.equal(athena.queries[0]!.state, "CANCELLED");
  },
});

Deno.test({
  name: `athena e2e: throttled GetQueryExecution calls are retried; OutputLocation sent when given${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await using context = await athenaWorld();
    const { world, athena } = context;
    athena.faults.throttleStatusCalls = 2;
    const result = await world.run([...ARGS, "--athena-output", "s3://athena-results/summaries/", "-q"]);
    assert.equal(result.code, 0, result.stderr);
    const summary = await world.summary();
    assert.equal((summary._metadata.athena as Record<string, unknown>).throttled_calls, 2);
    assert.equal(athena.queries[0]!.outputLocation, "s3://athena-results/summaries/");
  },
});

Deno.test({
  name: `athena e2e: athena-table prints the DDL, and with --create runs it in Athena${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    await using context = await athenaWorld();
    const { world, athena } = context;
    const args = [
      "athena-table",
      "--trail-bucket",
      "s3://trail-bucket",
      "--athena-table",
      "security.cloudtrail_org",
      "--organization-id",
      "o-a1b2c3d4e5",
      "--accounts",
      "111122223333,444455556666",
      "--regions",
      "us-east-1,eu-west-1",
    ];
    const printed = await world.run(args);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /^CREATE EXTERNAL TABLE `security`\.`cloudtrail_org` \(/);
    assert.match(
      printed.stdout,
      /'storage\.location\.template'='s3:\/\/trail-bucket\/AWSLogs\/o-a1b2c3d4e5\/\$\{account\}/,
    );
    assert.equal(athena.queries.length, 0);
    const created = await world.run([...args, "--create"]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(athena.queries.length, 1);
    assert.equal(athena.queries[0]!.sql, printed.stdout.trimEnd().replace(/;$/, ""));
    assert.deepEqual([athena.queries[0]!.database, athena.queries[0]!.reuseMaxAgeMinutes], ["security", undefined]);
    assert.match(created.stderr, /^Created table security\.cloudtrail_org \(Athena query [0-9a-f-]+\)$/m);
  },
});
