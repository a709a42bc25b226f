/** Run-wide tallies of a trail file source: files, bytes, records and where they came from. Pure. */
import { earliest, latest } from "../summary/time_bounds.ts";
import { isoTimestamp } from "../summary/timestamps.ts";
import type { FileTally, RegionTally } from "./trail_records.ts";

/** Names of files that are not CloudTrail, listed in `_metadata` up to this many (all are counted). */
const NAMES_LISTED = 100;

function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

/** What a trail source read, added up file by file. */
export class TrailTally {
  filesListed = 0;
  bytesListed = 0;
  filesDone = 0;
  bytesDone = 0;
  filesRead = 0;
  filesEmpty = 0;
  keysNotInLayout = 0;
  recordsInFiles = 0;
  recordsCounted = 0;
  recordsOfOtherCategories = 0;
  recordsOfOtherAccountsOrRegions = 0;
  recordsOutsideWindow = 0;
  readonly recordsByCategory: Record<string, number> = {};
  readonly skipped: Record<string, number> = {};
  readonly notCloudTrail: string[] = [];
  readonly failed: Record<string, string> = {};
  readonly regions: Record<string, RegionTally> = {};
  readonly accounts: Record<string, number> = {};

  /** A file found by the listing, to be read. */
  listed(bytes: number): void {
    this.filesListed += 1;
    this.bytesListed += bytes;
  }

  /** A listed file skipped without counting (digest, Insight, not CloudTrail). */
  skippedFile(kind: string, name: string, bytes: number): void {
    this.#done(bytes);
    this.skipped[kind] = (this.skipped[kind] ?? 0) + 1;
    if (kind === "not_cloudtrail" && this.notCloudTrail.length < NAMES_LISTED) this.notCloudTrail.push(name);
  }

  /** A listed file that could not be read or parsed. */
  failedFile(name: string, code: string, bytes: number): void {
    this.#done(bytes);
    this.failed[name] = code;
  }

  /** A file counted. */
  readFile(tally: FileTally, bytes: number): void {
    this.#done(bytes);
    this.filesRead += 1;
    if (tally.records === 0) this.filesEmpty += 1;
    this.recordsInFiles += tally.records;
    this.recordsOfOtherCategories += tally.recordsOfOtherCategories;
    this.recordsOfOtherAccountsOrRegions += tally.recordsOfOtherAccountsOrRegions;
    this.recordsOutsideWindow += tally.recordsOutsideWindow;
    addCounts(this.recordsByCategory, tally.recordsByCategory);
    addCounts(this.accounts, tally.accounts);
    for (const [region, other] of Object.entries(tally.regions)) {
      this.recordsCounted += other.records;
      const mine = this.regions[region] ??= { records: 0, oldestMs: undefined, newestMs: undefined };
      mine.records += other.records;
      mine.oldestMs = earliest(mine.oldestMs, other.oldestMs);
      mine.newestMs = latest(mine.newestMs, other.newestMs);
    }
  }

  /** Oldest and newest event time counted, over all regions. */
  get timeSpan(): { oldestMs: number | undefined; newestMs: number | undefined } {
    const tallies = Object.values(this.regions);
    return {
      oldestMs: tallies.reduce<number | undefined>((oldest, tally) => earliest(oldest, tally.oldestMs), undefined),
      newestMs: tallies.reduce<number | undefined>((newest, tally) => latest(newest, tally.newestMs), undefined),
    };
  }

  /** The `_metadata` keys this tally fills. */
  metadata(): Record<string, unknown> {
    const time = (ms: number | undefined) => ms === undefined ? null : isoTimestamp(ms);
    return {
      accounts_seen: { ...this.accounts },
      regions_seen: Object.fromEntries(
        Object.entries(this.regions).map(([region, tally]) => [region, {
          records: tally.records,
          oldest_event_time: time(tally.oldestMs),
          newest_event_time: time(tally.newestMs),
        }]),
      ),
      files: {
        listed: this.filesListed,
        read: this.filesRead,
        empty: this.filesEmpty,
        bytes_read: this.bytesDone,
        skipped: { ...this.skipped },
        not_cloudtrail: [...this.notCloudTrail],
        failed: { ...this.failed },
        keys_not_in_layout: this.keysNotInLayout,
      },
      records_in_files: this.recordsInFiles,
      records_by_category: { ...this.recordsByCategory },
      records_of_other_categories: this.recordsOfOtherCategories,
      records_of_other_accounts_or_regions: this.recordsOfOtherAccountsOrRegions,
      records_outside_window: this.recordsOutsideWindow,
    };
  }

  #done(bytes: number): void {
    this.filesDone += 1;
    this.bytesDone += bytes;
  }
}
