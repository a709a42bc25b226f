/** Command line → typed options. Pure: throws {@link UsageError} for anything invalid. */
import { parseArgs } from "node:util";
import { UsageError } from "../errors.ts";
import { ACTIVITY_TYPES, type ActivityType } from "../summary/types.ts";
import type { LookupAttribute } from "../aws/clients.ts";
import { type AnomalyThresholds, DEFAULT_THRESHOLDS, SEVERITIES, type Severity } from "../findings/findings.ts";
import { SOURCE_FLAG_DEFINITIONS, SOURCE_FLAG_NAMES, type SourceOptions, sourceOptions } from "./source_flags.ts";
import {
  ATHENA_FLAG_DEFINITIONS,
  ATHENA_FLAG_NAMES,
  ATHENA_TABLE_COMMAND_FLAGS,
  type AthenaSettings,
  athenaSettings,
  type AthenaTableOptions,
  athenaTableOptions,
} from "./athena_flags.ts";
import { parseBucketLocation } from "../sources/trail_layout.ts";
import { SIGMA_FLAG_DEFINITIONS, SIGMA_FLAG_NAMES, sigmaOptions } from "./sigma_flags.ts";
import type { SigmaOptions } from "./sigma_rules.ts";
import {
  accountIdList,
  accountsSelection,
  DEFAULT_ACCOUNT_CONCURRENCY,
  DEFAULT_ROLE_NAME,
  externalIdFlag,
  roleNameFlag,
} from "./account_flags.ts";

/** The LookupEvents attribute keys (the API allows one filter). */
export const LOOKUP_ATTRIBUTE_KEYS = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
] as const;

/** Options of the main job: read CloudTrail, write the summary. */
export interface SummarizeOptions extends SourceOptions {
  command: "summarize";
  activityType: ActivityType;
  dumpRawCloudtrailData: boolean;
  pastHours: number;
  profile: string | undefined;
  outputDir: string | undefined;
  /** `--cache-dir`: the folder of the incremental LookupEvents cache (opt-in). */
  cacheDir: string | undefined;
  region: string | undefined;
  regions: string[] | undefined;
  plotResults: boolean;
  /** Also write the HTML report next to the summary. */
  html: boolean;
  lookupAttribute: LookupAttribute | undefined;
  failOn: Severity | undefined;
  jsonStdout: boolean;
  quiet: boolean;
  verbose: boolean;
  /** LookupEvents requests per second per region. */
  lookupRate: number;
  /** Token bucket burst per region. */
  lookupBurst: number;
  /** Time limit of one API call, in seconds. */
  requestTimeoutSeconds: number;
  /** Anomaly thresholds of the findings. */
  thresholds: AnomalyThresholds;
  /** The Sigma rules to run: `--sigma-rules`, `--no-builtin-sigma`, `--sigma-status`. */
  sigma: SigmaOptions;
  /** `--accounts`: every account of the organization, or these ids; undefined: the caller's account only. */
  accounts: "all" | string[] | undefined;
  /** The role assumed in each account of `--accounts`. */
  roleName: string;
  /** The external id the role's trust policy asks for. */
  externalId: string | undefined;
  /** Accounts `--accounts` leaves out. */
  skipAccounts: string[];
  /** Accounts read at once. */
  accountConcurrency: number;
  /** `--athena-table` and its settings: the whole summary as one Athena query; undefined: another source. */
  athena: AthenaSettings | undefined;
}

/** Options of `plot FILE`: charts for an existing summary file. */
export interface PlotOptions {
  command: "plot";
  file: string;
  outputDir: string | undefined;
  overwrite: boolean;
  quiet: boolean;
  verbose: boolean;
}

/** Options of `report FILE`: the terminal report of an existing summary file, or with `--html` its HTML report. */
export interface ReportOptions {
  command: "report";
  file: string;
  verbose: boolean;
  /** Write the HTML report instead of printing the terminal report. */
  html: boolean;
  /** Where the HTML report goes (default: next to the summary file). */
  output: string | undefined;
}

/** What the command line asks for. */
export type Options =
  | SummarizeOptions
  | PlotOptions
  | ReportOptions
  | AthenaTableOptions
  | { command: "help" }
  | { command: "version" };

const DEFAULT_PAST_HOURS = 336;
const MAX_PAST_HOURS = 2160;

