/**
 * One Athena query from start to last row: StartQueryExecution, GetQueryExecution polled with
 * backoff (0.5 s doubling to 5 s), GetQueryResults paged 1000 rows at a time, or for a result of
 * more than one page the result file read from S3 when the caller may read it. Throttled calls are
 * retried after the next backoff step; Ctrl-C and the scan limit stop the query
 * (StopQueryExecution), so nothing keeps scanning after we exit.
 */
import type { AthenaApi, QueryStatus, StartQueryRequest } from "../aws/athena_api.ts";
import { awsErrorCode, classifyAwsError } from "../aws/error_kind.ts";
import type { Clock } from "../clock.ts";
import { parseResultCsv } from "./result_csv.ts";

/** GetQueryResults' largest page. */
export const RESULT_PAGE_ROWS = 1000;
const FIRST_POLL_MILLISECONDS = 500;
const LONGEST_POLL_MILLISECONDS = 5000;
/** Throttled calls in a row before giving up. */
const MAX_THROTTLED_IN_A_ROW = 10;

/** Why a query gave no result. */
export type QueryFailureKind = "failed" | "cancelled" | "scan-limit" | "interrupted" | "api";

/** A query that gave no result; `message` is one line. */
export class AthenaQueryError extends Error {
  constructor(
    readonly kind: QueryFailureKind,
    readonly queryId: string | undefined,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "AthenaQueryError";
  }
}

/** How a query runs. */
export interface QueryRunOptions {
  /** Stop the query and fail once it has scanned more than this; undefined: no limit of ours. */
  maxScannedBytes: number | undefined;
  signal: AbortSignal;
  /** Each row after the header, in order. */
  onRow(row: (string | undefined)[]): void;
  /** The header row, before any other row. */
  onHeader(header: (string | undefined)[]): void;
  /** Each status polled (progress). */
  onStatus?(status: QueryStatus): void;
}

/** What a finished query did. */
export interface QueryOutcome {
  queryId: string;
  status: QueryStatus;
  pages: number;
  rows: number;
  /** Calls answered with throttling and retried. */
  throttled: number;
  /** Where the rows came from: GetQueryResults pages, or the result file on S3. */
  resultFrom: "pages" | "file";
}

/** Text on one line: Athena's reasons can hold newlines (a SQL excerpt, a stack). */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/** Poll delays: 0.5 s, 1 s, 2 s, 4 s, then 5 s. */
export function pollDelay(attempt: number): number {
  return Math.min(LONGEST_POLL_MILLISECONDS, FIRST_POLL_MILLISECONDS * 2 ** attempt);
}

/**
 * Runs a query and streams its rows.
 * @throws {AthenaQueryError} when the query fails, is cancelled, passes the scan limit, or Ctrl-C stops it
 */
