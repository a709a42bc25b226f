/**
 * The content of one trail file → records handed to a counter, with the file's tallies.
 * Detected by content, not by name: gzip or not; a CloudTrail log file (`{"Records":[...]}`),
 * JSON lines of plain records or of LookupEvents items (our raw dumps: `CloudTrailEvent` holds
 * the record as text); digest and Insight files are recognised and skipped. Pure.
 */
import { gunzipSync } from "node:zlib";
import { eventTimeMsOf } from "../summary/activity_record.ts";
import { logFileGroups, parseJson } from "./log_file_records.ts";

/** What a file turned out to be. */
export type TrailFileKind = "log" | "lines" | "digest" | "insight" | "not-cloudtrail";

/** Which records are counted. Undefined bounds and lists mean "no limit". */
export interface RecordFilter {
  /** The time window, inclusive, in epoch ms. */
  readonly windowStartMs: number | undefined;
  readonly windowEndMs: number | undefined;
  /** Count data and network-activity events too, not only management events. */
  readonly includeDataEvents: boolean;
  /** Only records of these accounts (`recipientAccountId`). */
  readonly accounts: readonly string[] | undefined;
  /** Only records of these regions (`awsRegion`). */
  readonly regions: readonly string[] | undefined;
}

/** Records counted in one region, with their time span. */
export interface RegionTally {
  records: number;
  oldestMs: number | undefined;
  newestMs: number | undefined;
}

/** What one file held. */
export interface FileTally {
  kind: TrailFileKind;
  /** Records in the file, before any filter. */
  records: number;
  /** Records in the file by `eventCategory` (absent reads as Management). */
  recordsByCategory: Record<string, number>;
  /** Records left out because they are not management events (no --include-data-events). */
  recordsOfOtherCategories: number;
  /** Records left out by the account or region filter. */
  recordsOfOtherAccountsOrRegions: number;
  /** Records left out because their eventTime is outside the window. */
  recordsOutsideWindow: number;
  /** Records counted, by region (`awsRegion`). */
  regions: Record<string, RegionTally>;
  /** Records counted, by account (`recipientAccountId`). */
  accounts: Record<string, number>;
}

/** Where counted records go (the summary's counter). */
export interface RecordReceiver {
  addRecord(record: Record<string, unknown>, region: string): void;
  addUnreadable(): void;
}

/** A file that cannot be read; `code` goes into `_metadata` beside the file's name. */
export class TrailFileError extends Error {
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TrailFileError";
  }
}

/** Just under V8's longest string (2^29 − 24 UTF-16 units): a file's text must fit into one. */
export const MAX_TEXT_BYTES = 2 ** 29 - 24;

const UNKNOWN = "Unknown";
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * A file's bytes, gunzipped when they start with the gzip magic.
 * @throws {TrailFileError} for a truncated or corrupt gzip stream, or more bytes than one string holds
 */
export function trailFileBytes(bytes: Uint8Array): Uint8Array {
  let plain = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      plain = gunzipSync(bytes, { maxOutputLength: MAX_TEXT_BYTES });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof RangeError || /maxOutputLength|buffer/i.test(message)) {
        throw new TrailFileError("FileTooLarge", `decompresses to more than ${MAX_TEXT_BYTES} bytes`, {
          cause: error,
        });
      }
      const truncated = /unexpected end/i.test(message);
      throw new TrailFileError(truncated ? "TruncatedGzip" : "CorruptGzip", `cannot gunzip: ${message}`, {
        cause: error,
      });
    }
  }
  if (plain.length > MAX_TEXT_BYTES) {
    throw new TrailFileError("FileTooLarge", `${plain.length} bytes is more than one JavaScript string holds`);
  }
  return plain;
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

function isInsight(record: unknown): boolean {
  const fields = objectOf(record);
  return fields?.eventType === "AwsCloudTrailInsight" || fields?.eventCategory === "Insight";
}

/** Counts records into a {@link FileTally}, applying the filter, and hands the kept ones on. */
class FileCounter {
  readonly tally: FileTally;
  readonly #filter: RecordFilter;
  readonly #receiver: RecordReceiver;

  constructor(kind: TrailFileKind, filter: RecordFilter, receiver: RecordReceiver) {
    this.tally = {
      kind,
      records: 0,
      recordsByCategory: {},
      recordsOfOtherCategories: 0,
      recordsOfOtherAccountsOrRegions: 0,
      recordsOutsideWindow: 0,
      regions: {},
      accounts: {},
    };
    this.#filter = filter;
    this.#receiver = receiver;
  }

  /** One element of a log file's `Records`: a record, or unreadable when it is not a JSON object. */
  element(value: unknown): void {
    const record = objectOf(value);
    if (record === undefined) this.unreadable();
    else this.record(record);
  }

  /** A record whose text was not a JSON object: it reaches the counter, which reports it as unreadable. */
  unreadable(): void {
    this.tally.records += 1;
    this.#receiver.addUnreadable();
  }

