/**
 * The Athena flags: the summary as one Athena query (`--athena-table` and its settings) and the
 * `athena-table` command that prints (or, with `--create`, runs) the table's DDL. Pure: throws
 * {@link UsageError} for anything invalid. `flags.ts` spreads the definitions into its own.
 */
import { UsageError } from "../errors.ts";

/** The flags' definitions for `node:util` `parseArgs`. */
export const ATHENA_FLAG_DEFINITIONS = {
  "athena-table": { type: "string" },
  "athena-workgroup": { type: "string" },
  "athena-output": { type: "string" },
  "athena-catalog": { type: "string" },
  "athena-reuse-minutes": { type: "string" },
  "athena-max-scanned-gb": { type: "string" },
  "organization-id": { type: "string" },
  "create": { type: "boolean" },
} as const;

/** Every Athena flag (none applies to `plot` or `report`). */
export const ATHENA_FLAG_NAMES = Object.keys(ATHENA_FLAG_DEFINITIONS) as (keyof typeof ATHENA_FLAG_DEFINITIONS)[];

/** Flags that only the `athena-table` command takes. */
export const ATHENA_TABLE_COMMAND_FLAGS = ["organization-id", "create"] as const;

/** Flags that tune an Athena run; they mean nothing without `--athena-table`. */
const ATHENA_SETTING_FLAGS = [
  "athena-workgroup",
  "athena-output",
  "athena-catalog",
  "athena-reuse-minutes",
  "athena-max-scanned-gb",
] as const;

/** Where and how Athena runs. */
export interface AthenaSettings {
  database: string;
  table: string;
  workgroup: string;
  /** `s3://…`; undefined: the workgroup's own result location. */
  outputLocation: string | undefined;
  catalog: string;
  /** Reuse an identical query's result up to this many minutes old (0: never). */
  reuseMinutes: number;
  /** Refuse a query that scans more (bytes); undefined: no limit of ours. */
  maxScannedBytes: number | undefined;
}

/** The raw values of {@link ATHENA_FLAG_DEFINITIONS}. */
export type AthenaFlagValues = { [flag in keyof typeof ATHENA_FLAG_DEFINITIONS]?: string | boolean | undefined };

export const DEFAULT_WORKGROUP = "primary";
export const DEFAULT_CATALOG = "AwsDataCatalog";
const DEFAULT_REUSE_MINUTES = 60;
/** Athena's longest result reuse: 7 days. */
const MAX_REUSE_MINUTES = 10_080;
const NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * `--athena-table` and its settings; undefined when `--athena-table` is absent.
 * @throws {UsageError} for a bad value, or a setting without `--athena-table`
 */
export function athenaSettings(values: AthenaFlagValues): AthenaSettings | undefined {
  const tableFlag = values["athena-table"] as string | undefined;
  if (tableFlag === undefined) {
    const stray = ATHENA_SETTING_FLAGS.find((flag) => values[flag] !== undefined);
    if (stray !== undefined) throw new UsageError(`Flag --${stray} applies to --athena-table only`);
    return undefined;
  }
  const [database, table] = tableName(tableFlag);
  const outputLocation = values["athena-output"] as string | undefined;
  if (outputLocation !== undefined && !/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/.*)?$/.test(outputLocation)) {
    throw new UsageError(`Invalid value '${outputLocation}' for --athena-output: use s3://BUCKET/PREFIX/`);
  }
  const maxScannedGb = values["athena-max-scanned-gb"] as string | undefined;
  const maxScanned = maxScannedGb === undefined ? undefined : Number(maxScannedGb);
  if (maxScanned !== undefined && (!/^\d+(\.\d+)?$/.test(maxScannedGb!) || !(maxScanned > 0))) {
    throw new UsageError(`Invalid value '${maxScannedGb}' for --athena-max-scanned-gb: use a number of GB above 0`);
  }
  const reuse = values["athena-reuse-minutes"] as string | undefined;
  if (reuse !== undefined && (!/^\d+$/.test(reuse) || Number(reuse) > MAX_REUSE_MINUTES)) {
    throw new UsageError(
      `Invalid value '${reuse}' for --athena-reuse-minutes: use a whole number from 0 (no reuse) to ${MAX_REUSE_MINUTES}`,
    );
  }
  return {
    database,
    table,
    workgroup: name("--athena-workgroup", values["athena-workgroup"] as string | undefined) ?? DEFAULT_WORKGROUP,
    outputLocation,
    catalog: name("--athena-catalog", values["athena-catalog"] as string | undefined) ?? DEFAULT_CATALOG,
    reuseMinutes: reuse === undefined ? DEFAULT_REUSE_MINUTES : Number(reuse),
    maxScannedBytes: maxScanned === undefined ? undefined : Math.round(maxScanned * 1e9),
  };
}

