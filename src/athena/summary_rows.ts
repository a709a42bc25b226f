/**
 * The summary query's result rows → the same sections, `principals` and findings the record-by-record
 * path computes: the rows become the mergeable state of the very collectors that path uses. Pure.
 */
import {
  type AnomalyThresholds,
  emptyTraits,
  FindingsCollector,
  type FindingsState,
  IDENTITY_RULES,
  type Occurrences,
  type PrincipalTraits,
  sensitiveCallRule,
  type Severity,
} from "../findings/findings.ts";
import { PrincipalActivity, type Tally } from "../findings/principals.ts";
import { type AggregatorState, SummaryAggregator } from "../summary/aggregate.ts";
import { SECTION_NAMES, type SectionName } from "../summary/types.ts";
import { GROUPING_SETS, groupingId, type GroupingSetName, RESULT_COLUMNS } from "./summary_query.ts";

/** One result row: a value per {@link RESULT_COLUMNS} entry, undefined for NULL. */
export type ResultRow = readonly (string | undefined)[];

/** What the rows add up to. */
export interface RowsSummary {
  aggregator: SummaryAggregator;
  principals: PrincipalActivity;
  findings: FindingsCollector;
  /** Records in the window, counted records, and counted records whose identity fitted no rule. */
  counts: { records_read: number; records_counted: number; records_with_unrecognized_identity: number };
}

const COLUMN_INDEX = new Map<string, number>(RESULT_COLUMNS.map((name, index) => [name, index]));
const SET_BY_ID = new Map<number, GroupingSetName>(
  (Object.keys(GROUPING_SETS) as GroupingSetName[]).map((name) => [groupingId(GROUPING_SETS[name]), name]),
);

/** Which section each two-key set fills, and with which key column. */
const SECTION_SETS: Partial<Record<GroupingSetName, [SectionName, ColumnName, ColumnName]>> = {
  apiCallsByPrincipal: ["api_calls_by_principal", "principal", "api_call"],
  apiCallsByRegion: ["api_calls_by_region", "region", "api_call"],
  errorCodesByPrincipal: ["error_codes_by_principal", "principal", "error_code"],
  ipAddressesByPrincipal: ["ip_addresses_by_principal", "principal", "ip_address"],
  userAgentsByPrincipal: ["user_agents_by_principal", "principal", "user_agent"],
};

type ColumnName = typeof RESULT_COLUMNS[number];

/** The result's columns differ from what this version asks for (a changed query, or not our query). */
export class UnexpectedResultError extends Error {}

/**
 * Checks the header row of a result.
 * @throws {UnexpectedResultError} when the columns are not {@link RESULT_COLUMNS}
 */
export function checkHeader(header: ResultRow): void {
  if (header.length !== RESULT_COLUMNS.length || header.some((name, index) => name !== RESULT_COLUMNS[index])) {
    throw new UnexpectedResultError(`Unexpected result columns: ${header.join(",")}`);
  }
}

/** `YYYY-MM-DDTHH:MM:SSZ` (or a prefix of it, completed by `suffix`) → epoch ms; undefined for NULL. */
function timeMs(value: string | undefined, suffix = ""): number | undefined {
  // A time column is never '' in SQL: '' is a NULL however a result file spells it.
  return value === undefined || value === "" ? undefined : Date.parse(value + suffix);
}

/**
 * Collects result rows, in any order and page by page.
 * @example
 * ```ts
 * const rows = new SummaryRows();
 * for (const row of page) rows.add(row);
 * rows.summary(thresholds).aggregator.sections();
 * ```
 */
export class SummaryRows {
  readonly #sections = Object.fromEntries(SECTION_NAMES.map((name) => [name, new Map()])) as AggregatorState;
  readonly #tallies = new Map<string, Tally>();
  readonly #findings: FindingsState = { occurrences: new Map(), traits: new Map() };
  readonly #counts = { records_read: 0, records_counted: 0, records_with_unrecognized_identity: 0 };
  /** Rows taken so far. */
  rows = 0;

