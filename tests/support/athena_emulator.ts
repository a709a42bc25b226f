/**
 * The Athena API for tests (JSON 1.1, `X-Amz-Target: AmazonAthena.<Operation>`), served by the AWS
 * emulator for requests signed for service `athena`: StartQueryExecution runs the received query
 * text through a test engine (DuckDB); GetQueryExecution walks QUEUED → RUNNING → SUCCEEDED/FAILED
 * by poll count (deterministic, no timing); GetQueryResults pages with the header row first;
 * StopQueryExecution cancels; GetTableMetadata answers the tables' partition keys, GetWorkGroup the
 * workgroup's scan limit. With an S3 emulator, a finished query's result file is written there as
 * Athena writes it. Faults: throttled
 * polls, a query held RUNNING until stopped, a failure reason.
 */

import type { S3Emulator } from "./s3_emulator.ts";

/** Runs SQL; rows as text (undefined for NULL). */
export type QueryEngine = (sql: string) => Promise<{ columns: string[]; rows: (string | undefined)[][] }>;

/** A table the catalog knows. */
export interface EmulatedTable {
  catalog?: string;
  database: string;
  table: string;
  partitionKeys: string[];
}

/** One StartQueryExecution as received. */
export interface ReceivedQuery {
  id: string;
  sql: string;
  workgroup: string | undefined;
  catalog: string | undefined;
  database: string | undefined;
  outputLocation: string | undefined;
  reuseMaxAgeMinutes: number | undefined;
  state: "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  /** GetQueryExecution calls answered for it (throttled ones included). */
  polls: number;
  stopped: boolean;
}

/** Faults and behaviour; change them at any time. */
export interface AthenaFaults {
  /** The next N GetQueryExecution calls answer TooManyRequestsException. */
  throttleStatusCalls: number;
  /** Queries stay RUNNING until StopQueryExecution (Ctrl-C tests). */
  holdRunning: boolean;
  /** The next query fails with this StateChangeReason. */
  failNextWith: string | undefined;
  /** Bytes every query reports as scanned, per poll while running (they add up). */
  scannedBytesPerPoll: number;
  /** The workgroup's BytesScannedCutoffPerQuery; undefined: none. */
  workgroupScanLimit: number | undefined;
  /** Polls a query answers QUEUED, then RUNNING, before its end shows. */
  queuedPolls: number;
  runningPolls: number;
}

/** The Athena part of the emulator. */
export interface AthenaEmulator {
  handle(request: Request): Promise<Response>;
  readonly queries: readonly ReceivedQuery[];
  readonly faults: AthenaFaults;
  /** GetQueryResults calls answered. */
  readonly resultPages: number;
  /** Resolves when every query the engine was given has ended (before the engine closes). */
  idle(): Promise<void>;
}

interface QueryRun extends ReceivedQuery {
  scannedBytes: number;
  result: Promise<{ columns: string[]; rows: (string | undefined)[][] } | { error: string }>;
  settled: { columns: string[]; rows: (string | undefined)[][] } | { error: string } | undefined;
}

class AthenaError extends Error {
  constructor(readonly code: string, message: string, readonly status = 400) {
    super(message);
  }
}

/**
 * Creates the Athena emulator; pass it as `athena` to `startAwsEmulator`.
 * @example
 * ```ts
 * const athena = createAthenaEmulator((sql) => database.query(sql), [{ database: "security", table: "cloudtrail", partitionKeys: ["timestamp"] }]);
 * const emulator = startAwsEmulator({ ..., athena });
 * ```
 */
