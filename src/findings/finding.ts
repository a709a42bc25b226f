/**
 * What every finding is, whatever rule made it (ours or a Sigma rule): its shape, severities,
 * order, and how counts of one merge. Pure.
 */
import { earliest, latest } from "../summary/time_bounds.ts";

/** Severities, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low"] as const;

/** One severity. */
export type Severity = typeof SEVERITIES[number];

/** One finding as written into the summary. */
export interface Finding {
  rule: string;
  severity: Severity;
  principal: string;
  /** The API call the rule is about, when it is about one. */
  api_call: string | null;
  description: string;
  count: number;
  first_seen: string | null;
  last_seen: string | null;
  /** On a Sigma finding: this principal's finding of our rule that fired on the same records (one incident). */
  grouped_with?: string;
}

/** How often something was seen, and when first and last (epoch milliseconds; undefined: no time known). */
export interface Seen {
  count: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
}

/** Adds another count of the same thing (a worker's): counts add, the times widen. */
export function addSeen(into: Seen, other: Readonly<Seen>): void {
  into.count += other.count;
  into.firstMs = earliest(into.firstMs, other.firstMs);
  into.lastMs = latest(into.lastMs, other.lastMs);
}

/** The findings' order: by severity (most severe first), then count (highest first), rule and principal. */
export function compareFindings(
  a: Pick<Finding, "severity" | "count" | "rule" | "principal">,
  b: Pick<Finding, "severity" | "count" | "rule" | "principal">,
): number {
  return SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.count - a.count ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    (a.principal < b.principal ? -1 : a.principal > b.principal ? 1 : 0);
}
