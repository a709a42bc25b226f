/** The record-by-record TypeScript path over records, as the Athena tests compare against it. */
import { deepStrictEqual } from "node:assert/strict";
import type { SummaryQueryOptions } from "../../src/athena/summary_query.ts";
import { FindingsCollector } from "../../src/findings/findings.ts";
import { PrincipalActivity } from "../../src/findings/principals.ts";
import { eventTimeMsOf } from "../../src/summary/activity_record.ts";
import { EventSummarizer } from "../../src/summary/summarizer.ts";

export /** The TypeScript path over the same records, with the trail-file source's filters. */
function typescriptSummary(
  records: readonly Record<string, unknown>[],
  options: Omit<SummaryQueryOptions, "database" | "table" | "partitionKeys">,
) {
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

/** Equal as parsed JSON: deepStrictEqual compares object keys unordered (the JSON writer sorts them anyway). */
export function assertSameSummary(actual: unknown, expected: unknown): void {
  deepStrictEqual(actual, expected);
}
