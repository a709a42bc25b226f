/** The clock every timed part takes as a dependency, so tests can drive time. */
import { setTimeout as delay } from "node:timers/promises";

/** Wall time and an abortable sleep. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `milliseconds`; rejects with the signal's reason when it aborts.
   * @param milliseconds how long to wait
   * @param signal aborts the wait
   */
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (milliseconds, signal) => {
    if (milliseconds <= 0) {
      signal?.throwIfAborted();
      return;
    }
    try {
      await delay(milliseconds, undefined, signal ? { signal } : undefined);
    } catch (error) {
      // node:timers rejects with its own AbortError; callers expect the signal's reason.
      if (signal?.aborted) throw signal.reason;
      throw error;
    }
  },
};
