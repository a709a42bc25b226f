/**
 * Progress on stderr while regions are read: on a terminal one live line per
 * region plus a total, redrawn in place; elsewhere (CI logs) plain lines every
 * few seconds and when a region ends.
 */
import type { PartitionProgress } from "../sources/event_source.ts";

/** Where progress goes. */
export interface ProgressSink {
  write(text: string): void;
  readonly isTerminal: boolean;
}

/** Renders one region's progress line. Pure. */
export function progressLine(
  progress: PartitionProgress,
  ratePerSecond: number,
): string {
  const name = progress.name.padEnd(16);
  const counts = `${String(progress.events).padStart(9)} events ${String(progress.pages).padStart(6)} pages`;
  const throttled = progress.throttled > 0 ? `, ${progress.throttled} throttled` : "";
  const retries = progress.retries > 0 ? `, ${progress.retries} retries` : "";
  switch (progress.status) {
    case "complete":
      return `${name}${counts}  done${throttled}${retries}`;
    case "failed":
      return `${name}${counts}  FAILED: ${progress.errorCode ?? "unknown error"}${throttled}${retries}`;
    case "interrupted":
      return `${name}${counts}  interrupted at ${timeText(progress.oldestEventTimeMs)}`;
    case "reading": {
      if (progress.waitingFor !== undefined) return `${name}${counts}  ${progress.waitingFor}`;
      if (progress.pages === 0) return `${name}started`;
      const covered = coveredFraction(progress);
      const percent = `${(covered * 100).toFixed(1).padStart(5)}%`;
      const seconds = secondsLeft(progress, ratePerSecond);
      const eta = seconds === undefined ? "" : `, ETA ${durationText(seconds)}`;
      return `${name}${counts}  ${percent} back to ${timeText(progress.oldestEventTimeMs)}${eta}${throttled}${retries}`;
    }
  }
}

/** The total line under the region lines. Pure. */
export function totalLine(partitions: readonly PartitionProgress[]): string {
  const events = partitions.reduce((sum, progress) => sum + progress.events, 0);
  const pages = partitions.reduce((sum, progress) => sum + progress.pages, 0);
  const finished = partitions.filter((progress) => progress.status !== "reading").length;
  return `${"total".padEnd(16)}${String(events).padStart(9)} events ${
    String(pages).padStart(6)
  } pages  ${finished}/${partitions.length} regions finished`;
}

/** Share of the time window covered, from its end back to the oldest event seen. */
function coveredFraction(progress: PartitionProgress): number {
  const window = progress.windowEndMs - progress.windowStartMs;
  if (progress.oldestEventTimeMs === undefined || window <= 0) return 0;
  return Math.min(
    1,
    Math.max(0, (progress.windowEndMs - progress.oldestEventTimeMs) / window),
  );
}

/**
 * Seconds a region still needs if the rest of its window is as busy as the part read, at the quota;
 * undefined while too little is read to tell. Pure.
 */
export function secondsLeft(progress: PartitionProgress, ratePerSecond: number): number | undefined {
  const covered = coveredFraction(progress);
  // Too little of the window read to extrapolate from: activity is rarely even.
  if (covered < 0.05 || progress.pages === 0) return undefined;
  const remainingPages = progress.pages / covered - progress.pages;
  return Math.ceil(remainingPages / ratePerSecond);
}

/** `42s`, `3m07s`, `2h05m`. Pure. */
export function durationText(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor(seconds / 60) % 60).padStart(2, "0")}m`;
}

function timeText(milliseconds: number | undefined): string {
  return milliseconds === undefined ? "-" : new Date(milliseconds).toISOString().slice(0, 19) + "Z";
}

const TERMINAL_REDRAW_MILLISECONDS = 250;
const LOG_LINE_MILLISECONDS = 5000;

/**
 * A live progress display: draws at once, then often on a terminal and every few seconds in a log,
 * and a last time when stopped. Subclasses say what to draw.
 */
export abstract class LiveProgress {
  readonly #sink: ProgressSink;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(sink: ProgressSink) {
    this.#sink = sink;
  }

  /** Starts drawing. */
  start(): void {
    this.draw();
    const interval = this.#sink.isTerminal ? TERMINAL_REDRAW_MILLISECONDS : LOG_LINE_MILLISECONDS;
    this.#timer = setInterval(() => this.draw(), interval);
  }

  /** Draws the final state and stops. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.draw();
  }

  /** Draws the current state. */
  protected abstract draw(): void;
}

/** Shows progress until stopped. */
export class ProgressReporter extends LiveProgress {
  readonly #sink: ProgressSink;
  readonly #partitions: readonly PartitionProgress[];
  readonly #ratePerSecond: number;
  readonly #summaryLine: (() => string) | undefined;
  #linesDrawn = 0;
  readonly #lastLogged = new Map<string, string>();

  /**
   * @param summaryLine when given, one line drawn instead of the region lines and the total (trail
   * files: files and records done, MB/s, ETA)
   */
  constructor(
    sink: ProgressSink,
    partitions: readonly PartitionProgress[],
    ratePerSecond: number,
    summaryLine?: () => string,
  ) {
    super(sink);
    this.#sink = sink;
    this.#partitions = partitions;
    this.#ratePerSecond = ratePerSecond;
    this.#summaryLine = summaryLine;
  }

  protected override draw(): void {
    if (this.#summaryLine !== undefined && !this.#sink.isTerminal) {
      this.#sink.write(`${this.#summaryLine()}\n`);
      return;
    }
    if (this.#sink.isTerminal) {
      const lines = this.#summaryLine !== undefined ? [this.#summaryLine()] : [
        ...this.#partitions.map((progress) => progressLine(progress, this.#ratePerSecond)),
        totalLine(this.#partitions),
      ];
      // Move up over the block drawn last time and draw it again, each line cleared first.
      const up = this.#linesDrawn > 0 ? `\x1b[${this.#linesDrawn}F` : "";
      this.#sink.write(up + lines.map((line) => `\x1b[2K${line}\n`).join(""));
      this.#linesDrawn = lines.length;
      return;
    }
    for (const progress of this.#partitions) {
      const line = progressLine(progress, this.#ratePerSecond);
      // A log gets a line only when something changed, so a finished region is told once.
      if (this.#lastLogged.get(progress.name) === line) continue;
      this.#sink.write(`${line}\n`);
      this.#lastLogged.set(progress.name, line);
    }
  }
}