const FLAG_DEFINITIONS = {
  "activity-type": { type: "string" },
  "dump-raw-cloudtrail-data": { type: "boolean" },
  "past-hours": { type: "string" },
  "profile": { type: "string" },
  "output-dir": { type: "string" },
  "cache-dir": { type: "string" },
  "region": { type: "string" },
  "regions": { type: "string" },
  "plot-results": { type: "boolean" },
  "html": { type: "boolean" },
  "output": { type: "string" },
  "lookup-attribute": { type: "string" },
  "fail-on": { type: "string" },
  "json-stdout": { type: "boolean" },
  "quiet": { type: "boolean", short: "q" },
  "verbose": { type: "boolean", short: "v" },
  "lookup-rate": { type: "string" },
  "lookup-burst": { type: "string" },
  "request-timeout": { type: "string" },
  "rate-threshold": { type: "string" },
  "ip-threshold": { type: "string" },
  "user-agent-threshold": { type: "string" },
  "denied-threshold": { type: "string" },
  ...SIGMA_FLAG_DEFINITIONS,
  "accounts": { type: "string" },
  "role-name": { type: "string" },
  "external-id": { type: "string" },
  "skip-accounts": { type: "string" },
  "account-concurrency": { type: "string" },
  "overwrite": { type: "boolean" },
  ...SOURCE_FLAG_DEFINITIONS,
  ...ATHENA_FLAG_DEFINITIONS,
  "help": { type: "boolean", short: "h" },
  "version": { type: "boolean" },
} as const;

type ParsedFlags = ReturnType<
  typeof parseArgs<{ options: typeof FLAG_DEFINITIONS; allowPositionals: true }>
>["values"];

const SUMMARIZE_ONLY_FLAGS = [
  "activity-type",
  "cache-dir",
  "dump-raw-cloudtrail-data",
  "past-hours",
  "profile",
  "region",
  "regions",
  "plot-results",
  "lookup-attribute",
  "fail-on",
  "json-stdout",
  "lookup-rate",
  "lookup-burst",
  "request-timeout",
  "rate-threshold",
  "ip-threshold",
  "user-agent-threshold",
  "denied-threshold",
  ...SOURCE_FLAG_NAMES,
  ...SIGMA_FLAG_NAMES,
  ...ATHENA_FLAG_NAMES,
  "accounts",
  "role-name",
  "external-id",
  "skip-accounts",
  "account-concurrency",
] as const;

/**
 * Parses the command line.
 * @param args the arguments after the program name
 * @throws {UsageError} for an unknown flag, a bad value or a missing argument
 * @example
 * ```ts
 * parseFlags(["--past-hours", "48"]); // { command: "summarize", pastHours: 48, ... }
 * ```
 */
export function parseFlags(args: readonly string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: negativeNumbersAsValues(args),
      options: FLAG_DEFINITIONS,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error), { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: "help" };
  if (values.version) return { command: "version" };
  const [command, ...rest] = positionals;
  if (command === undefined) return summarizeOptions(values);
  if (command === "plot" || command === "report") {
    const misplaced = SUMMARIZE_ONLY_FLAGS.find((flag) => values[flag] !== undefined);
    if (misplaced !== undefined) {
      throw new UsageError(
        `Flag --${misplaced} does not apply to '${command}'`,
      );
    }
    if (rest.length !== 1) {
      throw new UsageError(
        `'${command}' takes one summary file, e.g. '${command} results/account_activity_*.json'`,
      );
    }
    const file = rest[0]!;
    if (command === "report") {
      if (values.output !== undefined && !values.html) throw new UsageError("Flag --output needs --html");
      return {
        command,
        file,
        verbose: values.verbose ?? false,
        html: values.html ?? false,
        output: nonEmpty("--output", values.output),
      };
    }
    if (values.html !== undefined || values.output !== undefined) {
      throw new UsageError(`Flag --${values.html !== undefined ? "html" : "output"} does not apply to 'plot'`);
    }
    return {
      command,
      file,
      outputDir: values["output-dir"],
      overwrite: values.overwrite ?? false,
      quiet: values.quiet ?? false,
      verbose: values.verbose ?? false,
    };
  }
  if (command === "athena-table") {
    if (rest.length > 0) throw new UsageError(`'athena-table' takes flags only, not '${rest[0]}'`);
    return athenaTableCommandOptions(values);
  }
  throw new UsageError(
    `Unknown command '${command}': use 'plot FILE', 'report FILE', 'athena-table' or no command`,
  );
}

/** The summarize flags `athena-table` reads besides its own; any other is refused. */
const ATHENA_TABLE_SHARED_FLAGS: readonly string[] = ["trail-bucket", "accounts", "regions", "profile", "region"];

