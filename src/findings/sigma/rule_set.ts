/**
 * The Sigma rules of a run: the bundled SigmaHQ CloudTrail set and a team's own, compiled once,
 * filtered by status and indexed by `eventName` so that a record is tested against few rules. Pure.
 */
import { BUNDLED_RULE_FILES } from "./builtin_rules.ts";
import { caseFold, isAscii } from "./case_fold.ts";
import type { ActivityRecord } from "../../summary/types.ts";
import { equalsIgnoringCase, type TextTest } from "./string_pattern.ts";
import {
  compileSigmaRule,
  INDEX_FIELDS,
  type IndexField,
  type RuleSource,
  type SigmaRule,
  SigmaRuleError,
  type SigmaStatus,
} from "./rule.ts";

/** The SigmaHQ commit the bundled rules were copied from (see NOTICE.md). */
export const RULE_SET_COMMIT = "8eaafff1f2845a696050e05e72ba1140ee190698";

/** The bundled rule set, as the Detection Rule License asks it to be linked. */
export const RULE_SET_LINK = `https://github.com/SigmaHQ/sigma/tree/${RULE_SET_COMMIT}/rules/cloud/aws/cloudtrail`;

/** The statuses read when `--sigma-status` is not given. */
export const DEFAULT_SIGMA_STATUSES: readonly SigmaStatus[] = ["stable", "test", "experimental"];

/** A bundled rule's link in the rule set. */
export function bundledRuleLink(file: string): string {
  return `https://github.com/SigmaHQ/sigma/blob/${RULE_SET_COMMIT}/rules/cloud/aws/cloudtrail/${file}`;
}

/** The bundled rule files as sources. */
export function bundledRuleSources(): RuleSource[] {
  return BUNDLED_RULE_FILES.map(({ file, text }) => ({ file, text, bundledLink: bundledRuleLink(file) }));
}

/** Rules compiled, and the files refused (one error each, its message one line naming the file). */
export interface CompiledRules {
  rules: SigmaRule[];
  /** The sources of `rules` (structured-cloneable: a worker compiles them again). */
  sources: RuleSource[];
  refused: SigmaRuleError[];
}

/**
 * Compiles rule files, keeps those whose status is wanted (a rule without a status counts as
 * wanted only when no statuses were chosen), refuses a second rule with an id already loaded.
 * @param statuses the `--sigma-status` values, or undefined for the default (all but deprecated and unsupported)
 */
export function compileRules(
  sources: readonly RuleSource[],
  statuses: readonly SigmaStatus[] | undefined,
): CompiledRules {
  const rules: SigmaRule[] = [];
  const accepted: RuleSource[] = [];
  const refused: SigmaRuleError[] = [];
  const files = new Map<string, string>();
  for (const source of sources) {
    let rule: SigmaRule;
    try {
      rule = compileSigmaRule(source);
    } catch (error) {
      if (!(error instanceof SigmaRuleError)) throw error;
      refused.push(error);
      continue;
    }
    const earlier = files.get(rule.ruleId);
    if (earlier !== undefined) {
      refused.push(new SigmaRuleError(source.file, `id ${rule.ruleId} is already loaded from ${earlier}`));
      continue;
    }
    files.set(rule.ruleId, source.file);
    const wanted = rule.status === undefined
      ? statuses === undefined
      : (statuses ?? DEFAULT_SIGMA_STATUSES).includes(rule.status);
    if (!wanted) continue;
    rules.push(rule);
    accepted.push(source);
  }
  return { rules, sources: accepted, refused };
}

/**
 * An index field's value in a record: the summary's own reading where it has one (no second lookup
 * in the record; "Unknown" for a missing one only adds candidates, which the rules then test).
 */
const INDEX_VALUE: Record<IndexField, (activity: ActivityRecord) => unknown> = {
  eventName: (activity) => activity.eventName,
  eventSource: (activity) => activity.eventSource,
  userAgent: (activity) => activity.userAgent,
  "userIdentity.type": (activity) => {
    const identity = activity.record.userIdentity;
    return typeof identity === "object" && identity !== null ? (identity as Record<string, unknown>).type : undefined;
  },
};

/**
 * The rules that may match records with one value of an index field. Looked up by the value's length
 * and compared in place, which costs less than hashing each record's text.
 */
class FieldIndex {
  readonly #read: (activity: ActivityRecord) => unknown;
  readonly #byFoldedValue = new Map<string, SigmaRule[]>();
  readonly #byLength: { equals: TextTest; rules: SigmaRule[] }[][] = [];
  /** Case folding never makes a text shorter, so a longer value cannot match. */
  readonly #longest: number;

  constructor(field: IndexField, rules: readonly SigmaRule[]) {
    this.#read = INDEX_VALUE[field];
    for (const rule of rules) {
      for (const value of rule.indexKey!.values) {
        let list = this.#byFoldedValue.get(value);
        if (list === undefined) this.#byFoldedValue.set(value, list = []);
        list.push(rule);
      }
    }
    for (const [value, list] of this.#byFoldedValue) {
      (this.#byLength[value.length] ??= []).push({ equals: equalsIgnoringCase(value), rules: list });
    }
    this.#longest = this.#byLength.length - 1;
  }

  /** The rules for this record's value of the field. */
  rulesFor(activity: ActivityRecord): readonly SigmaRule[] {
    const value = this.#read(activity);
    if (typeof value !== "string" || value.length > this.#longest) return NONE;
    const candidates = this.#byLength[value.length];
    if (candidates !== undefined) {
      for (let index = 0; index < candidates.length; index++) {
        if (candidates[index]!.equals(value)) return candidates[index]!.rules;
      }
    }
    // Only a text with other than ASCII letters can fold to another length.
    return isAscii(value) ? NONE : this.#byFoldedValue.get(caseFold(value)) ?? NONE;
  }
}

const NONE: readonly SigmaRule[] = [];

/**
 * Rules indexed by the value of the first index field they fix (`eventName`, else `eventSource`, ...),
 * so that a record is tested only against rules that can match it; rules fixing none are tested on
 * every record.
 * @example
 * ```ts
 * const set = new SigmaRuleSet(compileRules(bundledRuleSources(), undefined).rules);
 * set.matching(activity); // the rules that match this record
 * ```
 */
export class SigmaRuleSet {
  readonly rules: readonly SigmaRule[];
  readonly #indexes: FieldIndex[];
  readonly #everyRecord: readonly SigmaRule[];

  constructor(rules: readonly SigmaRule[]) {
    this.rules = rules;
    this.#everyRecord = rules.filter((rule) => rule.indexKey === undefined);
    this.#indexes = INDEX_FIELDS
      .map((field) => rules.filter((rule) => rule.indexKey?.field === field))
      .flatMap((indexed, position) => indexed.length === 0 ? [] : [new FieldIndex(INDEX_FIELDS[position]!, indexed)]);
  }

  /** The rules that match the record (usually none: a shared empty list, nothing allocated). */
  matching(activity: ActivityRecord): readonly SigmaRule[] {
    // Indexed loops: this runs for every record.
    const record = activity.record;
    let found: SigmaRule[] | undefined;
    for (let position = 0; position < this.#indexes.length; position++) {
      const rules = this.#indexes[position]!.rulesFor(activity);
      for (let index = 0; index < rules.length; index++) {
        if (rules[index]!.matches(record)) (found ??= []).push(rules[index]!);
      }
    }
    for (let index = 0; index < this.#everyRecord.length; index++) {
      if (this.#everyRecord[index]!.matches(record)) (found ??= []).push(this.#everyRecord[index]!);
    }
    return found ?? NONE;
  }
}
