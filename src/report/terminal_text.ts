/** Making event-derived strings safe to print on a terminal. Pure. */

/** C0 and C1 control characters, DEL, and the bidi and zero-width formatting characters. */
// deno-lint-ignore no-control-regex -- matching control characters is the point.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/gu;

/**
 * Escapes characters that could move the cursor, change colours or reorder text
 * (ESC, bidi controls such as U+202E, ...) as visible `\uXXXX`; a backslash is
 * doubled so an escape cannot be faked.
 * @example
 * ```ts
 * escapeForTerminal("evil\u202Etxt.exe\x1b[31m"); // "evil\\u202Etxt.exe\\u001B[31m"
 * ```
 */
export function escapeForTerminal(text: string): string {
  return escapeControlCharacters(text.replaceAll("\\", "\\\\"));
}

/** Escapes only the unsafe characters (paths keep their backslashes readable on Windows). */
export function escapeControlCharacters(text: string): string {
  return text.replace(
    UNSAFE,
    (character) => `\\u${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`,
  );
}
