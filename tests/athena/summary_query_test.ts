/**
 * The summary query, run for real by DuckDB over a view shaped like the Athena table, gives exactly
 * what the record-by-record TypeScript path gives: sections, principals, findings, counts.
 */
import { deepStrictEqual } from "node:assert/strict";
import { buildSummaryQuery, partitionPlan, type SummaryQueryOptions } from "../../src/athena/summary_query.ts";
import { checkHeader, SummaryRows } from "../../src/athena/summary_rows.ts";
import { DEFAULT_THRESHOLDS } from "../../src/findings/findings.ts";
import { duckDbUnavailable, openCloudTrailDatabase, type PlacedRecord } from "../support/duckdb_cloudtrail.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";
import { athenaTestRecords } from "./test_records.ts";
import { assertSameSummary, typescriptSummary } from "./typescript_summary.ts";

const skipReason = await duckDbUnavailable();
/** Appended to test names: why DuckDB tests are skipped here (one line). */
const SKIPPED = skipReason === undefined ? "" : ` (skipped: ${skipReason})`;

const BASE_OPTIONS: SummaryQueryOptions = {
  database: "security",
  table: "cloudtrail",
  partitionKeys: ["timestamp"],
  windowStartMs: Date.UTC(2000, 0, 1),
  windowEndMs: Date.UTC(2030, 0, 1),
  lateSlackMinutes: 60,
  regions: undefined,
  accounts: undefined,
  activityType: "ALL",
  includeDataEvents: true,
  thresholds: DEFAULT_THRESHOLDS,
};

async function sqlSummary(
  placed: readonly PlacedRecord[],
  options: SummaryQueryOptions,
  layout: "single-account" | "organization" = "single-account",
) {
  const database = await openCloudTrailDatabase(placed, { database: options.database, table: options.table, layout });
  try {
    const result = await database.query(buildSummaryQuery(options));
    checkHeader(result.columns);
    const rows = new SummaryRows();
    for (const row of result.rows) rows.add(row);
    const summary = rows.summary(options.thresholds);
    return {
      sections: summary.aggregator.sections(),
      principals: summary.principals.section(),
      findings: summary.findings.findings(),
      counts: summary.counts,
    };
  } finally {
    await database.close();
  }
}

Deno.test({
  name: `athena query: test records give the TypeScript summary exactly${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    const records = athenaTestRecords();
    for (const activityType of ["ALL", "SUCCESSFUL", "FAILED"] as const) {
      const options = {
        ...BASE_OPTIONS,
        activityType,
        thresholds: { ...DEFAULT_THRESHOLDS, callsPerMinute: 2, deniedPerTenMinutes: 2, sourceIps: 1, userAgents: 1 },
      };
      assertSameSummary(
        await sqlSummary(records.map((record) => ({ record })), options),
        typescriptSummary(records, options),
      );
    }
  },
});

Deno.test({
  name: `athena query: the real corpus gives the TypeScript summary exactly${SKIPPED}${
    corpusAvailable() ? "" : ` ${CORPUS_MISSING}`
  }`,
  ignore: skipReason !== undefined || !corpusAvailable(),
  async fn() {
    const records = (await Promise.all(CORPUS_FILES.map(corpusRecords))).flat();
    for (const includeDataEvents of [true, false]) {
      const options = { ...BASE_OPTIONS, includeDataEvents };
      assertSameSummary(
        await sqlSummary(records.map((record) => ({ record })), options),
        typescriptSummary(records, options),
      );
    }
  },
});

Deno.test({
  name: `athena query: organization table prunes on account, region and day, and filters the record fields${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    const records = athenaTestRecords();
    const options: SummaryQueryOptions = {
      ...BASE_OPTIONS,
      partitionKeys: ["account", "region", "timestamp"],
      windowStartMs: Date.UTC(2026, 10, 20, 10, 5),
      windowEndMs: Date.UTC(2026, 10, 20, 10, 45),
      regions: ["us-east-1", "eu-west-1"],
      accounts: ["111122223333"],
      includeDataEvents: false,
    };
    // Every record in a folder of the window's day (as delivered then); copies in folders the predicates must skip.
    const placed: PlacedRecord[] = records.flatMap((record) => [
      { record, timestamp: "2026/11/20" },
      { record, timestamp: "2026/11/19" },
      { record, account: "999999999999" },
      { record, region: "ap-south-1" },
    ]);
    assertSameSummary(await sqlSummary(placed, options, "organization"), typescriptSummary(records, options));
  },
});