function athenaTableCommandOptions(values: ParsedFlags): AthenaTableOptions {
  const misplaced = SUMMARIZE_ONLY_FLAGS.find((flag) =>
    values[flag] !== undefined && !ATHENA_TABLE_SHARED_FLAGS.includes(flag) &&
    !(ATHENA_FLAG_NAMES as readonly string[]).includes(flag)
  );
  if (misplaced !== undefined) throw new UsageError(`Flag --${misplaced} does not apply to 'athena-table'`);
  const bucketFlag = values["trail-bucket"];
  let bucket: { bucket: string; prefix: string } | undefined;
  try {
    bucket = bucketFlag === undefined ? undefined : parseBucketLocation(bucketFlag);
  } catch (error) {
    throw new UsageError(`Invalid value '${bucketFlag}' for --trail-bucket: ${(error as Error).message}`);
  }
  return athenaTableOptions({
    values,
    bucket,
    accounts: accountsSelection(values.accounts),
    regions: regionList(values.regions),
    profile: nonEmpty("--profile", values.profile),
    region: regionName("--region", values.region),
    quiet: values.quiet ?? false,
  });
}

function summarizeOptions(values: ParsedFlags): SummarizeOptions {
  if (values.overwrite !== undefined) {
    throw new UsageError("Flag --overwrite applies only to 'plot'");
  }
  if (values.output !== undefined) {
    throw new UsageError("Flag --output applies only to 'report FILE --html' (a run writes into --output-dir)");
  }
  return {
    command: "summarize",
    ...sourceOptions(values),
    activityType: oneOf("--activity-type", values["activity-type"], ACTIVITY_TYPES) ??
      "ALL",
    dumpRawCloudtrailData: values["dump-raw-cloudtrail-data"] ?? false,
    pastHours: integerIn("--past-hours", values["past-hours"], 1, MAX_PAST_HOURS) ??
      DEFAULT_PAST_HOURS,
    profile: nonEmpty("--profile", values.profile),
    outputDir: nonEmpty("--output-dir", values["output-dir"]),
    cacheDir: nonEmpty("--cache-dir", values["cache-dir"]),
    region: regionName("--region", values.region),
    regions: regionList(values.regions),
    plotResults: values["plot-results"] ?? false,
    html: values.html ?? false,
    lookupAttribute: lookupAttribute(values["lookup-attribute"]),
    failOn: oneOf("--fail-on", values["fail-on"], SEVERITIES),
    jsonStdout: values["json-stdout"] ?? false,
    quiet: values.quiet ?? false,
    verbose: values.verbose ?? false,
    lookupRate: positiveNumber("--lookup-rate", values["lookup-rate"], 100) ??
      2,
    lookupBurst: integerIn("--lookup-burst", values["lookup-burst"], 1, 100) ??
      1,
    requestTimeoutSeconds: positiveNumber("--request-timeout", values["request-timeout"], 600) ?? 30,
    thresholds: {
      callsPerMinute: integerIn("--rate-threshold", values["rate-threshold"], 1, 1_000_000) ??
        DEFAULT_THRESHOLDS.callsPerMinute,
      sourceIps: integerIn("--ip-threshold", values["ip-threshold"], 1, 1_000_000) ?? DEFAULT_THRESHOLDS.sourceIps,
      userAgents: integerIn("--user-agent-threshold", values["user-agent-threshold"], 1, 1_000_000) ??
        DEFAULT_THRESHOLDS.userAgents,
      deniedPerTenMinutes: integerIn("--denied-threshold", values["denied-threshold"], 1, 1_000_000) ??
        DEFAULT_THRESHOLDS.deniedPerTenMinutes,
    },
    sigma: sigmaOptions(values),
    accounts: accountsSelection(values.accounts),
    ...organizationFlags(values),
    athena: athenaRun(values),
  };
}

/** `--athena-table` and its settings, refusing what an Athena run cannot do. */
function athenaRun(values: ParsedFlags): AthenaSettings | undefined {
  const commandOnly = ATHENA_TABLE_COMMAND_FLAGS.find((flag) => values[flag] !== undefined);
  if (commandOnly !== undefined) throw new UsageError(`Flag --${commandOnly} applies only to 'athena-table'`);
  const settings = athenaSettings(values);
  if (settings === undefined) return undefined;
  const notForAthena = [
    "lookup-attribute",
    "dump-raw-cloudtrail-data",
    "cache-dir",
    "role-name",
    "external-id",
    "skip-accounts",
    "account-concurrency",
  ] as const;
  const refused = notForAthena.find((flag) => values[flag] !== undefined);
  if (refused !== undefined) throw new UsageError(`Flag --${refused} does not apply to --athena-table`);
  return settings;
}

