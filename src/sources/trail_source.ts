/**
 * CloudTrail log files as an {@link EventSource}: a lister (a local folder, or a trail bucket)
 * finds the files; the main thread fetches them a bounded number at a time and a pool of
 * workers gunzips, parses and counts them (see trail_pool.ts). The counts come back through
 * {@link ParallelCounting}, so no record crosses to the main thread and memory stays flat.
 */
import type { EventSink, EventSource, PartitionProgress } from "./event_source.ts";
import { InFlightBudget } from "./in_flight_budget.ts";
import { skippedByPath } from "./trail_layout.ts";
import { type ParallelCounting, TrailWorkerPool } from "./trail_pool.ts";
import type { RecordFilter } from "./trail_records.ts";
import { TrailTally } from "./trail_tally.ts";

/** One file a lister found. */
export interface TrailFile {
  /** Its path or key, as reported in `_metadata`. */
  readonly name: string;
  readonly size: number;
  /** The partition whose progress it counts towards. */
  readonly partition: PartitionProgress;
  /** A local path the worker reads itself; otherwise `fetch` gives the bytes. */
  readonly path?: string;
}

/** Where a trail source's files come from. */
export interface TrailLister {
  /** `_metadata.source`. */
  readonly description: { readonly type: string; readonly location: string };
  /** Partitions (grow while listing); a lister marks one `failed` when its listing fails for good. */
  readonly partitions: readonly PartitionProgress[];
  /** Lists files in a stable order, lazily (the caller's pace is the listing's pace). */
  files(tally: TrailTally, signal: AbortSignal): AsyncIterable<TrailFile>;
  /** The bytes of a file without a `path`; throws an error with a `code` after its own retries. */
  fetch?(file: TrailFile, signal: AbortSignal): Promise<Uint8Array>;
}

/** How a {@link TrailSource} reads. */
export interface TrailSourceOptions {
  lister: TrailLister;
  counting: ParallelCounting;
  filter: RecordFilter;
  /** Counting workers. */
  workers: number;
  /** Files fetched or waiting for a worker at once, and their bytes (default: no byte bound): the memory bound. */
  filesInFlight: number;
  bytesInFlight?: number;
  /** Milliseconds since some fixed point, for rates and ETA. */
  now: () => number;
}

/** Trail files as an {@link EventSource}. */
export class TrailSource implements EventSource {
  readonly tally = new TrailTally();
  readonly #options: TrailSourceOptions;
  #startedMs: number | undefined;

  constructor(options: TrailSourceOptions) {
    this.#options = options;
  }

  get partitions(): readonly PartitionProgress[] {
    return this.#options.lister.partitions;
  }

  get description(): { readonly type: string; readonly location: string } {
    return this.#options.lister.description;
  }

  /** Counts go to `counting.merge`, not to `sink`: no record leaves the workers. */
  async read(_sink: EventSink, signal: AbortSignal): Promise<void> {
    const { lister, counting, filter } = this.#options;
    this.#startedMs = this.#options.now();
    const pool = new TrailWorkerPool(counting, this.#options.workers, filter);
    const inFlight = new Set<Promise<void>>();
    const budget = new InFlightBudget(this.#options.filesInFlight, this.#options.bytesInFlight);
    try {
      try {
        for await (const file of lister.files(this.tally, signal)) {
          if (signal.aborted) break;
          this.tally.listed(file.size);
          const skipped = skippedByPath(file.name);
          if (skipped !== undefined) {
            this.tally.skippedFile(skipped, file.name, file.size);
            continue;
          }
          await budget.admit(file.size);
          const task: Promise<void> = this.#readFile(file, pool, signal).finally(() => {
            inFlight.delete(task);
            budget.release(file.size);
          });
          inFlight.add(task);
        }
      } catch (error) {
        // Ctrl-C during a listing call: the files fetched so far are still counted and merged.
        if (!signal.aborted) throw error;
      }
      await Promise.all(inFlight);
      for (const state of await pool.finish()) counting.merge(state);
    } finally {
      pool.terminate();
    }
    for (const partition of lister.partitions) {
      if (partition.status === "reading") partition.status = signal.aborted ? "interrupted" : "complete";
    }
  }

  /** When `read` started (the `now` clock), for rates; undefined before. */
  get startedMs(): number | undefined {
    return this.#startedMs;
  }

  async #readFile(file: TrailFile, pool: TrailWorkerPool, signal: AbortSignal): Promise<void> {
    const { lister } = this.#options;
    let bytes: Uint8Array | undefined;
    if (file.path === undefined) {
      try {
        bytes = await lister.fetch!(file, signal);
      } catch (error) {
        if (signal.aborted) return;
        const code = (error as { code?: unknown }).code;
        this.tally.failedFile(file.name, typeof code === "string" ? code : "FetchFailed", 0);
        return;
      }
    }
    const outcome = await pool.count(bytes === undefined ? { path: file.path! } : { bytes });
    if ("error" in outcome) {
      this.tally.failedFile(file.name, outcome.error.code, outcome.bytes || file.size);
      return;
    }
    const { tally } = outcome;
    if (tally.kind === "digest" || tally.kind === "insight") {
      return this.tally.skippedFile(tally.kind, file.name, outcome.bytes);
    }
    if (tally.kind === "not-cloudtrail") return this.tally.skippedFile("not_cloudtrail", file.name, outcome.bytes);
    this.tally.readFile(tally, outcome.bytes);
    const partition = file.partition;
    partition.pages += 1;
    for (const region of Object.values(tally.regions)) {
      partition.events += region.records;
      if (region.oldestMs !== undefined) {
        partition.oldestEventTimeMs = Math.min(partition.oldestEventTimeMs ?? region.oldestMs, region.oldestMs);
      }
      if (region.newestMs !== undefined) {
        partition.newestEventTimeMs = Math.max(partition.newestEventTimeMs ?? region.newestMs, region.newestMs);
      }
    }
  }
}