/**
 * `DATABASE.TABLE`.
 * @throws {UsageError} when it is not two names joined by one dot
 */
export function tableName(value: string): [string, string] {
  const parts = value.split(".");
  if (parts.length !== 2 || !parts.every((part) => NAME.test(part))) {
    throw new UsageError(
      `Invalid value '${value}' for --athena-table: use DATABASE.TABLE (letters, digits, _ and -), e.g. security.cloudtrail`,
    );
  }
  return [parts[0]!, parts[1]!];
}

function name(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!NAME.test(value)) throw new UsageError(`Invalid value '${value}' for ${flag}: use letters, digits, _ and -`);
  return value;
}

/** `--organization-id o-…`: the organization folder of an organization trail. */
export function organizationId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^o-[a-z0-9]{10,32}$/.test(value)) {
    throw new UsageError(
      `Invalid value '${value}' for --organization-id: use the organization's id, e.g. o-a1b2c3d4e5`,
    );
  }
  return value;
}

/** Options of `athena-table`: print (or with `--create`, run) the CREATE EXTERNAL TABLE statement. */
export interface AthenaTableOptions {
  command: "athena-table";
  database: string;
  table: string;
  bucket: string;
  prefix: string;
  organizationId: string | undefined;
  accounts: string[];
  regions: string[];
  create: boolean;
  /** Where `--create` runs the statement. */
  workgroup: string;
  outputLocation: string | undefined;
  catalog: string;
  profile: string | undefined;
  region: string | undefined;
  quiet: boolean;
}

/** What `athena-table` reads, already parsed by the shared parsers of `flags.ts` and `source_flags.ts`. */
export interface AthenaTableInput {
  values: AthenaFlagValues;
  bucket: { bucket: string; prefix: string } | undefined;
  accounts: "all" | string[] | undefined;
  regions: string[] | undefined;
  profile: string | undefined;
  region: string | undefined;
  quiet: boolean;
}

/**
 * The `athena-table` command's options.
 * @throws {UsageError} when the table, bucket, accounts or regions are missing or invalid
 */
export function athenaTableOptions(input: AthenaTableInput): AthenaTableOptions {
  const { values } = input;
  if (values["athena-table"] === undefined) throw new UsageError("'athena-table' needs --athena-table DATABASE.TABLE");
  if (input.bucket === undefined) throw new UsageError("'athena-table' needs --trail-bucket s3://BUCKET[/PREFIX]");
  if (!Array.isArray(input.accounts)) {
    throw new UsageError("'athena-table' needs --accounts ID,ID,... (the accounts the table's projection lists)");
  }
  if (input.regions === undefined) {
    throw new UsageError("'athena-table' needs --regions A,B,... (the regions the table's projection lists)");
  }
  for (const flag of ["athena-reuse-minutes", "athena-max-scanned-gb"] as const) {
    if (values[flag] !== undefined) throw new UsageError(`Flag --${flag} does not apply to 'athena-table'`);
  }
  const settings = athenaSettings(values)!;
  return {
    command: "athena-table",
    database: settings.database,
    table: settings.table,
    bucket: input.bucket.bucket,
    prefix: input.bucket.prefix,
    organizationId: organizationId(values["organization-id"] as string | undefined),
    accounts: input.accounts,
    regions: input.regions,
    create: values.create === true,
    workgroup: settings.workgroup,
    outputLocation: settings.outputLocation,
    catalog: settings.catalog,
    profile: input.profile,
    region: input.region,
    quiet: input.quiet,
  };
}
