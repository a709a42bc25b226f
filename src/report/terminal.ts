/**
 * The report printed after every run and by `report FILE`: account, window,
 * regions, top principals with last seen, findings by severity. Pure: returns
 * text; colours only when asked. Tolerates summary files from older runs.
 */
import type { Summary } from "../summary/types.ts";
import { escapeForTerminal } from "./terminal_text.ts";
import { cacheReportLines } from "./terminal_cache.ts";
import { groupedOrder } from "./finding_groups.ts";
import { accountsReportLines } from "./accounts_report.ts";
import { athenaReportLines } from "./athena_report.ts";

/** How the report is drawn. */
export interface TerminalReportOptions {
  /** ANSI colours (a terminal, NO_COLOR unset). */
  color: boolean;
  /** Rows of principals and of findings at most. */
  limit?: number;
}

interface PrincipalRow {
  last_seen?: string | null;
  total_calls?: number;
  failed_calls?: number;
  distinct_regions?: number;
  distinct_source_ips?: number;
}

interface FindingRow {
  severity?: string;
  rule?: string;
  principal?: string;
  api_call?: string | null;
  count?: number;
  last_seen?: string | null;
  description?: string;
  /** Sigma findings: the rule's author (shown, as the rule's licence asks). */
  author?: string | null;
  grouped_with?: string;
}

/** Our rules by id; a Sigma rule by its title and author (its id is a UUID). */
function ruleLabel(finding: FindingRow): string {
  if (finding.author === undefined) return escapeForTerminal(String(finding.rule ?? ""));
  return `Sigma "${clip(escapeForTerminal(String(finding.description ?? finding.rule)), 45)}" by ${
    clip(escapeForTerminal(String(finding.author ?? "unknown author")), 30)
  }`;
}

const SEVERITY_COLORS: Record<string, string> = { critical: "1;31", high: "31", medium: "33", low: "36" };

function paint(text: string, code: string | undefined, color: boolean): string {
  return color && code ? `\x1b[${code}m${text}\x1b[0m` : text;
}

function readableTimestamp(compact: unknown): string {
  const text = String(compact ?? "");
  const parts = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  return parts
    ? `${parts[1]}-${parts[2]}-${parts[3]} ${parts[4]}:${parts[5]}:${parts[6]} UTC`
    : escapeForTerminal(text);
}

/** Columns padded to the widest cell, the last column left ragged. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => [...row[column]!].length)));
  return rows.map((row) =>
    row.map((cell, column) => column === row.length - 1 ? cell : cell + " ".repeat(widths[column]! - [...cell].length))
      .join("  ")
  );
}

function clip(text: string, length: number): string {
  const characters = [...text];
  return characters.length <= length ? text : characters.slice(0, length - 1).join("") + "…";
}

/**
 * Renders the report.
 * @param summary a summary as written by this tool (older files without findings too)
 */
