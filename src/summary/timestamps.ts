/** The timestamp formats of the summary file. Pure. */

/**
 * `YYYYMMDDHHMMSS` in UTC, as in file names and `_metadata`.
 * @example
 * ```ts
 * compactTimestamp(new Date("2025-01-05T14:07:55Z")); // "20250105140755"
 * ```
 */
export function compactTimestamp(date: Date): string {
  return date.toISOString().slice(0, 19).replace(/[-:T]/g, "");
}

/**
 * ISO 8601 in UTC without milliseconds.
 * @example
 * ```ts
 * isoTimestamp(Date.UTC(2025, 0, 5, 14, 7, 55, 123)); // "2025-01-05T14:07:55Z"
 * ```
 */
export function isoTimestamp(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(0, 19) + "Z";
}
