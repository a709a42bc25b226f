/** One parsed CloudTrail record → the keys the summary counts it under. Pure. */
import { principalOf } from "./principal.ts";
import type { ActivityRecord, ActivityType } from "./types.ts";

const UNKNOWN = "Unknown";

/**
 * Parses a record's JSON text.
 * @returns the record, or undefined when the text is not a JSON object
 */
export function parseRecord(text: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** A string field as it is, control characters included; anything else reads as `Unknown`. */
function textOrUnknown(value: unknown): string {
  return typeof value === "string" ? value : UNKNOWN;
}

/** Present means neither absent nor null. */
function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** The spec's error code: the record's `errorCode`, else `responseElements.errorCode`. */
function errorCodeOf(record: Record<string, unknown>, eventSource: string): string | undefined {
  if (isPresent(record.errorCode)) return `${eventSource}:${textOrUnknown(record.errorCode)}`;
  const responseElements = objectOf(record.responseElements);
  if (responseElements !== undefined && isPresent(responseElements.errorCode)) {
    return `${eventSource}:${textOrUnknown(responseElements.errorCode)}`;
  }
  return undefined;
}

/** The spec's success rule. */
function isSuccessful(record: Record<string, unknown>): boolean {
  if (isPresent(record.errorCode) || isPresent(record.errorMessage)) return false;
  const responseElements = objectOf(record.responseElements);
  return responseElements === undefined ||
    !(isPresent(responseElements.errorCode) || isPresent(responseElements.errorMessage));
}

const PANTHER_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d+)?$/;

/**
 * `eventTime` in epoch milliseconds: ISO 8601 (`2023-07-10T11:42:18Z`, fractions allowed)
 * or `YYYY-MM-DD HH:MM:SS[.fffffffff]` read as UTC; undefined when absent or unparsable.
 */
export function eventTimeMsOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  // A file source asks twice per record (window, then counting), and neighbouring records share their second.
  if (value === lastTime.text) return lastTime.milliseconds;
  const milliseconds = parsedEventTimeMs(value);
  lastTime.text = value;
  lastTime.milliseconds = milliseconds;
  return milliseconds;
}

/** The last time text read and its value, for {@link eventTimeMsOf}. */
const lastTime: { text: string | undefined; milliseconds: number | undefined } = {
  text: undefined,
  milliseconds: undefined,
};

function parsedEventTimeMs(value: string): number | undefined {
  const panther = PANTHER_TIME.exec(value);
  const iso = panther === null ? value : `${panther[1]}T${panther[2]}${(panther[3] ?? "").slice(0, 4)}Z`;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(iso)) return undefined;
  const milliseconds = Date.parse(iso);
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

/**
 * Derives every key of one record per doc/summary-rules.md.
 * @param record a parsed CloudTrail record
 * @param region the region it is counted under (the endpoint's, for LookupEvents)
 * @example
 * ```ts
 * describeRecord({ eventSource: "iam.amazonaws.com", eventName: "CreateUser" }, "us-east-1").apiCall;
 * // "iam.amazonaws.com:CreateUser"
 * ```
 */
export function describeRecord(record: Record<string, unknown>, region: string): ActivityRecord {
  const eventSource = textOrUnknown(record.eventSource);
  const eventName = textOrUnknown(record.eventName);
  const { principal, recognized } = principalOf(record.userIdentity);
  return {
    principal,
    identityRecognized: recognized,
    apiCall: `${eventSource}:${eventName}`,
    eventSource,
    eventName,
    errorCode: errorCodeOf(record, eventSource),
    successful: isSuccessful(record),
    ipAddress: textOrUnknown(record.sourceIPAddress),
    userAgent: textOrUnknown(record.userAgent),
    region,
    eventTimeMs: eventTimeMsOf(record.eventTime),
    record,
  };
}

/** Whether `--activity-type` keeps a record. */
export function matchesActivityType(activity: ActivityRecord, type: ActivityType): boolean {
  if (type === "ALL") return true;
  return (type === "SUCCESSFUL") === activity.successful;
}