export function renderTerminalReport(summary: Summary, options: TerminalReportOptions): string {
  const { color } = options;
  const limit = options.limit ?? 10;
  const metadata = summary._metadata;
  const lines: string[] = [];
  const heading = (text: string) => lines.push("", paint(text, "1", color));

  heading(
    `${metadata.accounts === undefined ? "Account" : "Organization roll-up, management account"} ${
      escapeForTerminal(String(metadata.account_id))
    } (as ${escapeForTerminal(String(metadata.account_principal ?? "-"))})`,
  );
  const analyzed = metadata.cloudtrail_data_analyzed ?? { from_timestamp: "", to_timestamp: "" };
  lines.push(
    `Window: ${readableTimestamp(analyzed.from_timestamp)} to ${readableTimestamp(analyzed.to_timestamp)}, ` +
      `activity type ${escapeForTerminal(String(metadata.activity_type))}`,
  );
  const enabled = Array.isArray(metadata.regions_enabled) ? metadata.regions_enabled : [];
  const read = Array.isArray(metadata.regions_read) ? metadata.regions_read as string[] : enabled;
  const failed = Object.entries(metadata.regions_failed ?? {});
  // Older summaries list failed regions in regions_read too; newer ones only the regions read.
  const succeeded = read.filter((region) => !failed.some(([failedRegion]) => failedRegion === region)).length;
  lines.push(
    `Regions: ${succeeded} of ${succeeded + failed.length} read` + (failed.length === 0 ? "" : paint(
      `, failed: ${
        failed.map(([region, code]) => `${escapeForTerminal(region)} (${escapeForTerminal(String(code))})`).join(", ")
      }`,
      "31",
      color,
    )),
  );
  if (typeof metadata.records_read === "number") {
    lines.push(
      `Records: ${metadata.records_read} read, ${metadata.records_counted ?? metadata.records_read} counted` +
        (metadata.records_unreadable ? `, ${metadata.records_unreadable} unreadable` : "") +
        (metadata.records_with_unrecognized_identity
          ? `, ${metadata.records_with_unrecognized_identity} with an unrecognised identity`
          : ""),
    );
  }
  lines.push(...accountsReportLines(metadata.accounts, limit * 2));
  lines.push(...athenaReportLines(metadata.athena));
  lines.push(...cacheReportLines(metadata.cache));
  if (metadata.incomplete === true) lines.push(paint("Incomplete: the run was interrupted", "33", color));

  const principals = Object.entries((summary.principals ?? {}) as Record<string, PrincipalRow>);
  if (principals.length > 0) {
    heading(`Most active principals (${principals.length} in all)`);
    const rows = principals
      .sort(([a, left], [b, right]) => (right.total_calls ?? 0) - (left.total_calls ?? 0) || (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([principal, row]) => [
        clip(escapeForTerminal(principal), 60),
        String(row.total_calls ?? 0),
        String(row.failed_calls ?? 0),
        String(row.distinct_source_ips ?? 0),
        escapeForTerminal(String(row.last_seen ?? "-")),
      ]);
    lines.push(...table([["principal", "calls", "failed", "IPs", "last seen"], ...rows]));
  } else {
    const calls = Object.entries((summary.api_calls_by_principal ?? {}) as Record<string, Record<string, number>>);
    if (calls.length > 0) {
      heading(`Most active principals (${calls.length} in all)`);
      const rows = calls
        .map(([principal, counts]) =>
          [principal, Object.values(counts).reduce((sum, count) => sum + count, 0)] as const
        )
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, limit)
        .map(([principal, total]) => [clip(escapeForTerminal(principal), 60), String(total)]);
      lines.push(...table([["principal", "calls"], ...rows]));
    }
  }

  const findings = Array.isArray(summary.findings) ? summary.findings as FindingRow[] : undefined;
  if (findings !== undefined) {
    const bySeverity = new Map<string, number>();
    for (const finding of findings) {
      bySeverity.set(String(finding.severity), (bySeverity.get(String(finding.severity)) ?? 0) + 1);
    }
    heading(
      `Findings: ${findings.length}` +
        (findings.length === 0
          ? ""
          : ` (${
            ["critical", "high", "medium", "low"].filter((severity) => bySeverity.has(severity))
              .map((severity) => paint(`${bySeverity.get(severity)} ${severity}`, SEVERITY_COLORS[severity], color))
              .join(", ")
          })`),
    );
    // A Sigma finding on the same calls as one of ours is the same incident: shown under it.
    const shown = groupedOrder(findings).slice(0, limit * 2);
    const rows = shown.map(({ finding, grouped }) => [
      escapeForTerminal(String(finding.severity ?? "")),
      (grouped ? "└ " : "") + ruleLabel(finding),
      clip(escapeForTerminal(String(finding.principal ?? "")), 50),
      `${finding.count ?? 0}x`,
      escapeForTerminal(String(finding.last_seen ?? "-")),
    ]);
    if (rows.length > 0) {
      const [header, ...body] = table([["severity", "rule", "principal", "count", "last seen"], ...rows]);
      // Colour after aligning, so escape codes do not count as width.
      const width = Math.max(...rows.map((row) => row[0]!.length));
      lines.push(
        header!,
        ...body.map((line, index) =>
          paint(line.slice(0, width), SEVERITY_COLORS[String(shown[index]!.finding.severity)], color) +
          line.slice(width)
        ),
      );
    }
    if (findings.length > rows.length) lines.push(`... and ${findings.length - rows.length} more in the summary file`);
    if (shown.some(({ grouped }) => grouped)) lines.push("└ the same calls, seen by a Sigma rule too: one incident");
  }
  return lines.join("\n").replace(/^\n/, "") + "\n";
}