Deno.test("athena query: partition literals cover the window's days plus the late slack", () => {
  const options: SummaryQueryOptions = {
    ...BASE_OPTIONS,
    windowStartMs: Date.UTC(2026, 10, 30, 23, 0),
    windowEndMs: Date.UTC(2026, 11, 1, 23, 30),
    lateSlackMinutes: 60,
    regions: ["eu-west-1"],
    accounts: ["111122223333"],
  };
  deepStrictEqual(partitionPlan({ ...options, partitionKeys: ["timestamp"] }), {
    partitionPredicates: [`"timestamp" >= '2026/11/30'`, `"timestamp" <= '2026/12/02'`],
    columnPredicates: ["awsregion IN ('eu-west-1')", "recipientaccountid IN ('111122223333')"],
    prunedOn: ["timestamp"],
  });
  deepStrictEqual(partitionPlan({ ...options, partitionKeys: ["Account", "region", "timestamp"] }).prunedOn, [
    "timestamp",
    "region",
    "account",
  ]);
  deepStrictEqual(partitionPlan({ ...options, partitionKeys: [], regions: undefined, accounts: undefined }), {
    partitionPredicates: [],
    columnPredicates: [],
    prunedOn: [],
  });
});

Deno.test({
  name: `athena query: hostile records differ exactly as doc/athena.md says${SKIPPED}`,
  ignore: skipReason !== undefined,
  async fn() {
    const base = {
      eventTime: "2026-11-20T10:00:00Z",
      eventName: "ListUsers",
      eventSource: "iam.amazonaws.com",
      awsRegion: "us-east-1",
      userIdentity: { type: "IAMUser", accountId: "111122223333", userName: "alice" },
    };
    const records = [
      // A number in a string field: its JSON text in SQL, `Unknown` in TypeScript.
      { ...base, eventSource: 5 },
      // "type": null: the no-type rule in SQL (invokedBy), the fallback in TypeScript (the account).
      { ...base, userIdentity: { type: null, accountId: "111122223333", invokedBy: "odd.amazonaws.com" } },
      // errorCode nested deeper in responseElements: an error in SQL only.
      { ...base, eventName: "Nested", responseElements: { result: { errorCode: "Deep" } } },
      // A time with an offset: no time in SQL, 08:00Z in TypeScript.
      {
        ...base,
        eventName: "Offset",
        userIdentity: { type: "Root", accountId: "444455556666" },
        eventTime: "2026-11-20T10:00:00+02:00",
      },
    ];
    const sql = await sqlSummary(records.map((record) => ({ record })), BASE_OPTIONS);
    const typescript = typescriptSummary(records, BASE_OPTIONS);
    const alice = "111122223333:user/alice";
    deepStrictEqual(sql.sections.api_calls_by_principal[alice]!["5:ListUsers"], 1);
    deepStrictEqual(typescript.sections.api_calls_by_principal[alice]!["Unknown:ListUsers"], 1);
    deepStrictEqual(Object.keys(sql.sections.api_calls_by_principal).includes("odd.amazonaws.com"), true);
    deepStrictEqual(Object.keys(typescript.sections.api_calls_by_principal).includes("111122223333"), true);
    deepStrictEqual(sql.sections.error_codes_by_principal[alice], { "iam.amazonaws.com:Deep": 1 });
    deepStrictEqual(typescript.sections.error_codes_by_principal[alice], undefined);
    deepStrictEqual(sql.principals["444455556666:root"]!.first_seen, null);
    deepStrictEqual(typescript.principals["444455556666:root"]!.first_seen, "2026-11-20T08:00:00Z");
  },
});