/** The flags that only make sense with `--accounts`. */
function organizationFlags(values: ParsedFlags) {
  if (values.accounts === undefined) {
    const orphan = (["role-name", "external-id", "skip-accounts", "account-concurrency"] as const)
      .find((flag) => values[flag] !== undefined);
    if (orphan !== undefined) throw new UsageError(`Flag --${orphan} applies only with --accounts`);
  }
  return {
    roleName: roleNameFlag(values["role-name"]) ?? DEFAULT_ROLE_NAME,
    externalId: externalIdFlag(values["external-id"]),
    skipAccounts: values["skip-accounts"] === undefined
      ? []
      : accountIdList("--skip-accounts", values["skip-accounts"]),
    accountConcurrency: integerIn("--account-concurrency", values["account-concurrency"], 1, 100) ??
      DEFAULT_ACCOUNT_CONCURRENCY,
  };
}

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(
    `Invalid value '${value}' for ${flag}: use one of ${allowed.join(", ")}`,
  );
}

function integerIn(
  flag: string,
  value: string | undefined,
  minimum: number,
  maximum: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (
    !/^\d+$/.test(value) || Number(value) < minimum || Number(value) > maximum
  ) {
    throw new UsageError(
      `Invalid value '${value}' for ${flag}: use a whole number from ${minimum} to ${maximum}`,
    );
  }
  return Number(value);
}

function positiveNumber(
  flag: string,
  value: string | undefined,
  maximum: number,
): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(number > 0) || number > maximum) {
    throw new UsageError(
      `Invalid value '${value}' for ${flag}: use a number above 0 and at most ${maximum}`,
    );
  }
  return number;
}

function nonEmpty(flag: string, value: string | undefined): string | undefined {
  if (value === "") {
    throw new UsageError(`Invalid value '' for ${flag}: it must not be empty`);
  }
  return value;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

function regionName(
  flag: string,
  value: string | undefined,
): string | undefined {
  if (value === undefined) return undefined;
  if (!REGION_PATTERN.test(value)) {
    throw new UsageError(
      `Invalid value '${value}' for ${flag}: use a region name such as us-east-1`,
    );
  }
  return value;
}

function regionList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const names = value.split(",").map((name) => name.trim()).filter((name) => name !== "");
  if (names.length === 0) {
    throw new UsageError(
      "Invalid value '' for --regions: list regions such as us-east-1,eu-west-1",
    );
  }
  for (const name of names) regionName("--regions", name);
  return [...new Set(names)].sort();
}

function lookupAttribute(
  value: string | undefined,
): LookupAttribute | undefined {
  if (value === undefined) return undefined;
  const separator = value.indexOf("=");
  const key = separator < 0 ? value : value.slice(0, separator);
  const attributeValue = separator < 0 ? "" : value.slice(separator + 1);
  if (!(LOOKUP_ATTRIBUTE_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(
      `Invalid value '${value}' for --lookup-attribute: use KEY=VALUE with KEY one of ${
        LOOKUP_ATTRIBUTE_KEYS.join(", ")
      }`,
    );
  }
  if (attributeValue === "") {
    throw new UsageError(
      `Invalid value '${value}' for --lookup-attribute: the value after '=' must not be empty`,
    );
  }
  if (
    key === "ReadOnly" && attributeValue !== "true" &&
    attributeValue !== "false"
  ) {
    throw new UsageError(
      `Invalid value '${value}' for --lookup-attribute: ReadOnly takes true or false`,
    );
  }
  return { key, value: attributeValue };
}

/** Turns node:util's parse errors into our message style. */
/**
 * `--past-hours -1`: node's parser takes `-1` for a flag and calls the value ambiguous. A number after a
 * flag that takes a value is that flag's value, so the range check can say what is wrong with it.
 */
function negativeNumbersAsValues(args: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const argument = args[index]!;
    const next = args[index + 1];
    const definition = (FLAG_DEFINITIONS as Record<string, { type: string }>)[argument.replace(/^--/, "")];
    if (argument.startsWith("--") && definition?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      joined.push(`${argument}=${next}`);
      index += 1;
    } else {
      joined.push(argument);
    }
  }
  return joined;
}

function parseArgsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string })?.code;
  const flag = /'(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
    return `Unknown flag '${flag}': see --help`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
    return `Flag '${flag}' ${/argument missing/.test(message) ? "needs a value" : "takes no value"}`;
  }
  return message.split("\n")[0] ?? message;
}
