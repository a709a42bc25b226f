/**
 * Findings from Sigma rules: each rule that matches a record counts for the record's principal,
 * with first and last seen, like our own rules. A Sigma finding that fired on the same records as
 * one of our own findings is grouped with it (`grouped_with`), so one incident does not read as two.
 * Pure.
 */
import { addSeen, compareFindings, type Finding, type Seen } from "../finding.ts";
import { earliest, latest } from "../../summary/time_bounds.ts";
import { isoTimestamp } from "../../summary/timestamps.ts";
import type { ActivityRecord } from "../../summary/types.ts";
import type { SigmaRule } from "./rule.ts";
import type { SigmaRuleSet } from "./rule_set.ts";

/** A finding of a Sigma rule: a {@link Finding} with the rule's author, link and ATT&CK tags. */
export interface SigmaFinding extends Finding {
  /** The rule's author: the Detection Rule License asks every finding to show it. */
  author: string | null;
  /** The rule in its rule set. */
  reference: string | null;
  tags: string[];
}

/** How often one Sigma rule matched one principal's records (structured-cloneable, for merging). */
export interface SigmaOccurrences extends Seen {
  rule: string;
  principal: string;
  /** The API calls matched (`eventSource:eventName`). */
  apiCalls: Set<string>;
  /** Our own rules that also fired on a matched record. */
  sharedWith: Set<string>;
}

/**
 * Tests each record against the Sigma rules that may match its `eventName`.
 * @example
 * ```ts
 * const sigma = new SigmaFindingsCollector(ruleSet, () => ownRulesFiredOnThisRecord);
 * sigma.observe(activity);
 * sigma.findings(ownFindings); // our findings and the Sigma ones, grouped and sorted
 * ```
 */
export class SigmaFindingsCollector {
  readonly #ruleSet: SigmaRuleSet;
  readonly #rules: ReadonlyMap<string, SigmaRule>;
  readonly #firedOnRecord: () => Iterable<string>;
  readonly #occurrences = new Map<string, SigmaOccurrences>();

  /**
   * @param firedOnRecord our own rules that fired on the record being observed (observed first)
   */
  constructor(ruleSet: SigmaRuleSet, firedOnRecord: () => Iterable<string> = () => []) {
    this.#ruleSet = ruleSet;
    this.#rules = new Map(ruleSet.rules.map((rule) => [rule.ruleId, rule]));
    this.#firedOnRecord = firedOnRecord;
  }

  /** Tests one record. */
  observe(activity: ActivityRecord): void {
    const matching = this.#ruleSet.matching(activity);
    for (let index = 0; index < matching.length; index++) this.#add(matching[index]!.ruleId, activity);
  }

  /** The state to merge elsewhere (live: do not change it). */
  get state(): ReadonlyMap<string, SigmaOccurrences> {
    return this.#occurrences;
  }

  /** Adds another collector's state (a worker's). */
  merge(state: ReadonlyMap<string, SigmaOccurrences>): void {
    for (const [key, other] of state) {
      const occurrences = this.#occurrences.get(key);
      if (occurrences === undefined) {
        this.#occurrences.set(key, other);
        continue;
      }
      addSeen(occurrences, other);
      for (const call of other.apiCalls) occurrences.apiCalls.add(call);
      for (const rule of other.sharedWith) occurrences.sharedWith.add(rule);
    }
  }

  /**
   * Our findings and the Sigma ones in one list, most severe first (as {@link compareFindings}).
   * @param own our own rules' findings, sorted
   */
  findings(own: readonly Finding[]): (Finding | SigmaFinding)[] {
    const sigma = [...this.#occurrences.values()].map((occurrences): SigmaFinding => {
      const rule = this.#rules.get(occurrences.rule)!;
      const lead = own.find((finding) =>
        finding.principal === occurrences.principal && occurrences.sharedWith.has(finding.rule)
      );
      return {
        rule: rule.ruleId,
        severity: rule.severity,
        principal: occurrences.principal,
        api_call: occurrences.apiCalls.size === 1 ? [...occurrences.apiCalls][0]! : null,
        description: rule.title,
        count: occurrences.count,
        first_seen: occurrences.firstMs === undefined ? null : isoTimestamp(occurrences.firstMs),
        last_seen: occurrences.lastMs === undefined ? null : isoTimestamp(occurrences.lastMs),
        author: rule.author,
        reference: rule.reference,
        tags: rule.tags,
        ...(lead === undefined ? {} : { grouped_with: lead.rule }),
      };
    });
    return [...own, ...sigma].sort(compareFindings);
  }

  #add(rule: string, activity: ActivityRecord): void {
    const key = JSON.stringify([rule, activity.principal]);
    let occurrences = this.#occurrences.get(key);
    if (occurrences === undefined) {
      occurrences = {
        rule,
        principal: activity.principal,
        apiCalls: new Set(),
        count: 0,
        firstMs: undefined,
        lastMs: undefined,
        sharedWith: new Set(),
      };
      this.#occurrences.set(key, occurrences);
    }
    occurrences.count += 1;
    occurrences.apiCalls.add(activity.apiCall);
    for (const own of this.#firedOnRecord()) occurrences.sharedWith.add(own);
    occurrences.firstMs = earliest(occurrences.firstMs, activity.eventTimeMs);
    occurrences.lastMs = latest(occurrences.lastMs, activity.eventTimeMs);
  }
}
