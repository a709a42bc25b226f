/**
 * Everything that counts records, in one object: the five sections and record counts
 * (`EventSummarizer`), the principals table and the findings. Its state is plain Maps and
 * Sets, so a worker's counter can be sent back and merged: the result is the same as if one
 * counter had seen every record, whatever the order (counts add, times take min/max, sets unite).
 */
import { FindingsCollector } from "../findings/findings.ts";
import { compileSigmaRule, type RuleSource } from "../findings/sigma/rule.ts";
import { SigmaRuleSet } from "../findings/sigma/rule_set.ts";
import { PrincipalActivity, type Tally } from "../findings/principals.ts";
import type { AnomalyThresholds, FindingsState } from "../findings/findings.ts";
import type { AggregatorState } from "../summary/aggregate.ts";
import { EventSummarizer, type RecordCounts } from "../summary/summarizer.ts";
import type { ActivityType, SourceEvent } from "../summary/types.ts";

/** What decides the counts: structured-cloneable, so a worker builds the same counter. */
export interface ActivityCounterOptions {
  activityType: ActivityType;
  thresholds: Partial<AnomalyThresholds>;
  /** The Sigma rules' files as `loadSigmaRules` accepted them (compiled here: compiled rules cannot be sent). */
  sigmaRules?: RuleSource[];
}

/** A counter's state, sent from a worker to be merged. */
export interface ActivityCounterState {
  counts: RecordCounts;
  sections: AggregatorState;
  principals: ReadonlyMap<string, Tally>;
  findings: FindingsState;
}

/** The summary, principals and findings counters together. */
export class ActivityCounter {
  readonly principals = new PrincipalActivity();
  readonly findings: FindingsCollector;
  readonly summarizer: EventSummarizer;

  constructor(options: ActivityCounterOptions) {
    const sigmaRules = options.sigmaRules === undefined
      ? undefined
      : new SigmaRuleSet(options.sigmaRules.map(compileSigmaRule));
    this.findings = new FindingsCollector(options.thresholds, sigmaRules);
    this.summarizer = new EventSummarizer(options.activityType, [this.principals, this.findings]);
  }

  /** Counts one event as a source hands it on (record text). */
  add(event: SourceEvent): void {
    this.summarizer.add(event);
  }

  /** Counts one record already parsed. */
  addRecord(record: Record<string, unknown>, region: string): void {
    this.summarizer.addRecord(record, region);
  }

  /** Counts a record that is not a JSON object. */
  addUnreadable(): void {
    this.summarizer.addUnreadable();
  }

  /** Everything counted so far (live Maps: send or merge it, do not change it). */
  get state(): ActivityCounterState {
    return {
      counts: this.summarizer.counts,
      sections: this.summarizer.aggregator.state,
      principals: this.principals.state,
      findings: this.findings.state,
    };
  }

  /** Adds another counter's state. */
  merge(state: ActivityCounterState): void {
    this.summarizer.merge(state.counts, state.sections);
    this.principals.merge(state.principals);
    this.findings.merge(state.findings);
  }
}
