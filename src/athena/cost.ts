/** What an Athena query costs: $5 per TB scanned, at least 10 MB per query, rounded up to whole MB. Pure. */

/** Athena's price per TB scanned (SQL queries over S3; the us-east-1 list price). */
export const PRICE_PER_TERABYTE_USD = 5;
const MEGABYTE = 2 ** 20;
const TERABYTE = 2 ** 40;
const MINIMUM_BYTES = 10 * MEGABYTE;

/**
 * The cost of one query in US dollars; 0 for a query that scanned nothing (a reused result).
 * @example
 * ```ts
 * queryCostUsd(2 ** 40); // 5
 * queryCostUsd(1); // 0.0000476837158203125 (the 10 MB minimum)
 * ```
 */
export function queryCostUsd(scannedBytes: number): number {
  if (scannedBytes <= 0) return 0;
  const billed = Math.max(MINIMUM_BYTES, Math.ceil(scannedBytes / MEGABYTE) * MEGABYTE);
  return (billed / TERABYTE) * PRICE_PER_TERABYTE_USD;
}
