/**
 * CloudTrail event history (LookupEvents) as an {@link EventSource}: every region
 * at once, each paced by its own token bucket, recovering from every fault that
 * can be recovered from without losing or double-counting an event.
 */
import type { Clock } from "../clock.ts";
import type { AwsApis, LookupAttribute, LookupEventsPage } from "../aws/clients.ts";
import { awsErrorCode, classifyAwsError, isConnectionFailure } from "../aws/error_kind.ts";
import type { SourceEvent } from "../summary/types.ts";
import { type EventSink, type EventSource, newPartition, type PartitionProgress } from "./event_source.ts";
import { TokenBucket } from "./rate_limiter.ts";

/** Limits of the recovery loop; the defaults suit real AWS. */
export interface RecoveryLimits {
  /** Our own retries after the SDK gave up on a transient fault (5xx, timeout, reset). */
  transientRetries: number;
  /** First backoff delay of our retries; doubles each time, with jitter. */
  transientBackoffMilliseconds: number;
  /** Throttled responses in a row before the region fails. */
  throttledInARow: number;
  /** Credential refreshes in a row before the region fails. */
  credentialRefreshes: number;
  /** Restarts after an invalid page token before the region fails. */
  restarts: number;
  /** Time limit of one LookupEvents call. */
  callTimeoutMilliseconds: number;
  /** How long a region keeps retrying while it gets no connection at all (an outage) before it fails. */
  outageMilliseconds: number;
  /** The longest wait between two attempts during an outage. */
  outageBackoffCapMilliseconds: number;
}

/** The default {@link RecoveryLimits}. */
export const DEFAULT_RECOVERY_LIMITS: RecoveryLimits = {
  transientRetries: 5,
  transientBackoffMilliseconds: 1000,
  throttledInARow: 100,
  credentialRefreshes: 3,
  restarts: 10,
  callTimeoutMilliseconds: 30_000,
  outageMilliseconds: 5 * 60_000,
  outageBackoffCapMilliseconds: 30_000,
};

/** A LookupEvents time window; both ends are inclusive, as the API treats StartTime and EndTime. */
export interface TimeWindow {
  startTime: Date;
  endTime: Date;
}

/** What {@link LookupEventsSource} reads and how. */
export interface LookupEventsSourceOptions {
  apis: AwsApis;
  clock: Clock;
  regions: readonly string[];
  startTime: Date;
  endTime: Date;
  lookupAttribute?: LookupAttribute | undefined;
  /**
   * Per region, the windows to read instead of [startTime, endTime], one after another with the region's
   * pacing (the cache asks only for what it does not hold). A region with an empty list reads nothing.
   */
  regionWindows?: ReadonlyMap<string, readonly TimeWindow[]> | undefined;
  /** Requests per second per region (the quota is 2). */
  ratePerSecond: number;
  /** Token bucket burst; 1 means evenly spaced. */
  burst: number;
  limits?: Partial<RecoveryLimits>;
  /** Jitter source for backoff delays. */
  random?: () => number;
}

/** LookupEvents over every region, as an {@link EventSource}. */
export class LookupEventsSource implements EventSource {
  readonly partitions: readonly PartitionProgress[];
  readonly #options: LookupEventsSourceOptions;
  readonly #limits: RecoveryLimits;

  constructor(options: LookupEventsSourceOptions) {
    this.#options = options;
    this.#limits = { ...DEFAULT_RECOVERY_LIMITS, ...options.limits };
    this.partitions = options.regions.map((name) =>
      newPartition(name, options.startTime.getTime(), options.endTime.getTime())
    );
  }

