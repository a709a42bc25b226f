/**
 * A Sigma `detection` compiled into tests of a CloudTrail record: maps are AND, lists OR, lists of
 * maps OR, plain lists of strings keywords searched in every value of the record. Pure.
 */
import { caseFold } from "./case_fold.ts";
import { compileFieldReader, fieldValues, leafTexts, ValuesReached } from "./record_fields.ts";
import { compileWildcard, type Position, type ValueTest } from "./string_pattern.ts";
import { compileCidr } from "./cidr.ts";
import { compileRegExp } from "./regular_expression.ts";

/** Why part of a detection cannot be used; the caller names the rule file. */
export class DetectionError extends Error {}

/** A test of one record. */
export type RecordTest = (record: Readonly<Record<string, unknown>>) => boolean;

const SUPPORTED = new Set([
  "contains",
  "startswith",
  "endswith",
  "all",
  "re",
  "i",
  "m",
  "s",
  "exists",
  "cased",
  "fieldref",
  "neq",
  "lt",
  "lte",
  "gt",
  "gte",
  "cidr",
]);
const NOT_SUPPORTED = new Set([
  "windash",
  "base64",
  "base64offset",
  "utf16le",
  "utf16be",
  "utf16",
  "wide",
  "expand",
  "minute",
  "hour",
  "day",
  "week",
  "month",
  "year",
]);
const POSITIONS = new Set(["contains", "startswith", "endswith"]);
const COMPARISONS = {
  lt: (a: number, b: number) => a < b,
  lte: (a: number, b: number) => a <= b,
  gt: (a: number, b: number) => a > b,
  gte: (a: number, b: number) => a >= b,
};

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

/** The record's texts under a field, or under every field for a keyword (empty field name). */
function textsOf(record: Readonly<Record<string, unknown>>, path: readonly string[] | undefined): string[] {
  if (path === undefined) return leafTexts(record);
  const texts: string[] = [];
  for (const value of fieldValues(record, path)) leafTexts(value, texts);
  return texts;
}

function anyText(texts: readonly string[], tests: readonly ValueTest[], all: boolean): boolean {
  const folded = tests.some((test) => test.folded) ? texts.map(caseFold) : texts;
  const matches = (value: ValueTest) => {
    const candidates = value.folded ? folded : texts;
    for (const text of candidates) if (value.test(text)) return true;
    return false;
  };
  return all ? tests.every(matches) : tests.some(matches);
}

/** Whether one text passes the tests (any of them, or all): folded once, only if a test wants it. */
function textPasses(text: string, tests: readonly ValueTest[], all: boolean): boolean {
  let folded: string | undefined;
  for (const value of tests) {
    const passes = value.test(value.folded ? (folded ??= caseFold(text)) : text);
    if (passes !== all) return passes;
  }
  return all;
}

/** Whether a field's value passes: a scalar directly, an object, array or several values by their leaf texts. */
function valuePasses(value: unknown, tests: readonly ValueTest[], all: boolean): boolean {
  if (typeof value === "string") return textPasses(value, tests, all);
  if (typeof value === "number" || typeof value === "boolean") return textPasses(String(value), tests, all);
  if (value === undefined || value === null) return false;
  const texts: string[] = [];
  for (const each of value instanceof ValuesReached ? value.values : [value]) leafTexts(each, texts);
  if (texts.length === 1) return textPasses(texts[0]!, tests, all);
  return anyText(texts, tests, all);
}

