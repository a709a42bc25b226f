/** The terminal report's line about an Athena run (`_metadata.athena`): query, bytes scanned, cost, engine time. Pure. */
import { escapeForTerminal } from "./terminal_text.ts";

const number = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined;

/**
 * One line when the summary came from Athena, none otherwise; fields of the wrong type are left out
 * (a summary file is untrusted input).
 * @example
 * ```ts
 * athenaReportLines({ query_ids: ["1a2b"], bytes_scanned: 8.2e9, cost_usd: 0.0373, engine_execution_milliseconds: 12345 });
 * // ["Athena: query 1a2b, 8.20 GB scanned, about $0.0373, engine 12.3 s"]
 * ```
 */
export function athenaReportLines(athena: unknown): string[] {
  if (typeof athena !== "object" || athena === null) return [];
  const fields = athena as Record<string, unknown>;
  const ids = Array.isArray(fields.query_ids) ? fields.query_ids.filter((id) => typeof id === "string") : [];
  const bytes = number(fields.bytes_scanned);
  const cost = number(fields.cost_usd);
  const engine = number(fields.engine_execution_milliseconds);
  const parts = [
    `query ${ids.length === 0 ? "?" : ids.map((id) => escapeForTerminal(id)).join(", ")}`,
    ...(bytes === undefined ? [] : [`${(bytes / 1e9).toFixed(2)} GB scanned`]),
    ...(cost === undefined ? [] : [`about $${cost.toFixed(4)}`]),
    ...(engine === undefined ? [] : [`engine ${(engine / 1000).toFixed(1)} s`]),
    ...(fields.reused_previous_result === true ? ["result reused"] : []),
  ];
  return [`Athena: ${parts.join(", ")}`];
}
