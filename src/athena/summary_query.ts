/**
 * The one query that computes a whole summary inside Athena: every record is read once, its keys
 * derived as src/summary/activity_record.ts derives them, and one GROUP BY GROUPING SETS counts
 * every section, the principals table and the findings' aggregates. Partition predicates are
 * literals computed here, so Athena reads only the days, accounts and regions asked for. Pure.
 */
import type { AnomalyThresholds } from "../findings/findings.ts";
import type { ActivityType } from "../summary/types.ts";
import { qualifiedName } from "./cloudtrail_table.ts";
import { FALLBACK_PRINCIPAL, IDENTITY_COLUMNS, PRINCIPAL_BY_TYPE } from "./principal_sql.ts";
import { identifier, inList, literal, matches } from "./sql.ts";

/** What one summary query reads and how it counts. */
export interface SummaryQueryOptions {
  database: string;
  table: string;
  /** The table's partition keys (GetTableMetadata), lower case. */
  partitionKeys: readonly string[];
  /** The window, inclusive, epoch ms. */
  windowStartMs: number;
  windowEndMs: number;
  /** How long after an event its file may be delivered (the day folders read reach this far past the window). */
  lateSlackMinutes: number;
  /** Only these regions / accounts; undefined: all. */
  regions: readonly string[] | undefined;
  accounts: readonly string[] | undefined;
  activityType: ActivityType;
  /** Count data and network-activity events too, not only management events. */
  includeDataEvents: boolean;
  thresholds: AnomalyThresholds;
}

/** The grouping columns, in the order of the `grouping()` bit mask (first = most significant bit). */
export const GROUPING_COLUMNS = [
  "principal",
  "region",
  "api_call",
  "error_code",
  "ip_address",
  "user_agent",
  "minute",
  "ten_minute",
] as const;

type GroupingColumn = typeof GROUPING_COLUMNS[number];

/** The grouping sets, by what they feed. */
export const GROUPING_SETS = {
  apiCallsByPrincipal: ["principal", "api_call"],
  apiCallsByRegion: ["region", "api_call"],
  errorCodesByPrincipal: ["principal", "error_code"],
  ipAddressesByPrincipal: ["principal", "ip_address"],
  userAgentsByPrincipal: ["principal", "user_agent"],
  regionsByPrincipal: ["principal", "region"],
  principal: ["principal"],
  busyMinutes: ["principal", "minute"],
  deniedBursts: ["principal", "ten_minute"],
  total: [],
} as const satisfies Record<string, readonly GroupingColumn[]>;

/** A grouping set's name. */
export type GroupingSetName = keyof typeof GROUPING_SETS;

/** The `grouping(...)` value of a set: a bit for each column NOT in it, as SQL defines. */
export function groupingId(set: readonly GroupingColumn[]): number {
  return GROUPING_COLUMNS.reduce(
    (id, column, index) => (set.includes(column) ? id : id | (1 << (GROUPING_COLUMNS.length - 1 - index))),
    0,
  );
}

/** The aggregate columns after the grouping columns, with their SQL. */
const AGGREGATES: readonly [string, string][] = [
  ["calls", "count(*)"],
  ["failed_calls", "sum(CASE WHEN successful THEN 0 ELSE 1 END)"],
  ["first_seen", "min(time_key)"],
  ["last_seen", "max(time_key)"],
  ["successful_calls", "sum(CASE WHEN successful THEN 1 ELSE 0 END)"],
  ["successful_first", "min(CASE WHEN successful THEN time_key END)"],
  ["successful_last", "max(CASE WHEN successful THEN time_key END)"],
  ["root_calls", "sum(CASE WHEN root_activity THEN 1 ELSE 0 END)"],
  ["root_first", "min(CASE WHEN root_activity THEN time_key END)"],
  ["root_last", "max(CASE WHEN root_activity THEN time_key END)"],
  ["login_failed_calls", "sum(CASE WHEN login_failed THEN 1 ELSE 0 END)"],
  ["login_failed_first", "min(CASE WHEN login_failed THEN time_key END)"],
  ["login_failed_last", "max(CASE WHEN login_failed THEN time_key END)"],
  ["login_without_mfa_calls", "sum(CASE WHEN login_without_mfa THEN 1 ELSE 0 END)"],
  ["login_without_mfa_first", "min(CASE WHEN login_without_mfa THEN time_key END)"],
  ["login_without_mfa_last", "max(CASE WHEN login_without_mfa THEN time_key END)"],
  ["denied_calls", "sum(CASE WHEN denied THEN 1 ELSE 0 END)"],
  ["counted_calls", "sum(CASE WHEN counted THEN 1 ELSE 0 END)"],
  ["unrecognized_calls", "sum(CASE WHEN recognized THEN 0 ELSE 1 END)"],
];

/** Every column of the result, in order: the set id, the grouping columns, the aggregates. */
export const RESULT_COLUMNS = ["grouping_id", ...GROUPING_COLUMNS, ...AGGREGATES.map(([name]) => name)] as const;

const ISO_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?Z\\z";
const SPACED_TIME = "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?\\z";