export async function runQuery(
  api: AthenaApi,
  clock: Clock,
  request: StartQueryRequest,
  options: QueryRunOptions,
): Promise<QueryOutcome> {
  let throttled = 0;
  /** Calls `call`, retrying throttling after the backoff; other errors become {@link AthenaQueryError}. */
  const withRetries = async <T>(what: string, queryId: string | undefined, call: () => Promise<T>): Promise<T> => {
    for (let attempt = 0;; attempt++) {
      try {
        return await call();
      } catch (error) {
        if (options.signal.aborted) throw error;
        if (classifyAwsError(error) !== "throttling" || attempt + 1 >= MAX_THROTTLED_IN_A_ROW) {
          const message = error instanceof Error ? oneLine(error.message) : String(error);
          throw new AthenaQueryError("api", queryId, `Athena ${what} failed: ${awsErrorCode(error)}: ${message}`, {
            cause: error,
          });
        }
        throttled += 1;
        await clock.sleep(pollDelay(attempt), options.signal);
      }
    }
  };

  const queryId = await interruptible(
    options.signal,
    undefined,
    () => withRetries("StartQueryExecution", undefined, () => api.startQuery(request, options.signal)),
  );
  const stopAndThrow = async (kind: QueryFailureKind, message: string): Promise<never> => {
    await api.stopQuery(queryId).catch((error) => {
      message += `; StopQueryExecution failed too (${awsErrorCode(error)}): stop query ${queryId} in the console`;
    });
    throw new AthenaQueryError(kind, queryId, message);
  };

  let status: QueryStatus;
  try {
    for (let attempt = 0;; attempt++) {
      await clock.sleep(pollDelay(attempt), options.signal);
      status = await withRetries("GetQueryExecution", queryId, () => api.queryStatus(queryId, options.signal));
      options.onStatus?.(status);
      checkScanLimit(status, options.maxScannedBytes, queryId);
      if (status.state === "SUCCEEDED") break;
      if (status.state === "FAILED" || status.state === "CANCELLED") {
        const reason = oneLine(status.stateChangeReason ?? "no reason given");
        throw new AthenaQueryError(
          status.state === "FAILED" ? "failed" : "cancelled",
          queryId,
          `Athena query ${queryId} ${status.state === "FAILED" ? "failed" : "was cancelled"}: ${reason}`,
        );
      }
    }
  } catch (error) {
    if (options.signal.aborted) {
      return await stopAndThrow("interrupted", `Interrupted: Athena query ${queryId} was stopped`);
    }
    if (error instanceof AthenaQueryError && error.kind === "scan-limit") {
      return await stopAndThrow("scan-limit", error.message);
    }
    throw error;
  }

  let pages = 0;
  let rows = 0;
  const page = () =>
    interruptible(
      options.signal,
      queryId,
      () =>
        withRetries(
          "GetQueryResults",
          queryId,
          () => api.queryResults(queryId, nextToken, RESULT_PAGE_ROWS, options.signal),
        ),
    );
  let nextToken: string | undefined;
  const first = await page();
  pages += 1;
  nextToken = first.nextToken;
  // More than one page: the result file is one S3 read instead of a GetQueryResults call per 1000 rows.
  const file = nextToken === undefined
    ? undefined
    : await interruptible(options.signal, queryId, () => resultFileRows(api, status, options.signal));
  if (file !== undefined) {
    options.onHeader(file[0] ?? []);
    for (const row of file.slice(1)) options.onRow(row);
    return { queryId, status, pages, rows: Math.max(0, file.length - 1), throttled, resultFrom: "file" };
  }
  options.onHeader(first.rows[0] ?? []);
  for (const row of first.rows.slice(1)) options.onRow(row);
  rows += Math.max(0, first.rows.length - 1);
  while (nextToken !== undefined) {
    const { rows: pageRows, nextToken: next } = await page();
    for (const row of pageRows) options.onRow(row);
    rows += pageRows.length;
    pages += 1;
    nextToken = next;
  }
  return { queryId, status, pages, rows, throttled, resultFrom: "pages" };
}

/**
 * The rows of the query's result file, or undefined when it cannot be read (no S3 permission on the
 * results location, managed results): then the pages are read instead.
 */
async function resultFileRows(
  api: AthenaApi,
  status: QueryStatus,
  signal: AbortSignal,
): Promise<(string | undefined)[][] | undefined> {
  if (status.outputLocation === undefined || !status.outputLocation.endsWith(".csv")) return undefined;
  try {
    return parseResultCsv(new TextDecoder().decode(await api.resultFile(status.outputLocation, signal)));
  } catch (error) {
    if (signal.aborted) throw error;
    return undefined;
  }
}

/** Refuses a query past the scan limit (Athena bills what it scanned, result or not). */
function checkScanLimit(status: QueryStatus, maxScannedBytes: number | undefined, queryId: string): void {
  if (maxScannedBytes === undefined || status.dataScannedBytes <= maxScannedBytes) return;
  throw new AthenaQueryError(
    "scan-limit",
    queryId,
    `Athena query ${queryId} scanned ${formatGigabytes(status.dataScannedBytes)}, more than the limit of ` +
      `${
        formatGigabytes(maxScannedBytes)
      } (--athena-max-scanned-gb, or the workgroup's own): stopped, no summary written`,
  );
}

/** Bytes as GB with two decimals (1 GB = 10^9 bytes). */
export function formatGigabytes(bytes: number): string {
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** Runs `call`; an abort turns into {@link AthenaQueryError} `interrupted` (the query, if any, has ended). */
async function interruptible<T>(signal: AbortSignal, queryId: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (signal.aborted) {
      throw new AthenaQueryError("interrupted", queryId, "Interrupted before the Athena result was read", {
        cause: error,
      });
    }
    throw error;
  }
}
