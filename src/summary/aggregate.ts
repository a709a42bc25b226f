/** Counting records into the five sections of the summary. Pure. */
import { type ActivityRecord, type CountSection, SECTION_NAMES, type SectionName } from "./types.ts";

type Counts = Map<string, Map<string, number>>;

/** The aggregator's counts as plain Maps: structured-cloneable, so a worker's counts can be merged. */
export type AggregatorState = Record<SectionName, Counts>;

function increment(counts: Counts, key: string, subKey: string): void {
  let inner = counts.get(key);
  if (inner === undefined) {
    inner = new Map();
    counts.set(key, inner);
  }
  inner.set(subKey, (inner.get(subKey) ?? 0) + 1);
}

/** Own data properties only: a key such as `__proto__` stays a plain key. */
function toSection(counts: Counts): CountSection {
  return Object.fromEntries([...counts].map(([key, inner]) => [key, Object.fromEntries(inner)]));
}

/**
 * Counts records into Maps; never keeps the records.
 *
 * @example
 * ```ts
 * const aggregator = new SummaryAggregator();
 * aggregator.add(describeRecord({ eventSource: "s3.amazonaws.com", eventName: "ListBuckets" }, "us-east-1"));
 * aggregator.sections().api_calls_by_region; // { "us-east-1": { "s3.amazonaws.com:ListBuckets": 1 } }
 * ```
 */
export class SummaryAggregator {
  readonly #sections: Record<SectionName, Counts> = Object.fromEntries(
    SECTION_NAMES.map((name) => [name, new Map()]),
  ) as Record<SectionName, Counts>;

  /** Counts one record. */
  add(activity: ActivityRecord): void {
    const sections = this.#sections;
    increment(sections.api_calls_by_principal, activity.principal, activity.apiCall);
    increment(sections.api_calls_by_region, activity.region, activity.apiCall);
    if (activity.errorCode !== undefined) {
      increment(sections.error_codes_by_principal, activity.principal, activity.errorCode);
    }
    increment(sections.ip_addresses_by_principal, activity.principal, activity.ipAddress);
    increment(sections.user_agents_by_principal, activity.principal, activity.userAgent);
  }

  /** The counts so far, for {@link SummaryAggregator.merge} elsewhere (the live Maps: do not change them). */
  get state(): AggregatorState {
    return this.#sections;
  }

  /** Adds counts made by another aggregator (a worker's): the result is as if this one had seen its records. */
  merge(state: AggregatorState): void {
    for (const name of SECTION_NAMES) {
      const counts = this.#sections[name];
      for (const [key, inner] of state[name]) {
        let mine = counts.get(key);
        if (mine === undefined) {
          mine = new Map();
          counts.set(key, mine);
        }
        for (const [subKey, count] of inner) mine.set(subKey, (mine.get(subKey) ?? 0) + count);
      }
    }
  }

  /** The five sections as plain objects (keys in insertion order; the JSON writer sorts them). */
  sections(): Record<SectionName, CountSection> {
    return Object.fromEntries(
      SECTION_NAMES.map((name) => [name, toSection(this.#sections[name])]),
    ) as Record<SectionName, CountSection>;
  }
}