  async read(sink: EventSink, signal: AbortSignal): Promise<void> {
    await Promise.all(
      this.partitions.map((progress) => this.#readRegion(progress, sink, signal)),
    );
  }

  async #readRegion(
    progress: PartitionProgress,
    sink: EventSink,
    signal: AbortSignal,
  ): Promise<void> {
    const { startTime, endTime } = this.#options;
    const windows = this.#options.regionWindows?.get(progress.name) ?? [{ startTime, endTime }];
    const bucket = new TokenBucket(this.#options.clock, {
      ratePerSecond: this.#options.ratePerSecond,
      burst: this.#options.burst,
    });
    for (const window of windows) {
      if (!await this.#readWindow(progress, window, bucket, sink, signal)) return;
    }
    progress.status = "complete";
  }

  /** Pages through one window; false when the region failed or was interrupted (its status says which). */
  async #readWindow(
    progress: PartitionProgress,
    window: TimeWindow,
    bucket: TokenBucket,
    sink: EventSink,
    signal: AbortSignal,
  ): Promise<boolean> {
    const { apis, clock } = this.#options;
    const limits = this.#limits;
    const random = this.#options.random ?? Math.random;
    const region = progress.name;
    const cursor = new RegionCursor(window.endTime);
    let transientFailures = 0;
    let throttledInARow = 0;
    let credentialRefreshes = 0;
    let restarts = 0;
    let connectionFailures = 0;
    let outageStartedMs: number | undefined;
    const fail = (error: unknown) => {
      progress.status = "failed";
      progress.waitingFor = undefined;
      const code = awsErrorCode(error);
      // Only our call time limit aborts a call here (Ctrl-C is handled before): say timeout, not abort.
      progress.errorCode = code === "AbortError" ? "RequestTimeout" : code;
      return false;
    };

    while (true) {
      if (signal.aborted) {
        progress.status = "interrupted";
        return false;
      }
      let page: LookupEventsPage;
      let attemptsOfThisCall = 0;
      try {
        page = await apis.eventHistory(region).lookupEvents(
          {
            startTime: window.startTime,
            endTime: cursor.endTime,
            nextToken: cursor.nextToken,
            lookupAttribute: this.#options.lookupAttribute,
          },
          {
            signal: AbortSignal.any([signal, AbortSignal.timeout(limits.callTimeoutMilliseconds)]),
            beforeEachAttempt: () => {
              // Every attempt after a call's first is a retry, the SDK's own included.
              if (attemptsOfThisCall++ > 0) progress.retries += 1;
              return bucket.take(signal);
            },
          },
        );
      } catch (error) {
        if (signal.aborted) {
          progress.status = "interrupted";
          return false;
        }
        const kind = classifyAwsError(error);
        if (kind === "throttling") {
          progress.throttled += 1;
          throttledInARow += 1;
          if (throttledInARow > limits.throttledInARow) return fail(error);
          bucket.slowDown();
          continue;
        }
        if (kind === "transient" && isConnectionFailure(error)) {
          // No connection at all: an outage, which can last minutes. Wait it out longer than a fault.
          outageStartedMs ??= clock.now();
          if (clock.now() - outageStartedMs >= limits.outageMilliseconds) return fail(error);
          connectionFailures += 1;
          progress.retries += 1;
          const delay = Math.min(
            limits.outageBackoffCapMilliseconds,
            limits.transientBackoffMilliseconds * 2 ** (connectionFailures - 1),
          );
          progress.waitingFor = `${awsErrorCode(error)}: retrying in ${Math.round(delay / 1000)} s ` +
            `(gives up after ${Math.round(limits.outageMilliseconds / 60_000)} min without a connection)`;
          await sleepUnlessAborted(clock, delay, signal);
          progress.waitingFor = undefined;
          continue;
        }
        if (kind === "transient") {
          transientFailures += 1;
          if (transientFailures > limits.transientRetries) return fail(error);
          progress.retries += 1;
          const backoff = limits.transientBackoffMilliseconds *
            2 ** (transientFailures - 1);
          if (
            !await sleepUnlessAborted(
              clock,
              backoff * (0.5 + random() / 2),
              signal,
            )
          ) continue;
          continue;
        }
        if (kind === "expired-credentials") {
          credentialRefreshes += 1;
          if (credentialRefreshes > limits.credentialRefreshes) {
            return fail(error);
          }
          progress.retries += 1;
          apis.refreshCredentials();
          continue;
        }
        if (kind === "invalid-next-token" && cursor.nextToken !== undefined) {
          restarts += 1;
          if (restarts > limits.restarts) return fail(error);
          progress.retries += 1;
          cursor.restartFromOldest();
          continue;
        }
        return fail(error);
      }
      // The first request of a region waits for a connection after its token: space the next from its answer.
      if (progress.pages === 0) bucket.restartInterval();
      bucket.recordSuccess();
      transientFailures = 0;
      connectionFailures = 0;
      outageStartedMs = undefined;
      throttledInARow = 0;
      credentialRefreshes = 0;

      const events: SourceEvent[] = [];
      for (const item of page.events) {
        const eventTimeMs = item.eventTime?.getTime();
        if (!cursor.admit(item.eventId, eventTimeMs)) continue;
        events.push({
          region,
          // An item without a record is still an event: the summary counts it as unreadable.
          cloudTrailEvent: item.cloudTrailEvent ?? "",
          eventId: item.eventId,
          eventTime: item.eventTime,
        });
        if (eventTimeMs !== undefined) {
          progress.newestEventTimeMs = Math.max(
            progress.newestEventTimeMs ?? eventTimeMs,
            eventTimeMs,
          );
          progress.oldestEventTimeMs = Math.min(
            progress.oldestEventTimeMs ?? eventTimeMs,
            eventTimeMs,
          );
        }
      }
      progress.pages += 1;
      progress.events += events.length;
      if (events.length > 0) await sink(events);
      cursor.nextToken = page.nextToken;
      if (page.nextToken === undefined) return true;
    }
  }
}