export function createAthenaEmulator(
  engine: QueryEngine,
  tables: readonly EmulatedTable[],
  s3?: S3Emulator,
): AthenaEmulator {
  const runs = new Map<string, QueryRun>();
  const queries: QueryRun[] = [];
  const faults: AthenaFaults = {
    throttleStatusCalls: 0,
    holdRunning: false,
    failNextWith: undefined,
    scannedBytesPerPoll: 1_000_000,
    workgroupScanLimit: undefined,
    queuedPolls: 1,
    runningPolls: 1,
  };
  let resultPages = 0;

  function run(id: string): QueryRun {
    const query = runs.get(id);
    if (query === undefined) throw new AthenaError("InvalidRequestException", `QueryExecution ${id} was not found`);
    return query;
  }

  function start(body: Record<string, unknown>): unknown {
    const context = (body.QueryExecutionContext ?? {}) as Record<string, string>;
    const resultConfiguration = body.ResultConfiguration as { OutputLocation?: string } | undefined;
    const reuse = (body.ResultReuseConfiguration as
      | { ResultReuseByAgeConfiguration?: { Enabled?: boolean; MaxAgeInMinutes?: number } }
      | undefined)?.ResultReuseByAgeConfiguration;
    const id = crypto.randomUUID();
    const failure = faults.failNextWith;
    faults.failNextWith = undefined;
    const sql = String(body.QueryString ?? "");
    const query: QueryRun = {
      id,
      sql,
      workgroup: body.WorkGroup as string | undefined,
      catalog: context.Catalog,
      database: context.Database,
      outputLocation: resultConfiguration?.OutputLocation,
      reuseMaxAgeMinutes: reuse?.Enabled ? reuse.MaxAgeInMinutes : undefined,
      state: "QUEUED",
      polls: 0,
      stopped: false,
      scannedBytes: 0,
      settled: undefined,
      result: failure !== undefined
        ? Promise.resolve({ error: failure })
        : engine(sql).catch((error) => ({ error: error instanceof Error ? error.message : String(error) })),
    };
    query.result.then((result) => (query.settled = result));
    runs.set(id, query);
    queries.push(query);
    return { QueryExecutionId: id };
  }

  async function status(body: Record<string, unknown>): Promise<unknown> {
    const query = run(String(body.QueryExecutionId));
    query.polls += 1;
    if (faults.throttleStatusCalls > 0) {
      faults.throttleStatusCalls -= 1;
      throw new AthenaError("TooManyRequestsException", "Rate exceeded");
    }
    if (query.state === "QUEUED" && query.polls > faults.queuedPolls) query.state = "RUNNING";
    if (query.state === "RUNNING") {
      query.scannedBytes += faults.scannedBytesPerPoll;
      if (!faults.holdRunning && query.polls > faults.queuedPolls + faults.runningPolls) {
        const result = await query.result;
        query.state = "error" in result ? "FAILED" : "SUCCEEDED";
        writeResultFile(query);
      }
    }
    const settled = query.settled;
    return {
      QueryExecution: {
        QueryExecutionId: query.id,
        Query: query.sql,
        WorkGroup: query.workgroup,
        Status: {
          State: query.state,
          ...(query.state === "FAILED" && settled !== undefined && "error" in settled
            ? { StateChangeReason: settled.error }
            : query.state === "CANCELLED"
            ? { StateChangeReason: "Query cancelled by user" }
            : {}),
        },
        Statistics: {
          DataScannedInBytes: query.scannedBytes,
          EngineExecutionTimeInMillis: 1234,
          TotalExecutionTimeInMillis: 1500,
          ResultReuseInformation: { ReusedPreviousResult: false },
        },
        ResultConfiguration: { OutputLocation: resultFileLocation(query) },
      },
    };
  }

  /** Where Athena writes a query's result: `<OutputLocation or the workgroup's>/<query id>.csv`. */
  function resultFileLocation(query: ReceivedQuery): string {
    const folder = query.outputLocation ?? "s3://workgroup-results/";
    return `${folder.endsWith("/") ? folder : `${folder}/`}${query.id}.csv`;
  }

  /** Writes the result file as Athena does (every value quoted, NULL empty), when an S3 emulator is given. */
  function writeResultFile(query: QueryRun): void {
    const settled = query.settled;
    if (s3 === undefined || settled === undefined || "error" in settled) return;
    const quote = (value: string | undefined) => (value === undefined ? "" : `"${value.replaceAll('"', '""')}"`);
    const text = [settled.columns, ...settled.rows].map((row) => row.map(quote).join(",") + "\n").join("");
    const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(resultFileLocation(query))!;
    s3.putObject(bucket!, key!, new TextEncoder().encode(text));
  }

  function results(body: Record<string, unknown>): unknown {
    const query = run(String(body.QueryExecutionId));
    const settled = query.settled;
    if (query.state !== "SUCCEEDED" || settled === undefined || "error" in settled) {
      throw new AthenaError("InvalidRequestException", `Query has not yet finished. Current state: ${query.state}`);
    }
    const maxResults = typeof body.MaxResults === "number" ? body.MaxResults : 1000;
    if (maxResults < 1 || maxResults > 1000) {
      throw new AthenaError("InvalidRequestException", "MaxResults must be from 1 to 1000");
    }
    // Row 0 is the header; NextToken is the index of the next row.
    const all = [settled.columns, ...settled.rows];
    const offset = typeof body.NextToken === "string" ? Number(body.NextToken) : 0;
    const page = all.slice(offset, offset + maxResults);
    resultPages += 1;
    return {
      ResultSet: {
        Rows: page.map((row) => ({ Data: row.map((value) => (value === undefined ? {} : { VarCharValue: value })) })),
        ResultSetMetadata: { ColumnInfo: settled.columns.map((name) => ({ Name: name, Type: "varchar" })) },
      },
      ...(offset + maxResults < all.length ? { NextToken: String(offset + maxResults) } : {}),
    };
  }

  function stop(body: Record<string, unknown>): unknown {
    const query = run(String(body.QueryExecutionId));
    query.stopped = true;
    if (query.state === "QUEUED" || query.state === "RUNNING") query.state = "CANCELLED";
    return {};
  }

  function tableMetadata(body: Record<string, unknown>): unknown {
    const table = tables.find((candidate) =>
      (candidate.catalog ?? "AwsDataCatalog") === body.CatalogName && candidate.database === body.DatabaseName &&
      candidate.table === body.TableName
    );
    if (table === undefined) {
      throw new AthenaError("MetadataException", `Table ${body.DatabaseName}.${body.TableName} not found`);
    }
    return {
      TableMetadata: {
        Name: table.table,
        TableType: "EXTERNAL_TABLE",
        PartitionKeys: table.partitionKeys.map((name) => ({ Name: name, Type: "string" })),
      },
    };
  }

  function workgroup(body: Record<string, unknown>): unknown {
    const cutoff = faults.workgroupScanLimit;
    return {
      WorkGroup: {
        Name: body.WorkGroup,
        State: "ENABLED",
        Configuration: cutoff === undefined ? {} : { BytesScannedCutoffPerQuery: cutoff },
      },
    };
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    GetWorkGroup: workgroup,
    StartQueryExecution: start,
    GetQueryExecution: status,
    GetQueryResults: results,
    StopQueryExecution: stop,
    GetTableMetadata: tableMetadata,
  };

  return {
    queries,
    faults,
    get resultPages() {
      return resultPages;
    },
    async idle() {
      await Promise.all(queries.map((query) => query.result));
    },
    async handle(request) {
      const operation = (request.headers.get("x-amz-target") ?? "").replace(/^AmazonAthena\./, "");
      const handler = operations[operation];
      try {
        if (handler === undefined) throw new AthenaError("UnknownOperationException", `Unknown operation ${operation}`);
        const body = JSON.parse(await request.text() || "{}");
        return json(200, await handler(body));
      } catch (error) {
        if (!(error instanceof AthenaError)) throw error;
        return json(error.status, { __type: error.code, Message: error.message }, error.code);
      }
    },
  };
}

function json(status: number, body: unknown, errorType?: string): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-requestid": crypto.randomUUID(),
      ...(errorType === undefined ? {} : { "x-amzn-errortype": errorType }),
    },
  });
}
