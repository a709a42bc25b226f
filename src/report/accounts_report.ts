/**
 * The accounts part of the terminal report of an organization roll-up: how many accounts ended
 * how, and a line for each one that did not complete. Pure; tolerates any shape of
 * `_metadata.accounts`, since `report FILE` reads files that may have been edited.
 */
import { escapeForTerminal } from "./terminal_text.ts";

const STATUS_ORDER = ["complete", "partial", "failed", "interrupted", "skipped"];

/**
 * Lines about `_metadata.accounts`; none when the summary is not a roll-up.
 * @param accounts the roll-up's `_metadata.accounts`
 * @param limit accounts listed at most
 */
export function accountsReportLines(accounts: unknown, limit: number): string[] {
  if (typeof accounts !== "object" || accounts === null || Array.isArray(accounts)) return [];
  const entries = Object.entries(accounts as Record<string, unknown>).map(([id, value]) => {
    const fields = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    const text = (key: string) => (typeof fields[key] === "string" ? escapeForTerminal(fields[key] as string) : "");
    return { id: escapeForTerminal(id), text, status: text("status") || "unknown" };
  });
  const counts = new Map<string, number>();
  for (const entry of entries) counts.set(entry.status, (counts.get(entry.status) ?? 0) + 1);
  const byStatus = [...counts].sort(([a], [b]) => rank(a) - rank(b)).map(([status, count]) => `${count} ${status}`);
  const lines = [`Accounts: ${entries.length} (${byStatus.join(", ")})`];
  const notComplete = entries.filter((entry) => entry.status !== "complete");
  for (const entry of notComplete.slice(0, limit)) {
    const name = entry.text("name");
    const detail = entry.status === "failed"
      ? `${entry.text("error_code")} (${entry.text("failed_call")})`
      : entry.status === "skipped"
      ? entry.text("skip_reason")
      : entry.status === "partial"
      ? "some regions failed"
      : "";
    lines.push(`  ${entry.id}${name ? ` ${name}` : ""}: ${entry.status}${detail ? `: ${detail}` : ""}`);
  }
  if (notComplete.length > limit) lines.push(`  ... and ${notComplete.length - limit} more in the summary file`);
  return lines;
}

function rank(status: string): number {
  const index = STATUS_ORDER.indexOf(status);
  return index < 0 ? STATUS_ORDER.length : index;
}
