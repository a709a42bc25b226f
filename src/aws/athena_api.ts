/** The Athena calls the summary makes, adapted from `@aws-sdk/client-athena` to our own narrow interface. */
import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";

/** One query to start. */
export interface StartQueryRequest {
  sql: string;
  catalog: string;
  database: string;
  workgroup: string;
  /** `s3://…` for results; only sent when given (workgroups with managed results reject it). */
  outputLocation: string | undefined;
  /** Reuse a result of the same query up to this old; 0: never. */
  reuseMinutes: number;
}

/** Athena's states of a query. */
export type QueryState = "QUEUED" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";

/** What GetQueryExecution says about a query. */
export interface QueryStatus {
  state: QueryState;
  stateChangeReason: string | undefined;
  dataScannedBytes: number;
  engineExecutionMilliseconds: number | undefined;
  totalExecutionMilliseconds: number | undefined;
  reusedPreviousResult: boolean;
  outputLocation: string | undefined;
}

/** One GetQueryResults page: rows of text (undefined for NULL); the first page starts with the header row. */
export interface ResultPage {
  rows: (string | undefined)[][];
  nextToken: string | undefined;
}

/** Athena, as far as the summary uses it. */
export interface AthenaApi {
  startQuery(request: StartQueryRequest, signal?: AbortSignal): Promise<string>;
  queryStatus(queryId: string, signal?: AbortSignal): Promise<QueryStatus>;
  /** One page of up to `maxRows` rows. */
  queryResults(
    queryId: string,
    nextToken: string | undefined,
    maxRows: number,
    signal?: AbortSignal,
  ): Promise<ResultPage>;
  stopQuery(queryId: string): Promise<void>;
  /** The names of a table's partition keys, lower case, in order. */
  partitionKeys(catalog: string, database: string, table: string, signal?: AbortSignal): Promise<string[]>;
}

const STATES = new Set<string>(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]);

function abortOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

/**
 * An SDK-backed {@link AthenaApi}.
 * @param settings the client settings the other clients use (credentials, retries, timeouts, region)
 */
export function createAthenaApi(settings: AthenaClientConfig): AthenaApi {
  const client = new AthenaClient(settings);
  return {
    async startQuery(request, signal) {
      const output = await client.send(
        new StartQueryExecutionCommand({
          QueryString: request.sql,
          QueryExecutionContext: { Catalog: request.catalog, Database: request.database },
          WorkGroup: request.workgroup,
          ...(request.outputLocation === undefined
            ? {}
            : { ResultConfiguration: { OutputLocation: request.outputLocation } }),
          ...(request.reuseMinutes > 0
            ? {
              ResultReuseConfiguration: {
                ResultReuseByAgeConfiguration: { Enabled: true, MaxAgeInMinutes: request.reuseMinutes },
              },
            }
            : {}),
        }),
        abortOptions(signal),
      );
      if (!output.QueryExecutionId) throw new Error("StartQueryExecution returned no QueryExecutionId");
      return output.QueryExecutionId;
    },
    async queryStatus(queryId, signal) {
      const output = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: queryId }),
        abortOptions(signal),
      );
      const execution = output.QueryExecution;
      const state = execution?.Status?.State ?? "QUEUED";
      const statistics = execution?.Statistics;
      return {
        state: STATES.has(state) ? state as QueryState : "QUEUED",
        stateChangeReason: execution?.Status?.StateChangeReason,
        dataScannedBytes: statistics?.DataScannedInBytes ?? 0,
        engineExecutionMilliseconds: statistics?.EngineExecutionTimeInMillis,
        totalExecutionMilliseconds: statistics?.TotalExecutionTimeInMillis,
        reusedPreviousResult: statistics?.ResultReuseInformation?.ReusedPreviousResult ?? false,
        outputLocation: execution?.ResultConfiguration?.OutputLocation,
      };
    },
    async queryResults(queryId, nextToken, maxRows, signal) {
      const output = await client.send(
        new GetQueryResultsCommand({
          QueryExecutionId: queryId,
          MaxResults: maxRows,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
        abortOptions(signal),
      );
      return {
        rows: (output.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((datum) => datum.VarCharValue)),
        nextToken: output.NextToken || undefined,
      };
    },
    async stopQuery(queryId) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    },
    async partitionKeys(catalog, database, table, signal) {
      const output = await client.send(
        new GetTableMetadataCommand({ CatalogName: catalog, DatabaseName: database, TableName: table }),
        abortOptions(signal),
      );
      return (output.TableMetadata?.PartitionKeys ?? []).flatMap((column) =>
        column.Name === undefined ? [] : [column.Name.toLowerCase()]
      );
    },
  };
}