function parseNumber(value: string): number | undefined {
  if (value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * Compiles one `field|modifier|...: value(s)` entry of a map.
 * @throws {DetectionError} on unknown or unsupported modifiers and values they cannot take
 */
export function compileFieldEntry(key: string, rawValue: unknown): RecordTest {
  const [field = "", ...modifiers] = key.split("|");
  for (const modifier of modifiers) {
    if (NOT_SUPPORTED.has(modifier)) throw new DetectionError(`modifier '${modifier}' is not supported`);
    if (!SUPPORTED.has(modifier)) throw new DetectionError(`unknown modifier '${modifier}'`);
  }
  const has = (modifier: string) => modifiers.includes(modifier);
  const path = field === "" ? undefined : field.split(".");
  const values = Array.isArray(rawValue) ? rawValue : [rawValue];
  if (values.length === 0) throw new DetectionError(`'${key}' has an empty list of values`);
  if (!values.every(isScalar)) throw new DetectionError(`'${key}' must have a value or a list of values`);
  const positions = modifiers.filter((modifier) => POSITIONS.has(modifier) || modifier === "re");
  if (positions.length > 1) throw new DetectionError(`'${key}' combines ${positions.join(" and ")}`);
  for (const flag of ["i", "m", "s"]) {
    if (has(flag) && !has("re")) throw new DetectionError(`'${key}': '${flag}' only goes with 're'`);
  }
  const all = has("all");

  if (has("exists")) {
    const wanted = values[0] === true || values[0] === "true"
      ? true
      : values[0] === false || values[0] === "false"
      ? false
      : undefined;
    if (wanted === undefined || values.length !== 1 || modifiers.length !== 1 || path === undefined) {
      throw new DetectionError(`'${key}' needs a field and the single value true or false`);
    }
    return (record) => (fieldValues(record, path).length > 0) === wanted;
  }

  let test: RecordTest;
  const comparison = modifiers.find((modifier): modifier is keyof typeof COMPARISONS => modifier in COMPARISONS);
  if (comparison !== undefined) {
    const limits = values.map((value) => typeof value === "number" ? value : parseNumber(String(value)));
    if (limits.some((limit) => limit === undefined) || modifiers.length !== 1) {
      throw new DetectionError(`'${key}' needs numbers`);
    }
    const compare = COMPARISONS[comparison];
    test = (record) => {
      const numbers = textsOf(record, path).map(parseNumber).filter((number) => number !== undefined);
      const holds = (limit: number | undefined) => numbers.some((number) => compare(number, limit!));
      return all ? limits.every(holds) : limits.some(holds);
    };
  } else if (has("fieldref")) {
    if (path === undefined || !values.every((value) => typeof value === "string")) {
      throw new DetectionError(`'${key}' needs a field and field names as values`);
    }
    const cased = has("cased");
    const position: Position = (modifiers.find((modifier) => POSITIONS.has(modifier)) as Position) ?? "whole";
    const references = (values as string[]).map((name) => name.split("."));
    const fold = (text: string) => cased ? text : caseFold(text);
    test = (record) => {
      const texts = textsOf(record, path).map(fold);
      const holds = (reference: string[]) =>
        textsOf(record, reference).map(fold).some((other) =>
          texts.some((text) =>
            position === "whole"
              ? text === other
              : position === "contains"
              ? text.includes(other)
              : position === "startswith"
              ? text.startsWith(other)
              : text.endsWith(other)
          )
        );
      return all ? references.every(holds) : references.some(holds);
    };
  } else {
    const nullWanted = values.includes(null);
    const tests: ValueTest[] = values.filter((value) => value !== null).map((value) => {
      const text = String(value);
      if (has("re")) {
        const flags = ["i", "m", "s"].filter(has).join("");
        try {
          return { folded: false, test: compileRegExp(text, flags) };
        } catch (error) {
          throw new DetectionError(`bad regular expression '${text}': ${(error as Error).message}`);
        }
      }
      if (has("cidr")) {
        const network = compileCidr(text);
        if (network === undefined) throw new DetectionError(`'${text}' is not a CIDR network`);
        return { folded: false, test: network };
      }
      const named = modifiers.find((modifier) => POSITIONS.has(modifier)) as Position | undefined;
      // A keyword is searched for anywhere in the record's values.
      const position = named ?? (path === undefined ? "contains" : "whole");
      return compileWildcard(text, position, has("cased"));
    });
    if (nullWanted && all) throw new DetectionError(`'${key}': 'all' cannot take null`);
    if (path === undefined) {
      test = (record) => anyText(leafTexts(record), tests, all);
    } else {
      // Every record goes through here: the reader and the tests allocate nothing for a plain value.
      const read = compileFieldReader(path);
      test = (record) => {
        const value = read(record);
        if (nullWanted) {
          if (value === undefined || value === null) return true;
          if (value instanceof ValuesReached && (value.values.length === 0 || value.values.includes(null))) return true;
        }
        return valuePasses(value, tests, all);
      };
    }
  }
  if (has("neq")) {
    const equal = test;
    return (record) => !equal(record);
  }
  return test;
}

/**
 * Compiles one search identifier's definition.
 * @throws {DetectionError} when it is neither a map, a list of maps nor a list of keywords
 */
export function compileSearch(definition: unknown): RecordTest {
  if (Array.isArray(definition)) {
    if (definition.length === 0) throw new DetectionError("an empty list");
    if (definition.every((item) => typeof item === "object" && item !== null && !Array.isArray(item))) {
      const maps = definition.map(compileSearch);
      return (record) => {
        for (const map of maps) if (map(record)) return true;
        return false;
      };
    }
    if (definition.every((item) => isScalar(item) && item !== null)) return compileFieldEntry("", definition);
    throw new DetectionError("a list mixing maps and values");
  }
  if (typeof definition === "object" && definition !== null) {
    const entries = Object.entries(definition).map(([key, value]) => compileFieldEntry(key, value));
    if (entries.length === 0) throw new DetectionError("an empty map");
    if (entries.length === 1) return entries[0]!;
    return (record) => {
      for (const entry of entries) if (!entry(record)) return false;
      return true;
    };
  }
  if (typeof definition === "string" || typeof definition === "number") return compileFieldEntry("", definition);
  throw new DetectionError("neither a map nor a list");
}
