/**
 * One Sigma rule file compiled once: its metadata for the findings and a test of a record.
 * Refuses, with a reason, what the evaluator does not support. Pure.
 */
import { parseAllDocuments } from "yaml";
import type { Severity } from "../finding.ts";
import { caseFold } from "./case_fold.ts";
import { type Condition, ConditionError, identifiersOf, parseCondition } from "./condition.ts";
import { compileSearch, DetectionError, type RecordTest } from "./detection.ts";
import { wildcardPieces } from "./string_pattern.ts";

/** The statuses a rule may have (`--sigma-status`). */
export const SIGMA_STATUSES = ["stable", "test", "experimental", "deprecated", "unsupported"] as const;

/** One status. */
export type SigmaStatus = typeof SIGMA_STATUSES[number];

const LEVELS: Record<string, Severity> = {
  critical: "critical",
  high: "high",
  medium: "medium",
  low: "low",
  informational: "low",
};

/** A compiled rule. */
export interface SigmaRule {
  /** `sigma:` and the rule's `id` (its file name when it has none). */
  ruleId: string;
  title: string;
  status: SigmaStatus | undefined;
  severity: Severity;
  /** The rule's `author`, shown with every finding (the Detection Rule License asks for it). */
  author: string | null;
  /** A link to the rule: the rule set for bundled rules, the rule's first reference for others. */
  reference: string | null;
  /** ATT&CK tags (`attack.*`). */
  tags: string[];
  /** Where it came from, for messages. */
  file: string;
  /**
   * The first of {@link INDEX_FIELDS} whose value the rule fixes, and the case-folded values a matching
   * record must have there; undefined when it fixes none (the rule is tested on every record).
   */
  indexKey: { field: IndexField; values: ReadonlySet<string> } | undefined;
  matches: RecordTest;
}

/**
 * Fields whose exact value most rules fix, by which rules are indexed: the first one a rule fixes
 * decides which records it is tested on.
 */
export const INDEX_FIELDS = ["eventName", "eventSource", "userIdentity.type", "userAgent"] as const;

/** One of {@link INDEX_FIELDS}. */
export type IndexField = typeof INDEX_FIELDS[number];

/** Why a rule file is refused: one line naming the file. */
export class SigmaRuleError extends Error {
  constructor(readonly file: string, reason: string) {
    super(`Sigma rule ${file}: ${reason}`);
    this.name = "SigmaRuleError";
  }
}

