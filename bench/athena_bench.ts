/**
 * `deno task bench athena`: our side of an Athena run — building the query, reading the result
 * through the real SDK clients from the emulator (GetQueryResults pages, then the result file on S3),
 * and turning the rows into the summary — over a table of 1,000,000 generated records in DuckDB. The engine's own time is measured apart and
 * left out; polling waits are simulated (no real sleeps).
 */
import { createAthenaApi } from "../src/aws/athena_api.ts";
import { readWithAthena } from "../src/cli/athena_run.ts";
import { buildSummaryQuery } from "../src/athena/summary_query.ts";
import { DEFAULT_THRESHOLDS } from "../src/findings/findings.ts";
import { stringifySorted } from "../src/report/json.ts";
import { FakeClock } from "../tests/fakes/fake_clock.ts";
import { TEST_ATHENA_SETTINGS } from "../tests/athena/test_records.ts";
import { createAthenaEmulator } from "../tests/support/athena_emulator.ts";
import { startAwsEmulator } from "../tests/support/aws_emulator.ts";
import {
  type CloudTrailDatabase,
  duckDbColumnType,
  duckDbUnavailable,
  openDatabase,
} from "../tests/support/duckdb_cloudtrail.ts";
import { S3Emulator } from "../tests/support/s3_emulator.ts";

const RECORDS = 1_000_000;
const PRINCIPALS = 10_000;

/**
 * The table as SQL: each of 10,000 users makes 100 calls over 5 API calls, 2 source IPs, 1 user
 * agent, in 4 regions, over one day; one call in 20 fails.
 */
function generatedTable(): string {
  const identity =
    `CAST({'type': 'IAMUser', 'accountId': '111122223333', 'userName': 'user-' || (i % ${PRINCIPALS}), ` +
    `'arn': 'arn:aws:iam::111122223333:user/user-' || (i % ${PRINCIPALS})} AS ${duckDbColumnType("userIdentity")})`;
  return `CREATE TABLE security.cloudtrail AS SELECT
    ${identity} AS useridentity,
    strftime(TIMESTAMP '2026-11-20 00:00:00' + to_seconds(i % 86400), '%Y-%m-%dT%H:%M:%SZ') AS eventtime,
    'ec2.amazonaws.com' AS eventsource,
    'Describe' || ((i // ${PRINCIPALS}) % 5) AS eventname,
    ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-south-1'][1 + i % 4] AS awsregion,
    '10.0.' || ((i // ${PRINCIPALS}) % 2) || '.' || (i % 250) AS sourceipaddress,
    'aws-cli/2.15' AS useragent,
    CASE WHEN i % 20 = 0 THEN 'Client.UnauthorizedOperation' END AS errorcode,
    CAST(NULL AS VARCHAR) AS errormessage,
    CAST(NULL AS VARCHAR) AS responseelements,
    CAST(NULL AS VARCHAR) AS additionaleventdata,
    'AwsApiCall' AS eventtype,
    '111122223333' AS recipientaccountid,
    'Management' AS eventcategory,
    '2026/11/20' AS "timestamp"
  FROM range(${RECORDS}) AS numbers(i)`;
}

/** Prints rows, pages and the wall time of our side. */
export async function athenaBench(print: (line: string) => void): Promise<void> {
  const unavailable = await duckDbUnavailable();
  if (unavailable !== undefined) {
    print(`athena: skipped (${unavailable})`);
    return;
  }
  const loadStart = performance.now();
  const database = await openDatabase(["CREATE SCHEMA security", generatedTable()]);
  const loadMs = performance.now() - loadStart;
  try {
    for (const resultFiles of [false, true]) await readOnce(database, resultFiles, print);
  } finally {
    await database.close();
  }
  print(`athena: table of ${RECORDS.toLocaleString("en")} records made in ${(loadMs / 1000).toFixed(1)} s`);
}

/** One run: rows through GetQueryResults pages, or (`resultFiles`) from the result file on S3. */
async function readOnce(
  database: CloudTrailDatabase,
  resultFiles: boolean,
  print: (line: string) => void,
): Promise<void> {
  let engineMs = 0;
  const s3 = resultFiles ? new S3Emulator() : undefined;
  const athena = createAthenaEmulator(
    async (sql) => {
      const start = performance.now();
      try {
        return await database.query(sql);
      } finally {
        engineMs += performance.now() - start;
      }
    },
    [{ database: "security", table: "cloudtrail", partitionKeys: ["timestamp"] }],
    s3,
  );
  // The emulator answers in this process: its time (the engine, the JSON of each page) is AWS's side, measured apart.
  let emulatorMs = 0;
  const timedAthena = {
    ...athena,
    async handle(request: Request) {
      const start = performance.now();
      const response = await athena.handle(request);
      const body = await response.arrayBuffer();
      emulatorMs += performance.now() - start;
      return new Response(body, { status: response.status, headers: response.headers });
    },
  };
  const credentials = { accessKeyId: "AKIABENCHATHENA00001", secretAccessKey: "bench-secret" };
  const emulator = startAwsEmulator({
    regions: ["us-east-1"],
    events: {},
    acceptedAccessKeys: [credentials.accessKeyId],
    athena: timedAthena,
    ...(s3 === undefined ? {} : { s3 }),
  });
  try {
    const api = createAthenaApi({ endpoint: emulator.url, region: "us-east-1", credentials, maxAttempts: 1 }, true);
    const input = {
      windowStartMs: Date.UTC(2026, 10, 20),
      windowEndMs: Date.UTC(2026, 10, 21) - 1,
      lateSlackMinutes: 60,
      regions: undefined,
      accounts: undefined,
      activityType: "ALL" as const,
      includeDataEvents: false,
      thresholds: DEFAULT_THRESHOLDS,
    };
    const buildStart = performance.now();
    buildSummaryQuery({ ...input, database: "security", table: "cloudtrail", partitionKeys: ["timestamp"] });
    const buildMs = performance.now() - buildStart;
    const deps = {
      clock: new FakeClock(),
      interrupt: new AbortController().signal,
      stderr: { write() {}, isTerminal: false },
    };
    const readStart = performance.now();
    const reading = await readWithAthena(api, TEST_ATHENA_SETTINGS, input, deps, () => {});
    const readMs = performance.now() - readStart;
    const summaryStart = performance.now();
    const summary = reading.rows.summary(input.thresholds);
    const text = stringifySorted({
      ...summary.aggregator.sections(),
      principals: summary.principals.section(),
      findings: summary.findings.findings(),
    });
    const summaryMs = performance.now() - summaryStart;
    const readingMs = readMs - emulatorMs;
    const oursMs = buildMs + readingMs + summaryMs;
    print(
      `athena (${reading.metadata.result_read_from}): ${reading.rows.rows.toLocaleString("en")} result rows, ` +
        `${reading.metadata.result_pages} GetQueryResults calls; our side ${(oursMs / 1000).toFixed(2)} s = ` +
        `query building ${buildMs.toFixed(1)} ms + reading ${(readingMs / 1000).toFixed(2)} s + summary ` +
        `${(summaryMs / 1000).toFixed(2)} s (${(text.length / 1048576).toFixed(1)} MiB of sorted JSON); ` +
        `left out: engine (DuckDB) ${(engineMs / 1000).toFixed(2)} s, emulator ${
          ((emulatorMs - engineMs) / 1000).toFixed(2)
        } s`,
    );
  } finally {
    await athena.idle();
    await emulator.close();
  }
}