/**
 * Where a region's paging stands, and what it has already handed on, so that a
 * restart after an invalid page token neither loses nor doubles an event: the
 * restart asks again for everything up to the oldest event time seen (inclusive,
 * second precision) and skips the ids already handed on at exactly that time.
 */
class RegionCursor {
  endTime: Date;
  nextToken: string | undefined;
  #oldestMs: number | undefined;
  #idsAtOldest = new Set<string>();
  #skipNewerThanMs: number | undefined;
  #skipIds = new Set<string>();

  constructor(endTime: Date) {
    this.endTime = endTime;
  }

  /** Records an event; false when a restart served it again. */
  admit(eventId: string | undefined, eventTimeMs: number | undefined): boolean {
    if (eventTimeMs !== undefined && this.#skipNewerThanMs !== undefined) {
      if (eventTimeMs > this.#skipNewerThanMs) return false;
      if (
        eventTimeMs === this.#skipNewerThanMs && eventId !== undefined &&
        this.#skipIds.has(eventId)
      ) {
        return false;
      }
    }
    if (eventTimeMs !== undefined) {
      if (this.#oldestMs === undefined || eventTimeMs < this.#oldestMs) {
        this.#oldestMs = eventTimeMs;
        this.#idsAtOldest = new Set();
      }
      if (eventTimeMs === this.#oldestMs && eventId !== undefined) {
        this.#idsAtOldest.add(eventId);
      }
    }
    return true;
  }

  /** Starts paging again from the oldest event time handed on so far. */
  restartFromOldest(): void {
    this.nextToken = undefined;
    if (this.#oldestMs === undefined) return;
    this.endTime = new Date(this.#oldestMs);
    this.#skipNewerThanMs = this.#oldestMs;
    this.#skipIds = new Set(this.#idsAtOldest);
  }
}

/** Sleeps; false when the signal aborted (the caller's loop then sees `signal.aborted`). */
async function sleepUnlessAborted(
  clock: Clock,
  milliseconds: number,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    await clock.sleep(milliseconds, signal);
    return true;
  } catch {
    return false;
  }
}