  /** Takes one row. */
  add(row: ResultRow): void {
    this.rows += 1;
    const text = (column: ColumnName) => row[COLUMN_INDEX.get(column)!];
    const number = (column: ColumnName) => Number(text(column) ?? 0);
    const set = SET_BY_ID.get(number("grouping_id"));
    if (set === undefined) throw new UnexpectedResultError(`Unexpected grouping id ${text("grouping_id")}`);
    if (set === "total") {
      this.#counts.records_read += number("calls");
      this.#counts.records_counted += number("counted_calls");
      this.#counts.records_with_unrecognized_identity += number("unrecognized_calls");
      return;
    }
    const principal = text("principal")!;
    const sectionSet = SECTION_SETS[set];
    if (sectionSet !== undefined) {
      const [section, keyColumn, subKeyColumn] = sectionSet;
      const key = text(keyColumn)!;
      const counts = this.#sections[section];
      let inner = counts.get(key);
      if (inner === undefined) counts.set(key, inner = new Map());
      inner.set(text(subKeyColumn)!, number("calls"));
    }
    switch (set) {
      case "apiCallsByPrincipal":
        return this.#apiCallFindings(principal, text, number);
      case "ipAddressesByPrincipal":
        this.#tally(principal).sourceIps.add(text("ip_address")!);
        this.#traits(principal).sourceIps.add(text("ip_address")!);
        return;
      case "userAgentsByPrincipal":
        this.#traits(principal).userAgents.add(text("user_agent")!);
        return;
      case "regionsByPrincipal":
        this.#tally(principal).regions.add(text("region")!);
        return;
      case "principal": {
        const tally = this.#tally(principal);
        tally.total = number("calls");
        tally.failed = number("failed_calls");
        tally.firstMs = timeMs(text("first_seen"));
        tally.lastMs = timeMs(text("last_seen"));
        const { rule, severity, description } = IDENTITY_RULES.rootActivity;
        this.#occurrence(rule, severity, principal, null, description, number("root_calls"), [
          text("root_first"),
          text("root_last"),
        ]);
        return;
      }
      case "busyMinutes":
        this.#traits(principal).callsPerMinute.set(timeMs(text("minute"), ":00Z")!, number("calls"));
        return;
      case "deniedBursts":
        this.#traits(principal).deniedPerTenMinutes.set(timeMs(text("ten_minute"), "0:00Z")!, number("denied_calls"));
        return;
    }
  }

  /** The collectors filled from the rows, and the record counts. */
  summary(thresholds: Partial<AnomalyThresholds>): RowsSummary {
    const aggregator = new SummaryAggregator();
    aggregator.merge(this.#sections);
    const principals = new PrincipalActivity();
    principals.merge(this.#tallies);
    const findings = new FindingsCollector(thresholds);
    findings.merge(this.#findings);
    return { aggregator, principals, findings, counts: { ...this.#counts } };
  }

  #apiCallFindings(
    principal: string,
    text: (column: ColumnName) => string | undefined,
    number: (column: ColumnName) => number,
  ): void {
    const apiCall = text("api_call")!;
    const rule = sensitiveCallRule(apiCall);
    if (rule !== undefined) {
      this.#occurrence(rule.id, rule.severity, principal, apiCall, rule.reason, number("successful_calls"), [
        text("successful_first"),
        text("successful_last"),
      ]);
    }
    const { consoleLoginFailed, consoleLoginWithoutMfa } = IDENTITY_RULES;
    this.#occurrence(
      consoleLoginFailed.rule,
      consoleLoginFailed.severity,
      principal,
      apiCall,
      consoleLoginFailed.description,
      number("login_failed_calls"),
      [text("login_failed_first"), text("login_failed_last")],
    );
    this.#occurrence(
      consoleLoginWithoutMfa.rule,
      consoleLoginWithoutMfa.severity,
      principal,
      apiCall,
      consoleLoginWithoutMfa.description,
      number("login_without_mfa_calls"),
      [text("login_without_mfa_first"), text("login_without_mfa_last")],
    );
  }

  #occurrence(
    rule: string,
    severity: Severity,
    principal: string,
    apiCall: string | null,
    description: string,
    count: number,
    [first, last]: [string | undefined, string | undefined],
  ): void {
    if (count === 0) return;
    const occurrences: Occurrences = {
      rule,
      severity,
      principal,
      apiCall,
      description,
      count,
      firstMs: timeMs(first),
      lastMs: timeMs(last),
    };
    this.#findings.occurrences.set(JSON.stringify([rule, principal, apiCall]), occurrences);
  }

  #tally(principal: string): Tally {
    let tally = this.#tallies.get(principal);
    if (tally === undefined) {
      tally = { firstMs: undefined, lastMs: undefined, total: 0, failed: 0, regions: new Set(), sourceIps: new Set() };
      this.#tallies.set(principal, tally);
    }
    return tally;
  }

  #traits(principal: string): PrincipalTraits {
    let traits = this.#findings.traits.get(principal);
    if (traits === undefined) {
      traits = emptyTraits();
      this.#findings.traits.set(principal, traits);
    }
    return traits;
  }
}
