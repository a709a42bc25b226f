/**
 * One line of a cache record file: a plain CloudTrail record as compact JSON (the format
 * `--trail-files` reads as JSON lines). Pure.
 */
import { eventTimeMsOf } from "../../summary/activity_record.ts";

/** A record as the cache knows it. */
export interface CacheRecord {
  /** The line, without its newline. */
  readonly line: string;
  readonly eventTimeMs: number;
  readonly eventId: string | undefined;
}

/**
 * The line for a record served by LookupEvents, or undefined when the record cannot be stored
 * (not a JSON object with a readable `eventTime`): its interval then stays uncached.
 */
export function cacheRecordOf(cloudTrailEvent: string): CacheRecord | undefined {
  let record: unknown;
  try {
    record = JSON.parse(cloudTrailEvent);
  } catch {
    return undefined;
  }
  if (record === null || typeof record !== "object" || Array.isArray(record)) return undefined;
  const { eventTime, eventID } = record as { eventTime?: unknown; eventID?: unknown };
  const eventTimeMs = eventTimeMsOf(eventTime);
  if (eventTimeMs === undefined) return undefined;
  // AWS serves compact JSON; a record with line breaks is written compactly so it stays one line.
  const line = /[\r\n]/.test(cloudTrailEvent) ? JSON.stringify(record) : cloudTrailEvent;
  return { line, eventTimeMs, eventId: typeof eventID === "string" ? eventID : undefined };
}

/** Reads a line back; undefined when it is not one the cache wrote (the file is then damaged). */
export function parseCacheLine(line: string): CacheRecord | undefined {
  const record = cacheRecordOf(line);
  return record?.line === line ? record : undefined;
}
