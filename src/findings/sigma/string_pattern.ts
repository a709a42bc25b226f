/**
 * Sigma string values: the `*` and `?` wildcards with the spec's backslash escaping, compiled once
 * into a test of a record's text. Pure.
 */
import { caseFold } from "./case_fold.ts";

/** Where a value must occur in the field's text (the `contains`, `startswith`, `endswith` modifiers). */
export type Position = "whole" | "contains" | "startswith" | "endswith";

type Piece = { text: string } | "any" | "one";

/**
 * The pieces of a Sigma string. A backslash escapes `*`, `?` and itself; any other backslash is
 * a plain backslash. So `\*` is a star, `\\*` a backslash then a wildcard, `\\\*` a backslash then
 * a star, and `\\\` or `\\\\` two backslashes.
 */
export function wildcardPieces(value: string): Piece[] {
  const pieces: Piece[] = [];
  let text = "";
  const flush = () => {
    if (text !== "") pieces.push({ text });
    text = "";
  };
  for (let index = 0; index < value.length; index++) {
    const character = value[index]!;
    if (character === "\\") {
      const next = value[index + 1];
      if (next === "*" || next === "?" || next === "\\") {
        text += next;
        index++;
      } else {
        text += "\\";
      }
    } else if (character === "*" || character === "?") {
      flush();
      pieces.push(character === "*" ? "any" : "one");
    } else {
      text += character;
    }
  }
  flush();
  return pieces;
}

const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/]/g;

/** A test of a text already folded (unless `cased`): compiled once per rule value. */
export type TextTest = (text: string) => boolean;

/**
 * Compiles one Sigma string value.
 * @param cased whether case matters (the `cased` modifier); otherwise both sides are case-folded
 */
export function compileWildcard(value: string, position: Position, cased: boolean): TextTest {
  const pieces = wildcardPieces(value).map((piece) =>
    typeof piece === "string" || cased ? piece : { text: caseFold(piece.text) }
  );
  if (position === "contains" || position === "endswith") pieces.unshift("any");
  if (position === "contains" || position === "startswith") pieces.push("any");
  const merged = pieces.filter((piece, index) => !(piece === "any" && pieces[index - 1] === "any"));
  const texts = merged.filter((piece): piece is { text: string } => typeof piece !== "string");
  const wildcards = merged.length - texts.length;
  const first = merged[0];
  const last = merged[merged.length - 1];
  if (wildcards === 0) {
    const whole = texts.map((piece) => piece.text).join("");
    return (text) => text === whole;
  }
  if (texts.length === 0 && merged.length === 1 && first === "any") return () => true;
  if (texts.length === 1 && !merged.includes("one")) {
    const needle = texts[0]!.text;
    if (first === "any" && last === "any" && wildcards === 2) return (text) => text.includes(needle);
    if (first === "any" && wildcards === 1) return (text) => text.endsWith(needle);
    if (last === "any" && wildcards === 1) return (text) => text.startsWith(needle);
  }
  const source = merged.map((piece) =>
    piece === "any" ? "[^]*" : piece === "one" ? "[^]" : piece.text.replace(REGEXP_SYNTAX, "\\$&")
  ).join("");
  // `u`: `?` stands for one character, not one UTF-16 unit.
  const pattern = new RegExp(`^${source}$`, "u");
  return (text) => pattern.test(text);
}
