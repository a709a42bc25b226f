/** The `principals` section: when each principal was first and last seen, and how busy it was. Pure. */
import { isoTimestamp } from "../summary/timestamps.ts";
import { earliest, latest } from "../summary/time_bounds.ts";
import type { ActivityRecord } from "../summary/types.ts";

/** One principal's row of the `principals` section. */
export interface PrincipalRow {
  /** ISO 8601 UTC, or null when no record of it had a readable eventTime. */
  first_seen: string | null;
  last_seen: string | null;
  total_calls: number;
  failed_calls: number;
  distinct_regions: number;
  distinct_source_ips: number;
}

/** One principal's running tally (structured-cloneable, so a worker's tallies can be merged). */
export interface Tally {
  firstMs: number | undefined;
  lastMs: number | undefined;
  total: number;
  failed: number;
  regions: Set<string>;
  sourceIps: Set<string>;
}

/**
 * Tallies each principal's activity as records go by.
 * @example
 * ```ts
 * const principals = new PrincipalActivity();
 * principals.observe(activity);
 * principals.section(); // { "111122223333:user/alice": { first_seen: "...", total_calls: 1, ... } }
 * ```
 */
export class PrincipalActivity {
  readonly #tallies = new Map<string, Tally>();

  /** Counts one record. */
  observe(activity: ActivityRecord): void {
    let tally = this.#tallies.get(activity.principal);
    if (tally === undefined) {
      tally = { firstMs: undefined, lastMs: undefined, total: 0, failed: 0, regions: new Set(), sourceIps: new Set() };
      this.#tallies.set(activity.principal, tally);
    }
    tally.total += 1;
    if (!activity.successful) tally.failed += 1;
    tally.regions.add(activity.region);
    tally.sourceIps.add(activity.ipAddress);
    const time = activity.eventTimeMs;
    if (time !== undefined) {
      if (tally.firstMs === undefined || time < tally.firstMs) tally.firstMs = time;
      if (tally.lastMs === undefined || time > tally.lastMs) tally.lastMs = time;
    }
  }

  /** The tallies so far, for {@link PrincipalActivity.merge} elsewhere (live: do not change them). */
  get state(): ReadonlyMap<string, Tally> {
    return this.#tallies;
  }

  /** Adds another collector's tallies (a worker's): the result is as if this one had seen its records. */
  merge(state: ReadonlyMap<string, Tally>): void {
    for (const [principal, other] of state) {
      const tally = this.#tallies.get(principal);
      if (tally === undefined) {
        this.#tallies.set(principal, other);
        continue;
      }
      tally.total += other.total;
      tally.failed += other.failed;
      for (const region of other.regions) tally.regions.add(region);
      for (const ip of other.sourceIps) tally.sourceIps.add(ip);
      tally.firstMs = earliest(tally.firstMs, other.firstMs);
      tally.lastMs = latest(tally.lastMs, other.lastMs);
    }
  }

  /** The section, one row per principal. */
  section(): Record<string, PrincipalRow> {
    return Object.fromEntries([...this.#tallies].map(([principal, tally]) => [principal, {
      first_seen: tally.firstMs === undefined ? null : isoTimestamp(tally.firstMs),
      last_seen: tally.lastMs === undefined ? null : isoTimestamp(tally.lastMs),
      total_calls: tally.total,
      failed_calls: tally.failed,
      distinct_regions: tally.regions.size,
      distinct_source_ips: tally.sourceIps.size,
    }]));
  }
}