  record(record: Record<string, unknown>): void {
    const tally = this.tally;
    const filter = this.#filter;
    tally.records += 1;
    const category = typeof record.eventCategory === "string" ? record.eventCategory : "Management";
    tally.recordsByCategory[category] = (tally.recordsByCategory[category] ?? 0) + 1;
    if (category !== "Management" && !filter.includeDataEvents) {
      tally.recordsOfOtherCategories += 1;
      return;
    }
    const region = typeof record.awsRegion === "string" ? record.awsRegion : UNKNOWN;
    const account = typeof record.recipientAccountId === "string" ? record.recipientAccountId : UNKNOWN;
    if (
      (filter.regions !== undefined && !filter.regions.includes(region)) ||
      (filter.accounts !== undefined && !filter.accounts.includes(account))
    ) {
      tally.recordsOfOtherAccountsOrRegions += 1;
      return;
    }
    // A record without a readable time cannot be placed in the window: it is counted, never dropped unseen.
    const timeMs = eventTimeMsOf(record.eventTime);
    if (
      timeMs !== undefined &&
      ((filter.windowStartMs !== undefined && timeMs < filter.windowStartMs) ||
        (filter.windowEndMs !== undefined && timeMs > filter.windowEndMs))
    ) {
      tally.recordsOutsideWindow += 1;
      return;
    }
    let regionTally = tally.regions[region];
    if (regionTally === undefined) {
      regionTally = { records: 0, oldestMs: undefined, newestMs: undefined };
      tally.regions[region] = regionTally;
    }
    regionTally.records += 1;
    if (timeMs !== undefined) {
      if (regionTally.oldestMs === undefined || timeMs < regionTally.oldestMs) regionTally.oldestMs = timeMs;
      if (regionTally.newestMs === undefined || timeMs > regionTally.newestMs) regionTally.newestMs = timeMs;
    }
    tally.accounts[account] = (tally.accounts[account] ?? 0) + 1;
    this.#receiver.addRecord(record, region);
  }

  /** One JSON line: a plain record, or a LookupEvents item whose `CloudTrailEvent` holds the record as text. */
  line(value: unknown): void {
    const fields = objectOf(value);
    if (fields === undefined) return this.unreadable();
    if (typeof fields.CloudTrailEvent === "string" && fields.eventSource === undefined) {
      const record = objectOf(parseJson(fields.CloudTrailEvent));
      return record === undefined ? this.unreadable() : this.record(record);
    }
    this.record(fields);
  }
}

/**
 * Detects what a file is and counts its records.
 * @param bytes the file's bytes, gunzipped (see {@link trailFileBytes})
 * @param filter which records count
 * @param receiver where counted records go
 */
export function countTrailFile(bytes: Uint8Array, filter: RecordFilter, receiver: RecordReceiver): FileTally {
  const groups = logFileGroups(bytes);
  if (groups !== undefined) return countLogFile(groups, filter, receiver);
  return countTrailText(decoder.decode(bytes), filter, receiver);
}

/** {@link countTrailFile} for text that is not a plain `{"Records":[…]}` log file: parsed whole, or as lines. */
function countTrailText(text: string, filter: RecordFilter, receiver: RecordReceiver): FileTally {
  const whole = text.trimStart().startsWith("{") ? parseJson(text) : undefined;
  const fields = objectOf(whole);
  if (fields !== undefined) {
    if (Array.isArray(fields.Records)) {
      const records = fields.Records as unknown[];
      if (records.length > 0 && isInsight(records[0])) return new FileCounter("insight", filter, receiver).tally;
      const counter = new FileCounter("log", filter, receiver);
      for (const record of records) counter.element(record);
      return counter.tally;
    }
    if ("digestStartTime" in fields || "logFiles" in fields) return new FileCounter("digest", filter, receiver).tally;
    // One JSON object: a file of one record, or some other JSON (an index, a config) that is not CloudTrail.
    if (!looksLikeRecord(fields)) return new FileCounter("not-cloudtrail", filter, receiver).tally;
    const counter = new FileCounter("lines", filter, receiver);
    counter.line(fields);
    return counter.tally;
  }
  return countLines(text, filter, receiver);
}

function countLogFile(groups: Iterable<unknown[]>, filter: RecordFilter, receiver: RecordReceiver): FileTally {
  let counter: FileCounter | undefined;
  for (const group of groups) {
    if (counter === undefined) {
      if (isInsight(group[0])) return new FileCounter("insight", filter, receiver).tally;
      counter = new FileCounter("log", filter, receiver);
    }
    for (const value of group) counter.element(value);
  }
  return (counter ?? new FileCounter("log", filter, receiver)).tally;
}

/** A CloudTrail record, or a LookupEvents item holding one, by its fields: not any JSON object. */
function looksLikeRecord(fields: Record<string, unknown> | undefined): boolean {
  return fields !== undefined &&
    ["eventVersion", "eventTime", "eventSource", "eventName", "CloudTrailEvent"].some((key) =>
      typeof fields[key] === "string"
    );
}

/** JSON lines; a file where no line is a CloudTrail record is not CloudTrail at all and nothing of it is counted. */
function countLines(text: string, filter: RecordFilter, receiver: RecordReceiver): FileTally {
  const lines = text.split("\n");
  const firstRecord = lines.findIndex((line) => looksLikeRecord(objectOf(parseJson(line))));
  if (firstRecord < 0) return new FileCounter("not-cloudtrail", filter, receiver).tally;
  const counter = new FileCounter("lines", filter, receiver);
  for (const line of lines) {
    if (line.trim() === "") continue;
    counter.line(parseJson(line));
  }
  return counter.tally;
}
