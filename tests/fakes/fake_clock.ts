/** A clock whose time moves only when something sleeps: simulated time, instant tests. */
import type { Clock } from "../../src/clock.ts";

/** A {@link Clock} where `sleep(ms)` advances the time by `ms` at once. */
export class FakeClock implements Clock {
  #now: number;
  /** Every sleep requested, in order. */
  readonly sleeps: number[] = [];

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#now = startMs;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward without a sleep (work that takes time, such as an HTTP call). */
  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }

  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    this.sleeps.push(milliseconds);
    this.#now += Math.max(0, milliseconds);
    return Promise.resolve();
  }
}
