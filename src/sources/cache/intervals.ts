/**
 * Half-open time intervals `[startMs, endMs)` in epoch milliseconds, and the set operations the
 * cache plans with: what part of a window is covered, what is left to fetch, what may be claimed. Pure.
 */

/** `[startMs, endMs)`: the start belongs to the interval, the end does not. */
export interface Interval {
  readonly startMs: number;
  readonly endMs: number;
}

const DAY_MILLISECONDS = 86_400_000;

/** Sorted, merged, without empty intervals (touching intervals become one). */
export function normalize(intervals: Iterable<Interval>): Interval[] {
  const sorted = [...intervals].filter((interval) => interval.endMs > interval.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  const merged: Interval[] = [];
  for (const interval of sorted) {
    const last = merged.at(-1);
    if (last !== undefined && interval.startMs <= last.endMs) {
      merged[merged.length - 1] = { startMs: last.startMs, endMs: Math.max(last.endMs, interval.endMs) };
    } else {
      merged.push(interval);
    }
  }
  return merged;
}

/** The parts of `from` that no interval of `remove` touches. */
export function subtract(from: Iterable<Interval>, remove: Iterable<Interval>): Interval[] {
  const removed = normalize(remove);
  const result: Interval[] = [];
  for (const interval of normalize(from)) {
    let start = interval.startMs;
    for (const cut of removed) {
      if (cut.endMs <= start || cut.startMs >= interval.endMs) continue;
      if (cut.startMs > start) result.push({ startMs: start, endMs: cut.startMs });
      start = Math.max(start, cut.endMs);
    }
    if (start < interval.endMs) result.push({ startMs: start, endMs: interval.endMs });
  }
  return result;
}

/** The parts shared by both sets. */
export function intersect(a: Iterable<Interval>, b: Iterable<Interval>): Interval[] {
  const right = normalize(b);
  const result: Interval[] = [];
  for (const left of normalize(a)) {
    for (const other of right) {
      const startMs = Math.max(left.startMs, other.startMs);
      const endMs = Math.min(left.endMs, other.endMs);
      if (startMs < endMs) result.push({ startMs, endMs });
    }
  }
  return normalize(result);
}

/** Whether `timeMs` lies in one of the intervals. */
export function contains(intervals: readonly Interval[], timeMs: number): boolean {
  return intervals.some((interval) => interval.startMs <= timeMs && timeMs < interval.endMs);
}

/** Whether two sets hold exactly the same times. */
export function sameTimes(a: Iterable<Interval>, b: Iterable<Interval>): boolean {
  const left = normalize(a);
  const right = normalize(b);
  return left.length === right.length &&
    left.every((interval, index) =>
      interval.startMs === right[index]!.startMs && interval.endMs === right[index]!.endMs
    );
}

/** The UTC day (`YYYY-MM-DD`) a time falls in. */
export function utcDay(timeMs: number): string {
  return new Date(timeMs).toISOString().slice(0, 10);
}

/** The intervals cut at UTC midnights, grouped by UTC day (days in ascending order). */
export function splitByUtcDay(intervals: Iterable<Interval>): Map<string, Interval[]> {
  const days = new Map<string, Interval[]>();
  for (const interval of normalize(intervals)) {
    let start = interval.startMs;
    while (start < interval.endMs) {
      const nextMidnight = (Math.floor(start / DAY_MILLISECONDS) + 1) * DAY_MILLISECONDS;
      const end = Math.min(interval.endMs, nextMidnight);
      const day = utcDay(start);
      days.set(day, [...(days.get(day) ?? []), { startMs: start, endMs: end }]);
      start = end;
    }
  }
  return days;
}
