/**
 * LookupEvents through the incremental cache, as an {@link EventSource}: per region, replays the cached
 * records of the window, asks LookupEvents only for the gaps, and afterwards adds what it fetched to the
 * cache. Everything after the source sees the same events a plain LookupEvents run would hand on.
 *
 * Late delivery: CloudTrail may show an event up to about 15 minutes after it happened, so the newest
 * {@link CachedLookupEventsOptions.lateDeliveryMilliseconds} before the run's time are never claimed as
 * covered; they are fetched again next time. Events are deduplicated by `eventID` per region.
 */
import type { SourceEvent } from "../../summary/types.ts";
import type { EventSink, EventSource, PartitionProgress, PartitionStatus } from "../event_source.ts";
import { LookupEventsSource, type LookupEventsSourceOptions, type TimeWindow } from "../lookup_events.ts";
import { CacheDamageError, type CacheIndex } from "./cache_index.ts";
import { cacheRecordOf } from "./cache_records.ts";
import { contains, intersect, type Interval, subtract, utcDay } from "./intervals.ts";
import { type RecordFileWriter, RegionCache } from "./region_cache.ts";

/** CloudTrail delivers nearly every event within 15 minutes; 20 leaves a margin. */
export const LATE_DELIVERY_MILLISECONDS = 20 * 60_000;
/** LookupEvents keeps 90 days; older cache entries are pruned. */
export const CACHE_RETENTION_MILLISECONDS = 90 * 86_400_000;

/** What {@link CachedLookupEventsSource} reads and where it caches. */
export interface CachedLookupEventsOptions {
  /** The LookupEvents source's options (regions, window, pacing); `regionWindows` is set here. */
  lookup: Omit<LookupEventsSourceOptions, "regionWindows" | "lookupAttribute">;
  /** The cache folder (`--cache-dir`). */
  cacheDirectory: string;
  accountId: string;
  lateDeliveryMilliseconds?: number;
  retentionMilliseconds?: number;
  /** One line per problem with the cache (a damaged file, a commit that failed); the run goes on. */
  warn(line: string): void;
}

/** Per region: where its records came from. */
export interface RegionCacheReport {
  recordsFromCache: number;
  recordsFetched: number;
  /** The windows asked of LookupEvents (`[start, end)`, epoch ms), oldest first. */
  fetchedIntervals: Interval[];
  damagedFiles: number;
  /** Whether this run's fetched records were added to the cache. */
  updated: boolean;
}

/** A region's progress: cached records first, then LookupEvents' live progress. */
class CachedPartition implements PartitionProgress {
  recordsFromCache = 0;
  recordsFetched = 0;
  #status: PartitionStatus = "reading";
  #cachedOldestMs: number | undefined;
  #cachedNewestMs: number | undefined;
  lookup: PartitionProgress | undefined;

  constructor(readonly name: string, readonly windowStartMs: number, readonly windowEndMs: number) {}

  get status(): PartitionStatus {
    return this.lookup?.status ?? this.#status;
  }
  set status(status: PartitionStatus) {
    if (this.lookup) this.lookup.status = status;
    else this.#status = status;
  }
  get errorCode(): string | undefined {
    return this.lookup?.errorCode;
  }
  get waitingFor(): string | undefined {
    return this.lookup?.waitingFor;
  }
  get events(): number {
    return this.recordsFromCache + this.recordsFetched;
  }
  get pages(): number {
    return this.lookup?.pages ?? 0;
  }
  get throttled(): number {
    return this.lookup?.throttled ?? 0;
  }
  get retries(): number {
    return this.lookup?.retries ?? 0;
  }
  get oldestEventTimeMs(): number | undefined {
    return extreme(Math.min, this.#cachedOldestMs, this.lookup?.oldestEventTimeMs);
  }
  get newestEventTimeMs(): number | undefined {
    return extreme(Math.max, this.#cachedNewestMs, this.lookup?.newestEventTimeMs);
  }

  sawCached(timeMs: number): void {
    this.#cachedOldestMs = extreme(Math.min, this.#cachedOldestMs, timeMs);
    this.#cachedNewestMs = extreme(Math.max, this.#cachedNewestMs, timeMs);
  }
}

function extreme(pick: (a: number, b: number) => number, a: number | undefined, b: number | undefined) {
  return a === undefined ? b : b === undefined ? a : pick(a, b);
}

/** What one region's read holds between its phases. */
interface RegionRun {
  readonly partition: CachedPartition;
  /** Undefined when the region's cache folder cannot be used: everything is fetched, nothing kept. */
  cache: RegionCache | undefined;
  /** Parts of the window to fetch, `[start, end)`. */
  gaps: Interval[];
  /** Event ids handed on, so no event is counted twice. */
  readonly seen: Set<string>;
  readonly damagedFiles: Set<string>;
  readonly staged: Map<string, RecordFileWriter>;
  /** Days holding a record the cache cannot store: not claimed, so they are fetched again. */
  readonly unstorableDays: Set<string>;
  updated: boolean;
}

/** LookupEvents with an incremental cache. */
export class CachedLookupEventsSource implements EventSource {
  readonly partitions: readonly CachedPartition[];
  readonly #options: CachedLookupEventsOptions;
  readonly #runId = crypto.randomUUID().replaceAll("-", "").slice(0, 16);
  readonly #runs = new Map<string, RegionRun>();

  constructor(options: CachedLookupEventsOptions) {
    this.#options = options;
    const { startTime, endTime } = options.lookup;
    this.partitions = options.lookup.regions.map((region) =>
      new CachedPartition(region, startTime.getTime(), endTime.getTime())
    );
  }

  /** Per region, records from the cache and fetched (complete after `read`). */
  report(): Record<string, RegionCacheReport> {
    return Object.fromEntries([...this.#runs].map(([region, run]) => [region, {
      recordsFromCache: run.partition.recordsFromCache,
      recordsFetched: run.partition.recordsFetched,
      fetchedIntervals: run.gaps,
      damagedFiles: run.damagedFiles.size,
      updated: run.updated,
    }]));
  }

