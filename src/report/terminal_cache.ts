/**
 * The terminal report's lines about the incremental cache (`_metadata.cache`): per region, how many
 * records came from the cache and how many were fetched. None when the run used no cache. Pure.
 */
import { escapeForTerminal } from "./terminal_text.ts";

interface RegionCacheRow {
  records_from_cache?: number;
  records_fetched?: number;
  damaged_files?: number;
  updated?: boolean;
}

/** Lines for `_metadata.cache`, or none. */
export function cacheReportLines(cache: unknown): string[] {
  if (cache === null || typeof cache !== "object") return [];
  const { directory, used, regions } = cache as { directory?: unknown; used?: unknown; regions?: unknown };
  const where = escapeForTerminal(String(directory ?? ""));
  if (used !== true) return [`Cache ${where}: not used (a --lookup-attribute run neither reads nor fills it)`];
  const rows = Object.entries((regions ?? {}) as Record<string, RegionCacheRow>);
  return [
    `Cache ${where}:`,
    ...rows.map(([region, row]) =>
      `  ${escapeForTerminal(region)}: ${row.records_from_cache ?? 0} records from the cache, ` +
      `${row.records_fetched ?? 0} fetched` +
      (row.damaged_files ? `, ${row.damaged_files} damaged files fetched again` : "") +
      (row.updated === false ? "" : ", cache updated")
    ),
  ];
}