/**
 * `eventtime` as `YYYY-MM-DDTHH:MM:SSZ` (what the summary writes for a time), from the two forms
 * activity_record.ts reads the same in every time zone; NULL for anything else.
 */
const TIME_KEY = `CASE WHEN ${matches("eventtime", ISO_TIME)} THEN substr(eventtime, 1, 19) || 'Z' ` +
  `WHEN ${
    matches("eventtime", SPACED_TIME)
  } THEN substr(eventtime, 1, 10) || 'T' || substr(eventtime, 12, 8) || 'Z' END`;

/** Whether a JSON object held as text has `key` with a non-null value (any depth: see doc/athena.md). */
function jsonHasValue(column: string, keyPattern: string): string {
  return `coalesce(${column} LIKE '{%' AND ${matches(column, `"${keyPattern}"\\s*:\\s*[^\\sn]`)}, false)`;
}

/** Whether a JSON object held as text has `key` with the string value `value`. */
function jsonHasString(column: string, key: string, value: string): string {
  return `coalesce(${column} LIKE '{%' AND ${matches(column, `"${key}"\\s*:\\s*"${value}"`)}, false)`;
}

/** `responseElements.errorCode` of the error code rule: its string, or `Unknown` for other values. */
const RESPONSE_ERROR_CODE = `CASE WHEN ${matches("responseelements", '"errorCode"\\s*:\\s*"')} ` +
  `THEN coalesce(regexp_extract(responseelements, '"errorCode"\\s*:\\s*"([^"\\\\]*)"', 1), '') ELSE 'Unknown' END`;

/** The error codes the access-denied rule counts, as suffixes of `<source>:<code>`. */
const DENIED_CODES = ["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess"];

/** `yyyy/MM/dd` of an epoch-ms time, as the trail's day folders and the projected `timestamp` spell it. */
export function dayFolder(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10).replaceAll("-", "/");
}

/** ISO second of an epoch-ms time, as the time key spells it. */
function secondKey(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 19) + "Z";
}

/** What the query prunes on and what it filters on columns, for `_metadata`. */
export interface PartitionPlan {
  /** Predicates on partition keys (Athena reads only the matching folders). */
  partitionPredicates: string[];
  /** Predicates on record columns (read, then dropped). */
  columnPredicates: string[];
  /** Partition keys that pruned. */
  prunedOn: string[];
}

/**
 * The WHERE predicates of the table scan: partition keys the table has get literals (days of the
 * window plus the late slack, regions, accounts); regions and accounts are also filtered on the
 * record's own fields, as the trail-file source does, so every source counts the same records.
 */
export function partitionPlan(options: SummaryQueryOptions): PartitionPlan {
  const keys = new Set(options.partitionKeys.map((key) => key.toLowerCase()));
  const partitionPredicates: string[] = [];
  const prunedOn: string[] = [];
  if (keys.has("timestamp")) {
    const lastDeliveryMs = options.windowEndMs + options.lateSlackMinutes * 60_000;
    partitionPredicates.push(
      `${identifier("timestamp")} >= ${literal(dayFolder(options.windowStartMs))}`,
      `${identifier("timestamp")} <= ${literal(dayFolder(lastDeliveryMs))}`,
    );
    prunedOn.push("timestamp");
  }
  if (keys.has("region") && options.regions !== undefined) {
    partitionPredicates.push(inList(identifier("region"), options.regions));
    prunedOn.push("region");
  }
  if (keys.has("account") && options.accounts !== undefined) {
    partitionPredicates.push(inList(identifier("account"), options.accounts));
    prunedOn.push("account");
  }
  const columnPredicates: string[] = [];
  if (!options.includeDataEvents) columnPredicates.push("coalesce(eventcategory, 'Management') = 'Management'");
  if (options.regions !== undefined) columnPredicates.push(inList("awsregion", options.regions));
  if (options.accounts !== undefined) columnPredicates.push(inList("recipientaccountid", options.accounts));
  return { partitionPredicates, columnPredicates, prunedOn };
}

const ACTIVITY_FILTERS: Record<ActivityType, string> = {
  ALL: "true",
  SUCCESSFUL: "successful",
  FAILED: "NOT successful",
};

function indent(lines: readonly string[], prefix: string): string {
  return lines.map((line) => `${prefix}${line}`).join(",\n");
}

/** The outer filter: which grouped rows the client needs. */
function keptRows(thresholds: AnomalyThresholds): string {
  const id = (name: GroupingSetName) => groupingId(GROUPING_SETS[name]);
  const keyed = (name: GroupingSetName, condition: string) => `(grouping_id = ${id(name)} AND ${condition})`;
  return [
    keyed("total", "true"),
    keyed("apiCallsByPrincipal", "principal IS NOT NULL"),
    keyed("apiCallsByRegion", "region IS NOT NULL"),
    keyed("errorCodesByPrincipal", "principal IS NOT NULL AND error_code IS NOT NULL"),
    keyed("ipAddressesByPrincipal", "principal IS NOT NULL"),
    keyed("userAgentsByPrincipal", "principal IS NOT NULL"),
    keyed("regionsByPrincipal", "principal IS NOT NULL"),
    keyed("principal", "principal IS NOT NULL"),
    // Only minutes and ten-minute windows past a threshold: the busiest of them is the finding.
    keyed("busyMinutes", `principal IS NOT NULL AND minute IS NOT NULL AND calls > ${thresholds.callsPerMinute}`),
    keyed(
      "deniedBursts",
      `principal IS NOT NULL AND ten_minute IS NOT NULL AND denied_calls >= ${thresholds.deniedPerTenMinutes}`,
    ),
  ].join("\n   OR ");
}

