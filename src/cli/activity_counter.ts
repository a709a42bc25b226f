/**
 * Everything that counts records, in one object: the five sections and record counts
 * (`EventSummarizer`), the principals table and the findings. Its state is plain Maps and
 * Sets, so a worker's counter can be sent back and merged: the result is the same as if one
 * counter had seen every record, whatever the order (counts add, times take min/max, sets unite).
 */
import { type Finding, FindingsCollector } from "../findings/findings.ts";
import { compileSigmaRule, type RuleSource } from "../findings/sigma/rule.ts";
import { SigmaRuleSet } from "../findings/sigma/rule_set.ts";
import { SigmaFindingsCollector, type SigmaOccurrences } from "../findings/sigma/sigma_findings.ts";
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
  sigma: ReadonlyMap<string, SigmaOccurrences>;
}

/** The summary, principals and findings counters together. */
export class ActivityCounter {
  readonly principals = new PrincipalActivity();
  readonly findings: FindingsCollector;
  readonly sigma: SigmaFindingsCollector;
  readonly summarizer: EventSummarizer;

  constructor(options: ActivityCounterOptions) {
    this.findings = new FindingsCollector(options.thresholds);
    const sigmaRules = new SigmaRuleSet((options.sigmaRules ?? []).map(compileSigmaRule));
    // After our own rules, so that a Sigma finding knows which of ours fired on the same record.
    this.sigma = new SigmaFindingsCollector(sigmaRules, () => this.findings.firedOnLastRecord);
    this.summarizer = new EventSummarizer(options.activityType, [this.principals, this.findings, this.sigma]);
  }

  /** Our findings and the Sigma ones, grouped and sorted. */
  allFindings(): Finding[] {
    return this.sigma.findings(this.findings.findings());
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
      sigma: this.sigma.state,
    };
  }

  /** Adds another counter's state. */
  merge(state: ActivityCounterState): void {
    this.summarizer.merge(state.counts, state.sections);
    this.principals.merge(state.principals);
    this.findings.merge(state.findings);
    this.sigma.merge(state.sigma);
  }
}
