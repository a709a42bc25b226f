/** Turns source events into counts: parse, derive keys, filter, hand on. Pure. */
import { describeRecord, matchesActivityType, parseRecord } from "./activity_record.ts";
import { type AggregatorState, SummaryAggregator } from "./aggregate.ts";
import type { ActivityRecord, ActivityType, SourceEvent } from "./types.ts";

/** Anything that looks at each counted record (the principals table, the findings). */
export interface ActivityObserver {
  observe(activity: ActivityRecord): void;
}

/** How many records the summarizer saw, by fate; written into `_metadata`. */
export interface RecordCounts {
  /** Every record handed in, before the activity-type filter. */
  records_read: number;
  /** Records that passed the filter and were counted. */
  records_counted: number;
  /** Records whose text is not a JSON object: skipped, never a crash. */
  records_unreadable: number;
  /** Readable records whose identity fitted no rule of the spec (counted with the fallback principal). */
  records_with_unrecognized_identity: number;
}

/**
 * Counts events one at a time; never keeps them.
 *
 * @example
 * ```ts
 * const summarizer = new EventSummarizer("ALL");
 * summarizer.add({ region: "us-east-1", cloudTrailEvent: '{"eventSource":"s3.amazonaws.com"}' });
 * summarizer.aggregator.sections().api_calls_by_region; // { "us-east-1": { "s3.amazonaws.com:Unknown": 1 } }
 * ```
 */
export class EventSummarizer {
  /** The five count sections. */
  readonly aggregator = new SummaryAggregator();
  readonly #activityType: ActivityType;
  readonly #observers: readonly ActivityObserver[];
  readonly #counts: RecordCounts = {
    records_read: 0,
    records_counted: 0,
    records_unreadable: 0,
    records_with_unrecognized_identity: 0,
  };

  constructor(
    activityType: ActivityType,
    observers: readonly ActivityObserver[] = [],
  ) {
    this.#activityType = activityType;
    this.#observers = observers;
  }

  /** Adds counts made by another summarizer (a worker's); its observers are merged by their owners. */
  merge(counts: RecordCounts, aggregatorState: AggregatorState): void {
    for (const key of Object.keys(this.#counts) as (keyof RecordCounts)[]) this.#counts[key] += counts[key];
    this.aggregator.merge(aggregatorState);
  }

  /** The counts so far (a copy). */
  get counts(): RecordCounts {
    return { ...this.#counts };
  }

  /** Parses and counts one event. */
  add(event: SourceEvent): void {
    const record = parseRecord(event.cloudTrailEvent);
    if (record === undefined) this.addUnreadable();
    else this.addRecord(record, event.region);
  }

  /** Counts a record that is not a JSON object (a file source found it already parsed). */
  addUnreadable(): void {
    this.#counts.records_read += 1;
    this.#counts.records_unreadable += 1;
  }

  /** Counts one record parsed already (trail files are parsed whole, not record by record). */
  addRecord(record: Record<string, unknown>, region: string): void {
    this.#counts.records_read += 1;
    const activity = describeRecord(record, region);
    if (!activity.identityRecognized) {
      this.#counts.records_with_unrecognized_identity += 1;
    }
    if (!matchesActivityType(activity, this.#activityType)) return;
    this.#counts.records_counted += 1;
    this.aggregator.add(activity);
    for (const observer of this.#observers) observer.observe(activity);
  }
}
