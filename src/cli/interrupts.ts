/**
 * What a Ctrl-C or SIGTERM means. A terminal sends SIGINT to the whole foreground process group and
 * `deno task` forwards it to its child as well, so one key press can arrive twice a few milliseconds
 * apart; only a signal well after the first one is the user pressing again.
 */

/** What to do about one signal. */
export type InterruptAction = "stop-and-write" | "same-press" | "quit-now";

/** Signals closer together than this are one press (measured: the forwarded copy arrives within ~5 ms). */
export const SAME_PRESS_MILLISECONDS = 500;

/** Turns the times of incoming signals into actions. Pure: the caller passes the time. */
export class InterruptPolicy {
  #firstAtMs: number | undefined;

  /** @param nowMs when the signal arrived (ms) */
  onSignal(nowMs: number): InterruptAction {
    if (this.#firstAtMs === undefined) {
      this.#firstAtMs = nowMs;
      return "stop-and-write";
    }
    return nowMs - this.#firstAtMs < SAME_PRESS_MILLISECONDS ? "same-press" : "quit-now";
  }
}
