/**
 * SQL text helpers for the dialect Athena (Trino) and DuckDB share. Pure.
 * Only constructs that behave the same in both engines are produced (see doc/athena.md).
 */

/** A string literal: single quotes doubled; backslashes are literal in both engines. */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A quoted identifier: double quotes doubled. */
export function identifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `expression IN ('a', 'b')`. */
export function inList(expression: string, values: readonly string[]): string {
  return `${expression} IN (${values.map(literal).join(", ")})`;
}

/**
 * Whether a regular expression matches anywhere in `expression`: false for NULL.
 * Trino's `regexp_extract` answers NULL without a match, DuckDB's '' — `nullif` makes them agree.
 */
export function matches(expression: string, pattern: string): string {
  return `coalesce(nullif(regexp_extract(${expression}, ${literal(pattern)}), '') IS NOT NULL, false)`;
}

/** The part after the last `/` (the whole text when there is none), as `arn.split("/").at(-1)`. */
export function lastSegment(expression: string): string {
  return `reverse(split_part(reverse(${expression}), '/', 1))`;
}

/** The part before the last `/`'s segment; only for text that holds a `/` (Trino answers NULL past the end). */
export function secondLastSegment(expression: string): string {
  return `reverse(split_part(reverse(${expression}), '/', 2))`;
}

/** Whether `needle` occurs in `expression` (NULL for NULL). */
export function contains(expression: string, needle: string): string {
  return `strpos(${expression}, ${literal(needle)}) > 0`;
}
