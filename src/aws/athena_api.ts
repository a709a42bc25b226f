/** The Athena calls the summary makes, adapted from `@aws-sdk/client-athena` to our own narrow interface. */
import {
  AthenaClient,
  type AthenaClientConfig,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetTableMetadataCommand,
  GetWorkGroupCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import type { S3ClientConfig } from "@aws-sdk/client-s3";
import { createTrailBucketApi } from "./trail_bucket.ts";

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
  /** The result file a query wrote (`s3://bucket/key.csv`), read from S3: one call instead of a page per 1000 rows. */
  resultFile(outputLocation: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The workgroup's own per-query scan limit in bytes (BytesScannedCutoffPerQuery); undefined when it sets none. */
  workgroupScanLimit(workgroup: string, signal?: AbortSignal): Promise<number | undefined>;
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
 * @param forcePathStyle path-style S3 addressing for result files (see `endpointConfigured`)
 */
export function createAthenaApi(settings: AthenaClientConfig & S3ClientConfig, forcePathStyle: boolean): AthenaApi {
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
      const command = new GetQueryResultsCommand({
        QueryExecutionId: queryId,
        MaxResults: maxRows,
        ...(nextToken === undefined ? {} : { NextToken: nextToken }),
      });
      let page: ResultPage | undefined;
      // The SDK's schema-driven deserializer spends ~40 ms on a 1000-row page; JSON.parse takes a few. The body
      // of a successful answer is read here and the SDK is handed an empty one (errors go the SDK's way).
      command.middlewareStack.add((next) => async (args) => {
        const result = await next(args);
        const response = result.response as { statusCode?: number; body?: unknown };
        if (response.statusCode === 200) {
          page = resultPage(JSON.parse(await bodyText(response.body)));
          response.body = new TextEncoder().encode("{}");
        }
        return result;
      }, { step: "deserialize", priority: "low", name: "readResultPage" });
      await client.send(command, abortOptions(signal));
      if (page === undefined) throw new Error("GetQueryResults answered without a result page");
      return page;
    },
    async stopQuery(queryId) {
      await client.send(new StopQueryExecutionCommand({ QueryExecutionId: queryId }));
    },
    resultFile(outputLocation, signal) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(outputLocation);
      if (match === null) return Promise.reject(new Error(`Not an S3 location: ${outputLocation}`));
      return createTrailBucketApi(match[1]!, settings, forcePathStyle).getObject(match[2]!, signal);
    },
    async workgroupScanLimit(workgroup, signal) {
      const output = await client.send(new GetWorkGroupCommand({ WorkGroup: workgroup }), abortOptions(signal));
      return output.WorkGroup?.Configuration?.BytesScannedCutoffPerQuery;
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

/** A GetQueryResults answer (JSON as Athena sends it) → {@link ResultPage}. */
function resultPage(answer: {
  ResultSet?: { Rows?: { Data?: { VarCharValue?: string }[] }[] };
  NextToken?: string;
}): ResultPage {
  return {
    rows: (answer.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((datum) => datum.VarCharValue)),
    nextToken: answer.NextToken || undefined,
  };
}

/** An HTTP body as the SDK's handlers give it (a Node stream, a web stream, or bytes) → text. */
async function bodyText(body: unknown): Promise<string> {
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body instanceof ReadableStream) return await new Response(body).text();
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) {
    text += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
