/**
 * The Sigma rules of a run: the bundled SigmaHQ CloudTrail set and a team's own, compiled once,
 * filtered by status and indexed by `eventName` so that a record is tested against few rules. Pure.
 */
import { BUNDLED_RULE_FILES } from "./builtin_rules.ts";
import { caseFold } from "./case_fold.ts";
import { compileSigmaRule, type RuleSource, type SigmaRule, SigmaRuleError, type SigmaStatus } from "./rule.ts";

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
 * Rules by the `eventName` they need. Rules that can match any event name are tested on every record.
 * @example
 * ```ts
 * const set = new SigmaRuleSet(compileRules(bundledRuleSources(), undefined).rules);
 * set.candidates("StopLogging"); // the rules that may match a StopLogging record
 * ```
 */
export class SigmaRuleSet {
  readonly rules: readonly SigmaRule[];
  readonly #byEventName = new Map<string, SigmaRule[]>();
  readonly #anyEventName: SigmaRule[];

  constructor(rules: readonly SigmaRule[]) {
    this.rules = rules;
    this.#anyEventName = rules.filter((rule) => rule.eventNames === undefined);
    for (const rule of rules) {
      for (const name of rule.eventNames ?? []) {
        let list = this.#byEventName.get(name);
        if (list === undefined) this.#byEventName.set(name, list = [...this.#anyEventName]);
        list.push(rule);
      }
    }
  }

  /** The rules a record with this `eventName` may match, in a stable order. */
  candidates(eventName: unknown): readonly SigmaRule[] {
    if (typeof eventName !== "string") return this.#anyEventName;
    return this.#byEventName.get(eventName) ?? this.#byEventName.get(caseFold(eventName)) ?? this.#anyEventName;
  }
}
