/**
 * Text as a chart shows it: every character the font can draw as itself, every
 * other one as a visible escape (`\u202E`), so a label can neither hide
 * characters nor reorder itself; cut to a length or a width with `[...]`.
 */
import type { FontMetrics } from "./font_metrics.ts";

/** What a chart appends to text it cut. */
export const TRUNCATION_MARK = "[...]";

/**
 * Characters shown as escapes even when the font has a glyph: controls, formats
 * (bidi controls, zero-width characters), separators other than the plain space,
 * marks (they would stack onto their neighbours), surrogates, private use and unassigned.
 */
const ESCAPED_CHARACTER = /^[\p{C}\p{M}\p{Z}]$/u;

/**
 * Splits `text` into the pieces a chart draws: one per code point, either the
 * character itself or its escape (`\u202E`, `\u{E0041}` above U+FFFF).
 * @example
 * ```ts
 * displayPieces("a\u202Eb", metrics); // ["a", "\\u202E", "b"]
 * ```
 */
export function displayPieces(text: string, metrics: FontMetrics): string[] {
  const pieces: string[] = [];
  for (const character of text) {
    const codePoint = character.codePointAt(0) ?? 0;
    const drawable = character === " " ||
      (!ESCAPED_CHARACTER.test(character) && (metrics.advance(codePoint) ?? 0) > 0);
    pieces.push(drawable ? character : escapeCodePoint(codePoint));
  }
  return pieces;
}

function escapeCodePoint(codePoint: number): string {
  const hex = codePoint.toString(16).toUpperCase();
  return codePoint > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, "0")}`;
}

/**
 * Cuts pieces longer than `maxLength` characters to `keptLength` characters plus
 * {@link TRUNCATION_MARK}, never inside an escape.
 */
export function cutToLength(pieces: readonly string[], maxLength: number, keptLength: number): string {
  const text = pieces.join("");
  if ([...text].length <= maxLength) return text;
  let kept = "";
  let keptCount = 0;
  for (const piece of pieces) {
    const count = [...piece].length;
    if (keptCount + count > keptLength) break;
    kept += piece;
    keptCount += count;
  }
  return kept + TRUNCATION_MARK;
}

/** Width of display text (only drawable characters, as {@link displayPieces} returns) in ems. */
export function textWidthEm(text: string, metrics: FontMetrics): number {
  let units = 0;
  for (const character of text) units += metrics.advance(character.codePointAt(0) ?? 0) ?? 0;
  return units / metrics.unitsPerEm;
}

/**
 * Cuts display text so that it is at most `maxWidthEm` wide, ending with
 * {@link TRUNCATION_MARK} when it was cut.
 */
export function cutToWidth(text: string, maxWidthEm: number, metrics: FontMetrics): string {
  if (textWidthEm(text, metrics) <= maxWidthEm) return text;
  const available = maxWidthEm - textWidthEm(TRUNCATION_MARK, metrics);
  let kept = "";
  let width = 0;
  for (const character of text) {
    width += textWidthEm(character, metrics);
    if (width > available) break;
    kept += character;
  }
  return kept + TRUNCATION_MARK;
}

/**
 * Compares two strings by Unicode code points (as Python does), not by UTF-16 code units.
 * @returns negative, zero or positive, for `Array.prototype.sort`
 */
export function compareCodePoints(left: string, right: string): number {
  const leftPoints = left[Symbol.iterator]();
  const rightPoints = right[Symbol.iterator]();
  while (true) {
    const leftNext = leftPoints.next();
    const rightNext = rightPoints.next();
    if (leftNext.done || rightNext.done) return (leftNext.done ? 0 : 1) - (rightNext.done ? 0 : 1);
    const difference = (leftNext.value.codePointAt(0) ?? 0) - (rightNext.value.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
}
