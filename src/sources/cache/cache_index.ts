/**
 * The index of one account's region in the cache: which record files exist and which time intervals
 * each one fully covers. The index is the only place coverage is claimed, so a record file that is not
 * listed (a run killed before it replaced the index) claims nothing. Pure.
 */
import { type Interval, normalize } from "./intervals.ts";

/** One record file and the intervals whose every event it holds. */
export interface CacheSegment {
  /** The gzip JSON lines file, relative to the region folder; absent when the intervals held no event. */
  readonly file?: string | undefined;
  /** What the segment covers: every event with a time in these intervals, and no other. */
  readonly intervals: readonly Interval[];
  /** Lines in the file. */
  readonly records: number;
}

/** The whole index of a region. */
export interface CacheIndex {
  readonly segments: readonly CacheSegment[];
}

/** Written into every index, so another program's or an older format's file is never misread. */
export const CACHE_INDEX_FORMAT = "aws-summarize-account-activity cache index 1";

/** A record file name inside the region folder: a day folder and a plain name (no `..`, no slashes). */
const SEGMENT_FILE = /^\d{4}-\d{2}-\d{2}\/[\w.-]+\.jsonl\.gz$/;

/** An index or record file that cannot be trusted. */
export class CacheDamageError extends Error {}

/** The times every segment of the index covers, merged. */
export function coveredIntervals(segments: readonly CacheSegment[]): Interval[] {
  return normalize(segments.flatMap((segment) => segment.intervals));
}

/** The index as written to disk (stable order, ISO times so a person can read it). */
export function serializeCacheIndex(index: CacheIndex): string {
  const segments = [...index.segments].sort((a, b) => a.intervals[0]!.startMs - b.intervals[0]!.startMs);
  return JSON.stringify(
    {
      format: CACHE_INDEX_FORMAT,
      segments: segments.map((segment) => ({
        ...(segment.file === undefined ? {} : { file: segment.file }),
        covered: segment.intervals.map((interval) => [
          new Date(interval.startMs).toISOString(),
          new Date(interval.endMs).toISOString(),
        ]),
        records: segment.records,
      })),
    },
    null,
    1,
  ) + "\n";
}

/**
 * Parses an index file.
 * @throws {CacheDamageError} when it is not an index of this format or any entry is malformed
 */
export function parseCacheIndex(text: string): CacheIndex {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CacheDamageError("not JSON", { cause: error });
  }
  const root = parsed as { format?: unknown; segments?: unknown } | null;
  if (root === null || typeof root !== "object" || root.format !== CACHE_INDEX_FORMAT) {
    throw new CacheDamageError(`not a '${CACHE_INDEX_FORMAT}' file`);
  }
  if (!Array.isArray(root.segments)) throw new CacheDamageError("no segments list");
  return { segments: root.segments.map(parseSegment) };
}

function parseSegment(value: unknown, position: number): CacheSegment {
  const entry = value as { file?: unknown; covered?: unknown; records?: unknown } | null;
  const fail = (what: string) => new CacheDamageError(`segment ${position + 1}: ${what}`);
  if (entry === null || typeof entry !== "object") throw fail("not an object");
  if (entry.file !== undefined && (typeof entry.file !== "string" || !SEGMENT_FILE.test(entry.file))) {
    throw fail("bad file name");
  }
  if (!Number.isSafeInteger(entry.records) || (entry.records as number) < 0) throw fail("bad record count");
  if ((entry.file === undefined) !== (entry.records === 0)) throw fail("file and record count disagree");
  if (!Array.isArray(entry.covered) || entry.covered.length === 0) throw fail("no covered intervals");
  const intervals = entry.covered.map((pair: unknown) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw fail("bad interval");
    const [startMs, endMs] = pair.map((time) => (typeof time === "string" ? Date.parse(time) : NaN));
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs) || startMs! >= endMs!) throw fail("bad interval");
    return { startMs: startMs!, endMs: endMs! };
  });
  return {
    ...(entry.file === undefined ? {} : { file: entry.file as string }),
    intervals: normalize(intervals),
    records: entry.records as number,
  };
}