/**
 * The summary query.
 * @example
 * ```ts
 * buildSummaryQuery({ database: "security", table: "cloudtrail_logs", partitionKeys: ["timestamp"], ... });
 * // "SELECT grouping_id, principal, ... FROM (...) WHERE ..."
 * ```
 */
export function buildSummaryQuery(options: SummaryQueryOptions): string {
  const plan = partitionPlan(options);
  const scanPredicates = [...plan.partitionPredicates, ...plan.columnPredicates];
  const identityColumns = Object.entries(IDENTITY_COLUMNS).map(([name, sql]) => `${sql} AS ${name}`);
  const deniedCode = DENIED_CODES.flatMap((
    code,
  ) => [`error_code LIKE '%:${code}'`, `error_code LIKE '%:Client.${code}'`])
    .join(" OR ");
  const fields = [
    ...identityColumns,
    "coalesce(eventsource, 'Unknown') AS event_source",
    "coalesce(eventsource, 'Unknown') || ':' || coalesce(eventname, 'Unknown') AS api_call",
    `CASE WHEN errorcode IS NOT NULL THEN coalesce(eventsource, 'Unknown') || ':' || errorcode ` +
    `WHEN ${jsonHasValue("responseelements", "errorCode")} ` +
    `THEN coalesce(eventsource, 'Unknown') || ':' || ${RESPONSE_ERROR_CODE} END AS error_code`,
    `(errorcode IS NULL AND errormessage IS NULL AND NOT ${
      jsonHasValue("responseelements", "(errorCode|errorMessage)")
    }) AS successful`,
    "coalesce(sourceipaddress, 'Unknown') AS ip_address",
    "coalesce(useragent, 'Unknown') AS user_agent",
    "coalesce(awsregion, 'Unknown') AS record_region",
    `${TIME_KEY} AS time_key`,
    "coalesce(useridentity.type = 'Root' AND coalesce(eventtype, '') <> 'AwsServiceEvent', false) AS root_activity",
    `${jsonHasString("responseelements", "ConsoleLogin", "Failure")} AS login_failure_response`,
    `${jsonHasString("additionaleventdata", "MFAUsed", "No")} AS without_mfa`,
  ];
  const table = qualifiedName(options.database, options.table);
  const derived = [
    `CASE WHEN counted THEN coalesce(principal_by_type, ${FALLBACK_PRINCIPAL}) END AS principal`,
    "principal_by_type IS NOT NULL AS recognized",
    "counted",
    "CASE WHEN counted THEN record_region END AS region",
    "api_call",
    "error_code",
    "successful",
    "ip_address",
    "user_agent",
    "time_key",
    "substr(time_key, 1, 16) AS minute",
    "substr(time_key, 1, 15) AS ten_minute",
    "root_activity",
    "(api_call = 'signin.amazonaws.com:ConsoleLogin' AND (login_failure_response OR NOT successful)) AS login_failed",
    "(api_call = 'signin.amazonaws.com:ConsoleLogin' AND NOT (login_failure_response OR NOT successful) " +
    "AND without_mfa) AS login_without_mfa",
    `coalesce(${deniedCode}, false) AS denied`,
  ];
  const typed = [
    "*",
    `${PRINCIPAL_BY_TYPE} AS principal_by_type`,
    `${ACTIVITY_FILTERS[options.activityType]} AS counted`,
  ];
  const windowPredicate = `time_key IS NULL OR time_key BETWEEN ${
    literal(secondKey(Math.ceil(options.windowStartMs / 1000) * 1000))
  } AND ${literal(secondKey(Math.floor(options.windowEndMs / 1000) * 1000))}`;
  const groupingSets = Object.values(GROUPING_SETS).map((set) => `(${set.join(", ")})`).join(", ");
  return `SELECT ${RESULT_COLUMNS.join(", ")}
FROM (
  SELECT
    grouping(${GROUPING_COLUMNS.join(", ")}) AS grouping_id,
${indent([...GROUPING_COLUMNS, ...AGGREGATES.map(([name, sql]) => `${sql} AS ${name}`)], "    ")}
  FROM (
    SELECT
${indent(derived, "      ")}
    FROM (
      SELECT
${indent(typed, "        ")}
      FROM (
        SELECT
${indent(fields, "          ")}
        FROM ${table}${scanPredicates.length === 0 ? "" : `\n        WHERE ${scanPredicates.join("\n          AND ")}`}
      ) AS record_fields
      WHERE ${windowPredicate}
    ) AS typed_records
  ) AS activity
  GROUP BY GROUPING SETS (${groupingSets})
) AS grouped
WHERE ${keptRows(options.thresholds)}`;
}
