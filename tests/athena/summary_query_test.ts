/**
 * The summary query, run for real by DuckDB over a view shaped like the Athena table, gives exactly
 * what the record-by-record TypeScript path gives: sections, principals, findings, counts.
 */
import { deepStrictEqual } from "node:assert/strict";
import { buildSummaryQuery, type SummaryQueryOptions } from "../../src/athena/summary_query.ts";
import { checkHeader, SummaryRows } from "../../src/athena/summary_rows.ts";
import { DEFAULT_THRESHOLDS, FindingsCollector } from "../../src/findings/findings.ts";
import { PrincipalActivity } from "../../src/findings/principals.ts";
import { eventTimeMsOf } from "../../src/summary/activity_record.ts";
import { EventSummarizer } from "../../src/summary/summarizer.ts";
import { duckDbUnavailable, openCloudTrailDatabase, type PlacedRecord } from "../support/duckdb_cloudtrail.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusRecords } from "../support/real_corpus.ts";
import { athenaTestRecords } from "./test_records.ts";

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

/** The TypeScript path over the same records, with the trail-file source's filters. */
function typescriptSummary(records: readonly Record<string, unknown>[], options: SummaryQueryOptions) {
  const principals = new PrincipalActivity();
  const findings = new FindingsCollector(options.thresholds);
  const summarizer = new EventSummarizer(options.activityType, [principals, findings]);
  for (const record of records) {
    const category = typeof record.eventCategory === "string" ? record.eventCategory : "Management";
    if (category !== "Management" && !options.includeDataEvents) continue;
    const region = typeof record.awsRegion === "string" ? record.awsRegion : "Unknown";
    const account = typeof record.recipientAccountId === "string" ? record.recipientAccountId : "Unknown";
    if (options.regions !== undefined && !options.regions.includes(region)) continue;
    if (options.accounts !== undefined && !options.accounts.includes(account)) continue;
    const timeMs = eventTimeMsOf(record.eventTime);
    if (timeMs !== undefined && (timeMs < options.windowStartMs || timeMs > options.windowEndMs)) continue;
    summarizer.add({ region, cloudTrailEvent: JSON.stringify(record) });
  }
  const counts = summarizer.counts;
  return {
    sections: summarizer.aggregator.sections(),
    principals: principals.section(),
    findings: findings.findings(),
    counts: {
      records_read: counts.records_read,
      records_counted: counts.records_counted,
      records_with_unrecognized_identity: counts.records_with_unrecognized_identity,
    },
  };
}

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

function assertSameSummary(actual: unknown, expected: unknown): void {
  // Key order differs (the JSON writer sorts); compare as sorted JSON.
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value !== null && typeof value === "object"
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, sorted(v)]))
      : value;
  deepStrictEqual(sorted(actual), sorted(expected));
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
