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

/** A test of a text: compiled once per rule value. */
export type TextTest = (text: string) => boolean;

/** A compiled value: its test, and whether the test wants the text case-folded first. */
export interface ValueTest {
  folded: boolean;
  test: TextTest;
}

/**
 * Equality ignoring case with a value already folded, without folding the text when it is ASCII (the
 * common case: every record goes through here).
 */
export function equalsIgnoringCase(folded: string): TextTest {
  return (text) => {
    // Folding never shortens a text, so a longer one cannot be equal.
    if (text.length > folded.length) return false;
    // An ASCII text folds to the same length: compared in place. Only other texts are folded.
    const sameLength = text.length === folded.length;
    for (let index = 0; index < text.length; index++) {
      let code = text.charCodeAt(index);
      if (code >= 0x80) return caseFold(text) === folded;
      if (!sameLength) continue;
      if (code >= 0x41 && code <= 0x5a) code += 0x20;
      if (code !== folded.charCodeAt(index)) return false;
    }
    return sameLength;
  };
}

/**
 * Compiles one Sigma string value.
 * @param cased whether case matters (the `cased` modifier); otherwise both sides are case-folded
 */
export function compileWildcard(value: string, position: Position, cased: boolean): ValueTest {
  const pieces = wildcardPieces(value);
  if (!cased && position === "whole" && pieces.every((piece) => typeof piece !== "string")) {
    return {
      folded: false,
      test: equalsIgnoringCase(caseFold(pieces.map((piece) => (piece as { text: string }).text).join(""))),
    };
  }
  return { folded: !cased, test: compileFoldedWildcard(pieces, position, cased) };
}

function compileFoldedWildcard(raw: Piece[], position: Position, cased: boolean): TextTest {
  const pieces = raw.map((piece) => typeof piece === "string" || cased ? piece : { text: caseFold(piece.text) });
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
