/**
 * DuckDB as the test engine for the Athena queries: a view shaped like the Athena CloudTrail table
 * (same column names, struct types and partition columns) over records written as JSON lines.
 * DuckDB needs `--allow-ffi` (granted to the test and bench tasks); where it cannot load, callers
 * skip with {@link duckDbUnavailable}'s reason.
 */
import { join } from "node:path";
import { CLOUDTRAIL_COLUMNS, type ColumnType } from "../../src/athena/cloudtrail_table.ts";
import { dayFolder } from "../../src/athena/summary_query.ts";
import { eventTimeMsOf } from "../../src/summary/activity_record.ts";
import type { DuckDBConnection } from "@duckdb/node-api";

/** A record placed in the table: which partition folder holds it. */
export interface PlacedRecord {
  record: Record<string, unknown>;
  /** Partition values; defaults: the record's day, account and region. */
  timestamp?: string;
  account?: string;
  region?: string;
}

let loaded: Promise<typeof import("@duckdb/node-api") | string> | undefined;

/** DuckDB's module, or why it cannot load here (one line). */
function duckDbModule(): Promise<typeof import("@duckdb/node-api") | string> {
  loaded ??= import("@duckdb/node-api").then(
    async (module) => {
      // Loading the module is not enough: the native library opens on first use.
      const instance = await module.DuckDBInstance.create(":memory:");
      instance.closeSync();
      return module;
    },
    (error) => `DuckDB cannot load here: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
  ).catch((error) => `DuckDB cannot load here: ${error instanceof Error ? error.message.split("\n")[0] : error}`);
  return loaded;
}

/** Why DuckDB tests skip on this machine, or undefined when it loads. */
export async function duckDbUnavailable(): Promise<string | undefined> {
  const module = await duckDbModule();
  return typeof module === "string" ? module : undefined;
}

function duckDbType(type: ColumnType): string {
  if (type === "string") return "VARCHAR";
  if ("array" in type) return `${duckDbType(type.array)}[]`;
  if ("map" in type) return `MAP(${duckDbType(type.map[0])}, ${duckDbType(type.map[1])})`;
  return `STRUCT(${type.struct.map(([name, field]) => `"${name}" ${duckDbType(field)}`).join(", ")})`;
}

/** A DuckDB database holding one CloudTrail table; `close` removes its files. */
export interface CloudTrailDatabase {
  /** Runs SQL; rows as Athena returns them (text, undefined for NULL). */
  query(sql: string): Promise<{ columns: string[]; rows: (string | undefined)[][] }>;
  close(): Promise<void>;
}

/** The DuckDB type of the table's struct column `name` (camelCase field names, as in the files). */
export function duckDbColumnType(name: string): string {
  const column = CLOUDTRAIL_COLUMNS.find(([columnName]) => columnName.toLowerCase() === name.toLowerCase());
  if (column === undefined) throw new Error(`No column ${name}`);
  return duckDbType(column[1]);
}

/**
 * An in-memory DuckDB database; `setup` statements run first (to create tables).
 * @throws {Error} with the one-line reason when DuckDB cannot load
 */
export async function openDatabase(setup: readonly string[], removeOnClose?: string): Promise<CloudTrailDatabase> {
  const module = await duckDbModule();
  if (typeof module === "string") throw new Error(module);
  const instance = await module.DuckDBInstance.create(":memory:", { threads: "2" });
  const connection: DuckDBConnection = await instance.connect();
  for (const statement of setup) await connection.run(statement);
  return {
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      const rows = reader.getRows().map((row) => row.map((value) => (value === null ? undefined : String(value))));
      return { columns: reader.columnNames(), rows };
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
      if (removeOnClose !== undefined) await Deno.remove(removeOnClose, { recursive: true });
    },
  };
}

/** Partition values → the `timestamp`, `account`, `region` columns of the view. */
function partitionValues(placed: PlacedRecord): [string, string, string] {
  const record = placed.record;
  const timeMs = eventTimeMsOf(record.eventTime);
  const text = (value: unknown) => (typeof value === "string" ? value : "Unknown");
  return [
    placed.timestamp ?? (timeMs === undefined ? "2000/01/01" : dayFolder(timeMs)),
    placed.account ?? text(record.recipientAccountId),
    placed.region ?? text(record.awsRegion),
  ];
}

/**
 * Creates `database.table` over the records: the single-account layout (partition `timestamp`)
 * or the organization layout (`account`, `region`, `timestamp`).
 */
export async function openCloudTrailDatabase(
  records: readonly PlacedRecord[],
  { database, table, layout }: { database: string; table: string; layout: "single-account" | "organization" },
): Promise<CloudTrailDatabase> {
  const folder = await Deno.makeTempDir({ prefix: "duckdb-cloudtrail-" });
  const file = join(folder, "records.jsonl");
  const lines = records.map((placed) => {
    const [timestamp, account, region] = partitionValues(placed);
    return JSON.stringify({ ...placed.record, __timestamp: timestamp, __account: account, __region: region });
  });
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  const columns = [
    ...CLOUDTRAIL_COLUMNS.map(([name, type]) => `"${name}": '${duckDbType(type)}'`),
    `"__timestamp": 'VARCHAR'`,
    `"__account": 'VARCHAR'`,
    `"__region": 'VARCHAR'`,
  ];
  const partitions = layout === "organization"
    ? `"__account" AS account, "__region" AS region, "__timestamp" AS "timestamp"`
    : `"__timestamp" AS "timestamp"`;
  // ignore_errors: a value of the wrong shape becomes NULL, as the JSON SerDe makes it (doc/athena.md).
  return await openDatabase([
    `CREATE SCHEMA "${database}"`,
    `CREATE VIEW "${database}"."${table}" AS SELECT ${
      CLOUDTRAIL_COLUMNS.map(([name]) => `"${name}" AS ${name.toLowerCase()}`).join(", ")
    }, ${partitions} FROM read_json('${file}', format = 'newline_delimited', records = true, ` +
    `ignore_errors = true, maximum_object_size = 268435456, columns = {${columns.join(", ")}})`,
  ], folder);
}
