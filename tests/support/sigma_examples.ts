/**
 * Example CloudTrail records made mechanically from a Sigma rule's own detection: a positive one that
 * the rule must match and a negative one, the positive with one matched value changed, that it must
 * not. A rule update regenerates them; nothing here is written by hand per rule.
 */
import { parse } from "yaml";
import { type Condition, identifiersOf, parseCondition } from "../../src/findings/sigma/condition.ts";
import { compileSigmaRule } from "../../src/findings/sigma/rule.ts";
import { wildcardPieces } from "../../src/findings/sigma/string_pattern.ts";

type Json = Record<string, unknown>;

/** A plausible record that no detection asks for: every example starts from it. */
export function baseRecord(): Json {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDAEXAMPLEEXAMPLE",
      arn: "arn:aws:iam::111122223333:user/example",
      accountId: "111122223333",
      userName: "example",
    },
    eventTime: "2026-01-05T10:00:00Z",
    eventSource: "example.amazonaws.com",
    eventName: "ExampleCall",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "example-agent/1.0",
    requestParameters: null,
    responseElements: null,
    eventID: "00000000-0000-4000-8000-000000000000",
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
}

/** A text a regular expression of the specification's subset matches (first alternative, fewest repeats). */
export function regexExample(source: string): string {
  let position = 0;
  const sequence = (): string => {
    let text = "";
    while (position < source.length && source[position] !== "|" && source[position] !== ")") {
      let atom = "";
      const character = source[position++]!;
      if (character === "\\") {
        const escaped = source[position++]!;
        atom = ({ d: "0", w: "x", s: " " } as Record<string, string>)[escaped] ?? escaped;
      } else if (character === ".") {
        atom = "x";
      } else if (character === "^" || character === "$") {
        atom = "";
      } else if (character === "[") {
        const end = source.indexOf("]", position + 1);
        const inside = source.slice(position, end);
        position = end + 1;
        atom = inside.startsWith("^") ? (inside.includes("x") ? "y" : "x") : inside.replace(/^\\/, "")[0]!;
      } else if (character === "(") {
        if (source.startsWith("?:", position)) position += 2;
        atom = alternatives();
        position++;
      } else {
        atom = character;
      }
      const quantifier = source[position];
      if (quantifier === "*" || quantifier === "?") {
        atom = "";
        position++;
      } else if (quantifier === "+") {
        position++;
      } else if (quantifier === "{") {
        const end = source.indexOf("}", position);
        atom = atom.repeat(Number(source.slice(position + 1, end).split(",")[0]));
        position = end + 1;
      }
      text += atom;
    }
    return text;
  };
  const alternatives = (): string => {
    const first = sequence();
    while (source[position] === "|") {
      position++;
      sequence();
    }
    return first;
  };
  return alternatives();
}

function literal(value: unknown): string {
  return wildcardPieces(String(value)).map((piece) => piece === "any" ? "" : piece === "one" ? "x" : piece.text).join(
    "",
  );
}

function getField(record: Json, field: string): unknown {
  let value: unknown = record;
  for (const key of field.split(".")) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Json)[key];
  }
  return value;
}

function setField(record: Json, field: string, value: unknown): void {
  const keys = field === "" ? ["keywordExample"] : field.split(".");
  let object = record;
  for (const key of keys.slice(0, -1)) {
    const next = object[key];
    if (typeof next !== "object" || next === null || Array.isArray(next)) object[key] = {};
    object = object[key] as Json;
  }
  const last = keys[keys.length - 1]!;
  if (value === undefined) delete object[last];
  else object[last] = value;
}

/** A value that satisfies one `field|modifiers: values` entry. */
function satisfying(record: Json, key: string, raw: unknown): unknown {
  const [, ...modifiers] = key.split("|");
  const values = Array.isArray(raw) ? raw : [raw];
  const has = (modifier: string) => modifiers.includes(modifier);
  if (has("exists")) return values[0] === true || values[0] === "true" ? "example" : undefined;
  if (has("fieldref")) return getField(record, String(values[0])) ?? "example";
  if (has("neq")) return "something-else";
  if (has("gt") || has("gte")) return Number(values[0]) + 1;
  if (has("lt") || has("lte")) return Number(values[0]) - 1;
  if (has("cidr")) return String(values[0]).split("/")[0];
  if (has("re")) return regexExample(String(values[0]));
  if (values[0] === null) return undefined;
  if (has("all")) return values.map(literal).join(" ");
  return typeof values[0] === "string" ? literal(values[0]) : values[0];
}

/** Which search identifiers must be true or false for a condition to be `wanted`. */
function plan(condition: Condition, wanted: boolean, identifiers: string[], chosen: Map<string, boolean>): boolean {
  const attempt = (steps: (() => boolean)[]) => {
    for (const step of steps) {
      const saved = new Map(chosen);
      if (step()) return true;
      chosen.clear();
      for (const [name, value] of saved) chosen.set(name, value);
    }
    return false;
  };
  const each = (conditions: Condition[], value: boolean) =>
    conditions.every((operand) => plan(operand, value, identifiers, chosen));
  switch (condition.kind) {
    case "identifier": {
      const already = chosen.get(condition.name);
      if (already !== undefined) return already === wanted;
      chosen.set(condition.name, wanted);
      return true;
    }
    case "not":
      return plan(condition.operand, !wanted, identifiers, chosen);
    case "of": {
      const names = identifiersOf(condition.target, identifiers).map((name): Condition => ({
        kind: "identifier",
        name,
      }));
      const every = (condition.quantifier === "all") === wanted;
      return every ? each(names, wanted) : attempt(names.map((name) => () => plan(name, wanted, identifiers, chosen)));
    }
    case "and":
    case "or": {
      const every = (condition.kind === "and") === wanted;
      return every
        ? each(condition.operands, wanted)
        : attempt(condition.operands.map((operand) => () => plan(operand, wanted, identifiers, chosen)));
    }
  }
}

/** The positive and negative example of a rule file's text. */
export function exampleRecords(text: string): { positive: Json; negative: Json } {
  const rule = parse(text, { uniqueKeys: false }) as Json;
  const detection = rule.detection as Json;
  const identifiers = Object.keys(detection).filter((key) => key !== "condition");
  const condition = parseCondition(String(detection.condition));
  const chosen = new Map<string, boolean>();
  if (!plan(condition, true, identifiers, chosen)) throw new Error("no way to satisfy the condition");
  const positive = baseRecord();
  const entries: [string, unknown][] = [];
  for (const [name, value] of chosen) {
    if (!value) continue;
    const definition = detection[name];
    const map = Array.isArray(definition) && typeof definition[0] === "object" ? definition[0] : definition;
    if (Array.isArray(map)) entries.push(["", map]);
    else entries.push(...Object.entries(map as Json));
  }
  for (const [key, value] of entries) setField(positive, key.split("|")[0]!, satisfying(positive, key, value));

  const compiled = compileSigmaRule({ file: "example.yml", text });
  for (const [key] of entries) {
    const field = key.split("|")[0]!;
    for (const replacement of ["no-match-example", undefined]) {
      const negative = structuredClone(positive);
      setField(negative, field, replacement);
      if (!compiled.matches(negative)) return { positive, negative };
    }
  }
  throw new Error("no single changed value makes the rule miss");
}
