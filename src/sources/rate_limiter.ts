/**
 * Our own async token bucket, one per region: LookupEvents allows 2 requests per
 * second per account and region, and pacing ourselves keeps us off the SDK's
 * retry allowance, which runs dry under sustained throttling.
 */
import type { Clock } from "../clock.ts";

/** How a {@link TokenBucket} paces requests. */
export interface TokenBucketOptions {
  /** Requests per second at most. */
  ratePerSecond: number;
  /**
   * Requests that may go at once after a quiet spell. AWS documents the rate but
   * no burst, so the default is 1: requests evenly spaced.
   * @default 1
   */
  burst?: number;
  /**
   * Extra spacing, as a fraction of the interval, so that requests the server
   * sees never arrive faster than its quota allows.
   * @default 0.01
   */
  safetyMargin?: number;
  /**
   * Lowest rate the bucket slows down to after throttling.
   * @default ratePerSecond / 8
   */
  minimumRatePerSecond?: number;
}

/**
 * A token bucket that issues tokens in FIFO order, slows down when the server
 * throttles anyway (someone else shares the quota) and recovers step by step.
 *
 * @example
 * ```ts
 * const bucket = new TokenBucket(systemClock, { ratePerSecond: 2 });
 * await bucket.take(signal); // first token at once, then one every ~500 ms
 * ```
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #configuredRate: number;
  readonly #minimumRate: number;
  readonly #burst: number;
  readonly #safetyMargin: number;
  #rate: number;
  #tokens: number;
  #refilledAt: number;
  #queue: Promise<void> = Promise.resolve();
  #successesSinceSlowdown = 0;

  constructor(clock: Clock, options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) {
      throw new RangeError(
        `Rate must be positive, got ${options.ratePerSecond}`,
      );
    }
    this.#clock = clock;
    this.#configuredRate = options.ratePerSecond;
    this.#rate = options.ratePerSecond;
    this.#minimumRate = options.minimumRatePerSecond ?? options.ratePerSecond / 8;
    this.#burst = Math.max(1, options.burst ?? 1);
    this.#safetyMargin = options.safetyMargin ?? 0.01;
    this.#tokens = this.#burst;
    this.#refilledAt = clock.now();
  }

  /** The rate in force now, in requests per second (lower than configured after throttling). */
  get ratePerSecond(): number {
    return this.#rate;
  }

  /**
   * Waits for a token; callers are served in the order they asked.
   * @throws the signal's reason when it aborts while waiting
   */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#takeNow(signal));
    // A waiter that aborts must not block the ones behind it.
    this.#queue = turn.catch(() => {});
    return turn;
  }

  /**
   * Starts a full interval now, with no token left: for when the request just
   * answered may have reached the server later than its token was taken (a
   * region's first request waits for a connection and client set-up), so the
   * next one must not follow it too closely.
   */
  restartInterval(): void {
    this.#tokens = 0;
    this.#refilledAt = this.#clock.now();
  }

  /** Slows down by a fifth after a throttled response (not below the minimum). */
  slowDown(): void {
    this.#rate = Math.max(this.#minimumRate, this.#rate * 0.8);
    this.#successesSinceSlowdown = 0;
  }

  /** Counts a successful request; after a run of them the rate climbs back towards the configured one. */
  recordSuccess(): void {
    if (this.#rate >= this.#configuredRate) return;
    this.#successesSinceSlowdown += 1;
    if (this.#successesSinceSlowdown >= 5) {
      this.#rate = Math.min(this.#configuredRate, this.#rate * 1.25);
      this.#successesSinceSlowdown = 0;
    }
  }

  async #takeNow(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    this.#refill();
    if (this.#tokens < 1) {
      const interval = (1000 / this.#rate) * (1 + this.#safetyMargin);
      await this.#clock.sleep((1 - this.#tokens) * interval, signal);
      this.#refill();
      // Rounding in the clock must not leave us a hair short of a whole token.
      this.#tokens = Math.max(this.#tokens, 1);
    }
    this.#tokens -= 1;
  }

  #refill(): void {
    const now = this.#clock.now();
    const interval = (1000 / this.#rate) * (1 + this.#safetyMargin);
    this.#tokens = Math.min(
      this.#burst,
      this.#tokens + (now - this.#refilledAt) / interval,
    );
    this.#refilledAt = now;
  }
}