  async read(sink: EventSink, signal: AbortSignal): Promise<void> {
    const nowMs = this.#options.lookup.clock.now();
    const lateMs = this.#options.lateDeliveryMilliseconds ?? LATE_DELIVERY_MILLISECONDS;
    // The window's end is inclusive, as LookupEvents' EndTime is.
    const window: Interval = {
      startMs: this.#options.lookup.startTime.getTime(),
      endMs: this.#options.lookup.endTime.getTime() + 1,
    };
    // Whole seconds, as event times are, so an event on the edge is plainly on one side.
    const claimable: Interval = { startMs: window.startMs, endMs: Math.floor((nowMs - lateMs) / 1000) * 1000 };
    const runs = await Promise.all(this.partitions.map((partition) => this.#replay(partition, window, sink, signal)));
    for (const run of runs) this.#runs.set(run.partition.name, run);

    const lookup = new LookupEventsSource({
      ...this.#options.lookup,
      // Newest first, as LookupEvents pages, so progress reads like a plain run's.
      regionWindows: new Map(runs.map((run) => [run.partition.name, lookupWindows(run.gaps)])),
    });
    lookup.partitions.forEach((progress, index) => (runs[index]!.partition.lookup = progress));
    try {
      await lookup.read((events) => this.#takeFetched(events, claimable, sink), signal);
    } finally {
      for (const run of runs) await this.#finish(run, claimable, nowMs);
    }
  }

  /** Hands on the cached records of the window; works out the gaps (damaged files become gaps). */
  async #replay(partition: CachedPartition, window: Interval, sink: EventSink, signal: AbortSignal) {
    const run: RegionRun = {
      partition,
      cache: undefined,
      gaps: [window],
      seen: new Set(),
      damagedFiles: new Set(),
      staged: new Map(),
      unstorableDays: new Set(),
      updated: false,
    };
    const region = partition.name;
    const { warn } = this.#options;
    let cache: RegionCache;
    let index: CacheIndex;
    try {
      cache = await RegionCache.open(this.#options.cacheDirectory, this.#options.accountId, region, this.#runId);
    } catch (error) {
      warn(`cache: not using the cache for ${region}: ${reason(error)}`);
      return run;
    }
    try {
      index = await cache.readIndex();
    } catch (error) {
      if (!(error instanceof CacheDamageError)) {
        warn(`cache: not using the cache for ${region}: ${reason(error)}`);
        return run;
      }
      warn(`cache: ignoring the damaged index of ${region} (${error.message}); fetching its window again`);
      index = { segments: [] };
    }
    const held: Interval[] = [];
    for (const segment of index.segments) {
      const wanted = intersect(segment.intervals, [window]);
      if (wanted.length === 0 || signal.aborted) continue;
      try {
        if (segment.file !== undefined) {
          for await (const batch of cache.readSegment(segment)) {
            const events: SourceEvent[] = [];
            for (const record of batch) {
              if (!contains(wanted, record.eventTimeMs) || !firstSight(run.seen, record.eventId)) continue;
              partition.sawCached(record.eventTimeMs);
              events.push({
                region,
                cloudTrailEvent: record.line,
                eventId: record.eventId,
                eventTime: new Date(record.eventTimeMs),
              });
            }
            partition.recordsFromCache += events.length;
            if (events.length > 0) await sink(events);
          }
        }
        held.push(...wanted);
      } catch (error) {
        // Records already handed on are in `seen`: fetching the interval again cannot double them.
        run.damagedFiles.add(segment.file!);
        warn(
          `cache: ignoring damaged file ${cache.pathOf(segment)} (${reason(error)}); fetching ${
            describeIntervals(wanted)
          } again`,
        );
      }
    }
    run.cache = cache;
    run.gaps = subtract([window], held);
    return run;
  }

  /** Fetched events: only those inside the gaps (LookupEvents' ends are inclusive), once each; staged. */
  async #takeFetched(events: readonly SourceEvent[], claimable: Interval, sink: EventSink): Promise<void> {
    const run = this.#runs.get(events[0]!.region)!;
    const handed: SourceEvent[] = [];
    const linesByDay = new Map<string, string[]>();
    for (const event of events) {
      const timeMs = event.eventTime?.getTime();
      if (timeMs !== undefined && !contains(run.gaps, timeMs)) continue;
      if (!firstSight(run.seen, event.eventId)) continue;
      handed.push(event);
      if (run.cache === undefined) continue;
      if (timeMs === undefined) {
        // Cannot be placed in a day: keep nothing of this region rather than claim time without it.
        run.cache = undefined;
        continue;
      }
      if (timeMs >= claimable.endMs) continue;
      const day = utcDay(timeMs);
      const record = cacheRecordOf(event.cloudTrailEvent);
      if (record === undefined) run.unstorableDays.add(day);
      else linesByDay.set(day, [...(linesByDay.get(day) ?? []), record.line]);
    }
    run.partition.recordsFetched += handed.length;
    for (const [day, lines] of linesByDay) {
      let writer = run.staged.get(day);
      if (writer === undefined) {
        writer = await run.cache!.createStagedFile(day);
        run.staged.set(day, writer);
      }
      await writer.write(lines);
    }
    if (handed.length > 0) await sink(handed);
  }

  /**
   * Adds what the region fetched to the cache: all of its gaps when it completed; when it was interrupted or
   * failed, only the time newer than the oldest event it fetched (LookupEvents pages newest first, and the gaps
   * were read newest first, so everything after that event's second is complete).
   */
  async #finish(run: RegionRun, claimable: Interval, nowMs: number): Promise<void> {
    const region = run.partition.name;
    try {
      const status = run.partition.status;
      const complete = status === "complete";
      const oldestFetchedMs = run.partition.lookup?.oldestEventTimeMs;
      // "reading": the read threw (a sink or staging error), so the staged files may lack records: keep nothing.
      if (run.cache === undefined || status === "reading" || (!complete && oldestFetchedMs === undefined)) return;
      for (const writer of run.staged.values()) await writer.close();
      const stagedFor = intersect(run.gaps, [claimable]);
      const completeFromMs = complete ? -Infinity : (Math.floor(oldestFetchedMs! / 1000) + 1) * 1000;
      const claims = intersect(stagedFor, [{ startMs: completeFromMs, endMs: Infinity }])
        .flatMap((interval) => subtract([interval], [...run.unstorableDays].map(dayInterval)));
      const result = await run.cache.commit({
        claims,
        stagedFor,
        staged: run.staged,
        damagedFiles: run.damagedFiles,
        pruneBeforeMs: nowMs - (this.#options.retentionMilliseconds ?? CACHE_RETENTION_MILLISECONDS),
      });
      run.updated = result.segmentsAdded > 0 || result.segmentsPruned > 0;
    } catch (error) {
      this.#options.warn(`cache: could not add ${region}'s records to the cache: ${reason(error)}`);
    } finally {
      for (const writer of run.staged.values()) await writer.discard();
    }
  }
}

/** Whether an id is new (and remembers it); events without an id always pass. */
function firstSight(seen: Set<string>, eventId: string | undefined): boolean {
  if (eventId === undefined) return true;
  if (seen.has(eventId)) return false;
  seen.add(eventId);
  return true;
}

/** The LookupEvents windows for gaps, newest first; the API's EndTime is inclusive, the gap's end is not. */
function lookupWindows(gaps: readonly Interval[]): TimeWindow[] {
  return [...gaps].reverse().map((gap) => ({ startTime: new Date(gap.startMs), endTime: new Date(gap.endMs) }));
}

function dayInterval(day: string): Interval {
  const startMs = Date.parse(`${day}T00:00:00Z`);
  return { startMs, endMs: startMs + 86_400_000 };
}

function describeIntervals(intervals: readonly Interval[]): string {
  return intervals.map((interval) =>
    `${new Date(interval.startMs).toISOString()} to ${new Date(interval.endMs).toISOString()}`
  ).join(", ");
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
