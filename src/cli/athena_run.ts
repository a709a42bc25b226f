/**
 * The Athena source of `summarize`: reads the table's partition keys, runs the one summary query,
 * turns its rows into the same collectors' state the other sources fill, and says what it cost.
 * Everything after (summary file, report, charts, findings, exit codes) is unchanged.
 */
import type { AthenaApi, QueryStatus } from "../aws/athena_api.ts";
import { awsErrorCode } from "../aws/error_kind.ts";
import { PRICE_PER_TERABYTE_USD, queryCostUsd } from "../athena/cost.ts";
import { AthenaQueryError, formatGigabytes, oneLine, runQuery } from "../athena/query_run.ts";
import { buildSummaryQuery, partitionPlan, type SummaryQueryOptions } from "../athena/summary_query.ts";
import { checkHeader, SummaryRows } from "../athena/summary_rows.ts";
import { CannotRunError, CliError, EXIT_CODES } from "../errors.ts";
import type { AthenaSettings } from "./athena_flags.ts";
import type { RunDependencies } from "./context.ts";

/** What the Athena query counts. */
export type AthenaQueryInput = Omit<SummaryQueryOptions, "database" | "table" | "partitionKeys">;

/** The query's rows, and what `_metadata.athena` says about the run. */
export interface AthenaReading {
  rows: SummaryRows;
  metadata: Record<string, unknown>;
}

/**
 * Runs the summary query.
 * @throws {CannotRunError} when the table cannot be read or the query fails (Athena's reason, one line)
 * @throws {CliError} exit 130 when Ctrl-C stopped the query
 */
export async function readWithAthena(
  api: AthenaApi,
  settings: AthenaSettings,
  input: AthenaQueryInput,
  deps: Pick<RunDependencies, "clock" | "interrupt" | "stderr">,
  say: (line: string) => void,
): Promise<AthenaReading> {
  const table = `${settings.database}.${settings.table}`;
  let partitionKeys: string[];
  try {
    partitionKeys = await api.partitionKeys(settings.catalog, settings.database, settings.table, deps.interrupt);
  } catch (error) {
    if (deps.interrupt.aborted) throw interrupted("Interrupted before the Athena query started; nothing was written");
    const message = error instanceof Error ? oneLine(error.message) : String(error);
    throw new CannotRunError(
      `Cannot read the table ${table} in catalog ${settings.catalog} (athena:GetTableMetadata): ` +
        `${awsErrorCode(error)}: ${message}`,
      { cause: error },
    );
  }
  const workgroupLimit = await workgroupScanLimit(api, settings.workgroup, deps.interrupt);
  // The stricter of ours and the workgroup's: Athena enforces its own too, but ours stops the query with a clear line.
  const maxScannedBytes = [settings.maxScannedBytes, typeof workgroupLimit === "number" ? workgroupLimit : undefined]
    .filter((limit): limit is number => limit !== undefined)
    .reduce<number | undefined>((lowest, limit) => (lowest === undefined ? limit : Math.min(lowest, limit)), undefined);
  const queryOptions: SummaryQueryOptions = {
    ...input,
    database: settings.database,
    table: settings.table,
    partitionKeys,
  };
  const plan = partitionPlan(queryOptions);
  const sql = buildSummaryQuery(queryOptions);
  say(
    `Running one Athena query over ${table} (workgroup ${settings.workgroup}), ` +
      `${new Date(input.windowStartMs).toISOString()} to ${new Date(input.windowEndMs).toISOString()}, ` +
      `partitions pruned on: ${
        plan.prunedOn.length === 0 ? "none (the whole table is scanned)" : plan.prunedOn.join(", ")
      }`,
  );
  const rows = new SummaryRows();
  let lastReport = "";
  const onStatus = (status: QueryStatus) => {
    const line = `Athena query ${status.state}, ${formatGigabytes(status.dataScannedBytes)} scanned`;
    if (line !== lastReport) say(line);
    lastReport = line;
  };
  try {
    const outcome = await runQuery(api, deps.clock, {
      sql,
      catalog: settings.catalog,
      database: settings.database,
      workgroup: settings.workgroup,
      outputLocation: settings.outputLocation,
      reuseMinutes: settings.reuseMinutes,
    }, {
      maxScannedBytes,
      signal: deps.interrupt,
      onHeader: checkHeader,
      onRow: (row) => rows.add(row),
      onStatus,
    });
    const { status } = outcome;
    const costUsd = queryCostUsd(status.dataScannedBytes);
    say(
      `Athena query ${outcome.queryId}: ${formatGigabytes(status.dataScannedBytes)} scanned, about $${
        costUsd.toFixed(4)
      }; ${outcome.rows} result rows ${
        outcome.resultFrom === "file" ? "from the result file" : `in ${outcome.pages} pages`
      }`,
    );
    return {
      rows,
      metadata: {
        table,
        catalog: settings.catalog,
        workgroup: settings.workgroup,
        partition_keys: partitionKeys,
        pruned_on: plan.prunedOn,
        query_ids: [outcome.queryId],
        bytes_scanned: status.dataScannedBytes,
        engine_execution_milliseconds: status.engineExecutionMilliseconds ?? null,
        total_execution_milliseconds: status.totalExecutionMilliseconds ?? null,
        cost_usd: costUsd,
        price_per_terabyte_usd: PRICE_PER_TERABYTE_USD,
        reused_previous_result: status.reusedPreviousResult,
        result_rows: outcome.rows,
        result_pages: outcome.pages,
        result_read_from: outcome.resultFrom === "file" ? "result file on S3" : "GetQueryResults pages",
        throttled_calls: outcome.throttled,
        max_scanned_bytes: maxScannedBytes ?? null,
        workgroup_scan_limit_bytes: workgroupLimit ?? null,
      },
    };
  } catch (error) {
    if (!(error instanceof AthenaQueryError)) throw error;
    if (error.kind === "interrupted") throw interrupted(`${error.message}; nothing was written`);
    throw new CannotRunError(error.message, { cause: error });
  }
}

/**
 * The workgroup's own scan limit; a note instead when it cannot be read (athena:GetWorkGroup is optional:
 * Athena enforces the workgroup's limit whether or not we know it).
 */
async function workgroupScanLimit(
  api: AthenaApi,
  workgroup: string,
  signal: AbortSignal,
): Promise<number | string | undefined> {
  try {
    return await api.workgroupScanLimit(workgroup, signal);
  } catch (error) {
    if (signal.aborted) throw interrupted("Interrupted before the Athena query started; nothing was written");
    return `not known (athena:GetWorkGroup: ${awsErrorCode(error)})`;
  }
}

function interrupted(message: string): CliError {
  return new CliError(message, EXIT_CODES.interrupted);
}
