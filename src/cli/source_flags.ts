/**
 * The flags that choose where events come from and which time they cover: trail files, a trail
 * bucket, the time window, late deliveries, data events and counting workers. Pure:
 * throws {@link UsageError} for anything invalid. `flags.ts` spreads these into its definitions.
 */
import { UsageError } from "../errors.ts";

/** The flags' definitions for `node:util` `parseArgs`. */
export const SOURCE_FLAG_DEFINITIONS = {
  "trail-files": { type: "string", multiple: true },
  "trail-bucket": { type: "string" },
  "start-time": { type: "string" },
  "end-time": { type: "string" },
  "late-slack": { type: "string" },
  "include-data-events": { type: "boolean" },
  "workers": { type: "string" },
} as const;

/** The flags that only the summarize command takes. */
export const SOURCE_FLAG_NAMES = Object.keys(SOURCE_FLAG_DEFINITIONS) as (keyof typeof SOURCE_FLAG_DEFINITIONS)[];

/** Where events come from and which time they cover. */
export interface SourceOptions {
  /** `--trail-files` paths as given (files or folders), in order. */
  trailFiles: string[] | undefined;
  /** `--trail-bucket s3://BUCKET[/PREFIX]` as given. */
  trailBucket: string | undefined;
  /** `--start-time`, `--end-time`. */
  startTime: Date | undefined;
  endTime: Date | undefined;
  /** Whether `--past-hours` was given (local files read everything unless a window is given). */
  pastHoursGiven: boolean;
  /** How long after the window's end a trail file may still be delivered, in minutes. */
  lateSlackMinutes: number;
  /** Count data and network-activity events of trail files too. */
  includeDataEvents: boolean;
  /** Counting workers for trail files (default: one per core). */
  workers: number | undefined;
}

/** The raw values of {@link SOURCE_FLAG_DEFINITIONS}, plus the flags they depend on. */
export interface SourceFlagValues {
  "trail-files"?: string[] | undefined;
  "trail-bucket"?: string | undefined;
  "start-time"?: string | undefined;
  "end-time"?: string | undefined;
  "late-slack"?: string | undefined;
  "include-data-events"?: boolean | undefined;
  "workers"?: string | undefined;
  /** `--athena-table`: the Athena source, which reads the window, late slack and data-event flags too. */
  "athena-table"?: string | undefined;
  "past-hours"?: string | undefined;
  "lookup-attribute"?: string | undefined;
  "dump-raw-cloudtrail-data"?: boolean | undefined;
  "cache-dir"?: string | undefined;
}

export const DEFAULT_LATE_SLACK_MINUTES = 60;
const MAX_LATE_SLACK_MINUTES = 7 * 24 * 60;
const MAX_WORKERS = 64;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses the source flags.
 * @throws {UsageError} for a bad value or a combination that means nothing
 */
export function sourceOptions(values: SourceFlagValues): SourceOptions {
  const trailFiles = values["trail-files"];
  const trailBucket = values["trail-bucket"];
  const trailSource = trailFiles !== undefined || trailBucket !== undefined;
  const athena = values["athena-table"] !== undefined;
  if (athena && trailSource) {
    throw new UsageError(
      "Flags --athena-table and --trail-files/--trail-bucket cannot be used together: choose one source",
    );
  }
  if (trailFiles !== undefined && trailBucket !== undefined) {
    throw new UsageError("Flags --trail-files and --trail-bucket cannot be used together: choose one source");
  }
  if (trailFiles?.some((path) => path === "")) throw new UsageError("Invalid value '' for --trail-files");
  if (trailBucket !== undefined && !trailBucket.startsWith("s3://")) {
    throw new UsageError(`Invalid value '${trailBucket}' for --trail-bucket: use s3://BUCKET or s3://BUCKET/PREFIX`);
  }
  for (const flag of ["lookup-attribute", "dump-raw-cloudtrail-data", "cache-dir"] as const) {
    if (trailSource && values[flag] !== undefined) {
      throw new UsageError(
        `Flag --${flag} applies to CloudTrail event history (LookupEvents) only, not to trail files`,
      );
    }
  }
  if (!trailSource) {
    for (const flag of ["include-data-events", "workers"] as const) {
      if (values[flag] !== undefined && !(athena && flag === "include-data-events")) {
        throw new UsageError(`Flag --${flag} applies to trail files only: add --trail-files or --trail-bucket`);
      }
    }
  }
  if (trailBucket === undefined && !athena && values["late-slack"] !== undefined) {
    throw new UsageError("Flag --late-slack applies to --athena-table and --trail-bucket only");
  }
  const startTime = timeFlag("--start-time", values["start-time"]);
  const endTime = timeFlag("--end-time", values["end-time"]);
  if (startTime !== undefined && endTime !== undefined && startTime.getTime() >= endTime.getTime()) {
    throw new UsageError(
      `Invalid time window: --start-time '${values["start-time"]}' is not before --end-time '${values["end-time"]}'`,
    );
  }
  const pastHoursGiven = values["past-hours"] !== undefined;
  if (pastHoursGiven && startTime !== undefined) {
    throw new UsageError("Flags --past-hours and --start-time cannot be used together: the window starts at one");
  }
  return {
    trailFiles,
    trailBucket,
    startTime,
    endTime,
    pastHoursGiven,
    lateSlackMinutes: wholeNumber("--late-slack", values["late-slack"], 0, MAX_LATE_SLACK_MINUTES) ??
      DEFAULT_LATE_SLACK_MINUTES,
    includeDataEvents: values["include-data-events"] ?? false,
    workers: wholeNumber("--workers", values.workers, 1, MAX_WORKERS),
  };
}

function timeFlag(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const milliseconds = ISO_TIME.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(milliseconds)) {
    throw new UsageError(
      `Invalid value '${value}' for ${flag}: use ISO 8601 with a time zone, e.g. 2026-11-01T00:00:00Z or ` +
        `2026-11-01T09:30:00+09:00`,
    );
  }
  return new Date(milliseconds);
}

function wholeNumber(flag: string, value: string | undefined, minimum: number, maximum: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < minimum || Number(value) > maximum) {
    throw new UsageError(`Invalid value '${value}' for ${flag}: use a whole number from ${minimum} to ${maximum}`);
  }
  return Number(value);
}

/** A time window in epoch ms; an undefined end means "no limit". */
export interface TimeWindow {
  startMs: number | undefined;
  endMs: number | undefined;
}

/**
 * The window a run covers. LookupEvents and trail buckets: `--start-time`/`--end-time`, else the
 * past `pastHours` before the end (default: now). Local trail files: every record, unless a window
 * flag is given (then the same rules, with an open start or end where none follows from the flags).
 */
export function timeWindow(options: SourceOptions & { pastHours: number }, nowMs: number): TimeWindow {
  const bounded = options.trailFiles === undefined;
  const endMs = options.endTime?.getTime() ??
    (bounded || options.startTime !== undefined || options.pastHoursGiven ? nowMs : undefined);
  const startMs = options.startTime?.getTime() ??
    (bounded || options.pastHoursGiven ? (endMs ?? nowMs) - options.pastHours * 3600_000 : undefined);
  return { startMs, endMs };
}
