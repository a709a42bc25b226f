/** The `re` modifier: a regular expression compiled once, with a cheap check before it runs. Pure. */
import type { TextTest } from "./string_pattern.ts";

/**
 * The longest text a regular expression cannot match without (outside groups, classes and optional
 * parts), to skip the expression cheaply; "" when there is none or the match ignores case.
 */
export function requiredLiteral(source: string, flags: string): string {
  if (flags.includes("i")) return "";
  let best = "";
  let run = "";
  const end = () => {
    if (run.length > best.length) best = run;
    run = "";
  };
  for (let index = 0; index < source.length; index++) {
    let character = source[index]!;
    let literal = true;
    if (character === "\\") {
      character = source[++index] ?? "";
      literal = /[^\w\s]/.test(character);
    } else if (character === "|") {
      return ""; // An alternative at the top: no text is required.
    } else if (character === "[" || character === "(") {
      index = closing(source, index);
      literal = false;
    } else if (character === "{") {
      index = source.includes("}", index) ? source.indexOf("}", index) : source.length;
      literal = false;
    } else if ("^$.*+?)]".includes(character)) {
      literal = false;
    }
    const next = source[index + 1];
    if (!literal || next === "?" || next === "*" || next === "{") {
      end();
      continue;
    }
    run += character;
    if (next === "+") end();
  }
  end();
  return best;
}

/** Where the class or group opening at `start` closes (escapes and nesting followed). */
function closing(source: string, start: number): number {
  const open = source[start]!;
  const close = open === "[" ? "]" : ")";
  let depth = 1;
  let index = start + 1;
  if (open === "[" && source[index] === "^") index++;
  if (open === "[" && source[index] === "]") index++;
  for (; index < source.length; index++) {
    const character = source[index];
    if (character === "\\") index++;
    else if (open === "(" && character === "[") index = closing(source, index);
    else if (character === open && open === "(") depth++;
    else if (character === close && --depth === 0) return index;
  }
  return source.length;
}

/**
 * The `re` modifier's expression as a test: unanchored, memoised per text (a principal's ARN or agent
 * recurs on many records, and a pattern like `.+x` costs a scan per start), skipped cheaply when the
 * text lacks what the expression requires.
 * @throws {SyntaxError} when it is not a valid expression
 */
export function compileRegExp(value: string, flags: string): TextTest {
  const pattern = new RegExp(value, flags);
  const literal = requiredLiteral(value, flags);
  const results = new Map<string, boolean>();
  return (text) => {
    if (!text.includes(literal)) return false;
    let result = results.get(text);
    if (result === undefined) {
      result = pattern.test(text);
      if (results.size >= 10_000) results.clear();
      results.set(text, result);
    }
    return result;
  };
}