/** Where a rule comes from. */
export interface RuleSource {
  /** The file's path (or, for bundled rules, its name). */
  file: string;
  text: string;
  /** The rule's link when it is bundled (in the rule set at the vendored commit). */
  bundledLink?: string;
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

/** The exact values of `field` a search identifier demands (case-folded), if it demands any. */
function demandedValues(definition: unknown, field: string): Set<string> | undefined {
  if (Array.isArray(definition)) {
    const sets = definition.map((item) => demandedValues(item, field));
    if (sets.length === 0 || sets.some((set) => set === undefined)) return undefined;
    return new Set(sets.flatMap((set) => [...set!]));
  }
  if (typeof definition !== "object" || definition === null || !Object.hasOwn(definition, field)) {
    return undefined;
  }
  const value = (definition as Record<string, unknown>)[field];
  const values = Array.isArray(value) ? value : [value];
  const plain = values.map((item) => {
    if (typeof item !== "string") return undefined;
    const pieces = wildcardPieces(item);
    return pieces.length === 1 && typeof pieces[0] === "object" ? caseFold(pieces[0].text) : undefined;
  });
  return plain.every((name) => name !== undefined) ? new Set(plain as string[]) : undefined;
}

/** The values (of one field) a condition can only be true with; undefined: any. */
function conditionValues(
  condition: Condition,
  identifiers: readonly string[],
  names: ReadonlyMap<string, Set<string> | undefined>,
): Set<string> | undefined {
  const union = (sets: (Set<string> | undefined)[]) =>
    sets.some((set) => set === undefined) ? undefined : new Set(sets.flatMap((set) => [...set!]));
  const intersection = (sets: (Set<string> | undefined)[]) => {
    const known = sets.filter((set) => set !== undefined);
    if (known.length === 0) return undefined;
    return new Set([...known[0]!].filter((name) => known.every((set) => set.has(name))));
  };
  switch (condition.kind) {
    case "identifier":
      return names.get(condition.name);
    case "not":
      return undefined;
    case "of": {
      const sets = identifiersOf(condition.target, identifiers).map((name) => names.get(name));
      return condition.quantifier === "one" ? union(sets) : intersection(sets);
    }
    case "and":
      return intersection(condition.operands.map((operand) => conditionValues(operand, identifiers, names)));
    case "or":
      return union(condition.operands.map((operand) => conditionValues(operand, identifiers, names)));
  }
}

// Plain loops: these run for every record a rule is tested on.
function anyOf(tests: readonly RecordTest[]): RecordTest {
  if (tests.length === 1) return tests[0]!;
  return (record) => {
    for (const test of tests) if (test(record)) return true;
    return false;
  };
}

function everyOf(tests: readonly RecordTest[]): RecordTest {
  if (tests.length === 1) return tests[0]!;
  return (record) => {
    for (const test of tests) if (!test(record)) return false;
    return true;
  };
}

function compileCondition(condition: Condition, searches: ReadonlyMap<string, RecordTest>): RecordTest {
  const identifiers = [...searches.keys()];
  switch (condition.kind) {
    case "identifier": {
      const search = searches.get(condition.name);
      if (search === undefined) {
        throw new ConditionError(`the condition names '${condition.name}', which is not defined`);
      }
      return search;
    }
    case "not": {
      const operand = compileCondition(condition.operand, searches);
      return (record) => !operand(record);
    }
    case "of": {
      const names = identifiersOf(condition.target, identifiers);
      if (names.length === 0) throw new ConditionError(`'${condition.target}' matches no search identifier`);
      return condition.quantifier === "one"
        ? anyOf(names.map((name) => searches.get(name)!))
        : everyOf(names.map((name) => searches.get(name)!));
    }
    case "and":
      return everyOf(condition.operands.map((operand) => compileCondition(operand, searches)));
    case "or":
      return anyOf(condition.operands.map((operand) => compileCondition(operand, searches)));
  }
}

/**
 * Compiles a rule file.
 * @throws {SigmaRuleError} when the file is not a Sigma detection rule for CloudTrail this evaluator supports
 */
export function compileSigmaRule(source: RuleSource): SigmaRule {
  const refuse = (reason: string): never => {
    throw new SigmaRuleError(source.file, reason);
  };
  // SigmaHQ rules sometimes repeat a key (one has `level` twice): the last one counts.
  const documents = parseAllDocuments(source.text, { uniqueKeys: false });
  if (!Array.isArray(documents)) return refuse("no YAML document in the file");
  if (documents.length !== 1) {
    return refuse("several YAML documents (rule collections, correlations) are not supported");
  }
  const document = documents[0]!;
  if (document.errors.length > 0) return refuse(`not valid YAML: ${document.errors[0]!.message.split("\n")[0]}`);
  const rule: unknown = document.toJS();
  if (typeof rule !== "object" || rule === null || Array.isArray(rule)) return refuse("not a YAML map");
  const fields = rule as Record<string, unknown>;
  if (fields.correlation !== undefined) return refuse("correlation rules are not supported");
  if (fields.filter !== undefined) return refuse("Sigma filters are not supported");
  const title = text(fields.title) ?? refuse("no title");
  const logsource = fields.logsource as Record<string, unknown> | undefined;
  if (typeof logsource !== "object" || logsource === null) return refuse("no logsource");
  if (logsource.product !== "aws" || (logsource.service !== undefined && logsource.service !== "cloudtrail")) {
    return refuse(
      `logsource is product ${logsource.product ?? "(none)"}, service ${logsource.service ?? "(none)"}: ` +
        "only product aws, service cloudtrail is read",
    );
  }
  const status = fields.status;
  if (status !== undefined && !SIGMA_STATUSES.includes(status as SigmaStatus)) {
    return refuse(`unknown status '${status}'`);
  }
  const level = fields.level ?? "low";
  const severity = LEVELS[String(level)] ?? refuse(`unknown level '${level}'`);
  const detection = fields.detection as Record<string, unknown> | undefined;
  if (typeof detection !== "object" || detection === null) return refuse("no detection");
  if (detection.timeframe !== undefined) return refuse("timeframe (aggregation over time) is not supported");
  const conditionTexts = Array.isArray(detection.condition) ? detection.condition : [detection.condition];
  if (conditionTexts.length === 0 || !conditionTexts.every((condition) => typeof condition === "string")) {
    return refuse("the detection has no condition");
  }

  const searches = new Map<string, RecordTest>();
  for (const [identifier, definition] of Object.entries(detection)) {
    if (identifier === "condition") continue;
    try {
      searches.set(identifier, compileSearch(definition));
    } catch (error) {
      if (error instanceof DetectionError) refuse(`search identifier '${identifier}': ${error.message}`);
      throw error;
    }
  }
  let matches: RecordTest;
  let indexKey: SigmaRule["indexKey"];
  try {
    const conditions = (conditionTexts as string[]).map(parseCondition);
    // A list of conditions means any of them.
    const condition: Condition = conditions.length === 1 ? conditions[0]! : { kind: "or", operands: conditions };
    matches = compileCondition(condition, searches);
    const identifiers = [...searches.keys()];
    for (const field of INDEX_FIELDS) {
      const demanded = new Map(identifiers.map((name) => [name, demandedValues(detection[name], field)]));
      const values = conditionValues(condition, identifiers, demanded);
      if (values === undefined) continue;
      indexKey = { field, values };
      break;
    }
  } catch (error) {
    if (error instanceof ConditionError) return refuse(error.message);
    throw error;
  }

  const id = text(fields.id) ?? source.file.replace(/^.*[\\/]/, "").replace(/\.ya?ml$/, "");
  const references = Array.isArray(fields.references) ? fields.references.filter((item) => text(item)) : [];
  return {
    ruleId: `sigma:${id}`,
    title,
    status: status as SigmaStatus | undefined,
    severity,
    author: text(fields.author) ?? null,
    reference: source.bundledLink ?? (references[0] as string | undefined) ?? null,
    tags: Array.isArray(fields.tags) ? fields.tags.filter((tag) => String(tag).startsWith("attack.")).map(String) : [],
    file: source.file,
    indexKey,
    matches,
  };
}
