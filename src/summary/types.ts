/** Types shared by the pure summary core, the event sources and the reports. */

/** The `--activity-type` values: which records are counted. */
export type ActivityType = "ALL" | "SUCCESSFUL" | "FAILED";

/** All activity types, in the order `--help` lists them. */
export const ACTIVITY_TYPES: readonly ActivityType[] = [
  "ALL",
  "SUCCESSFUL",
  "FAILED",
];

/**
 * One CloudTrail record as it leaves an event source: the record's JSON text
 * (LookupEvents' `CloudTrailEvent`, or one element of a trail file) and the
 * region it was read from. Sources never parse the text for the summary; the
 * summary core does, so an unreadable record is counted instead of crashing a region.
 */
export interface SourceEvent {
  /** Region whose endpoint returned the event (LookupEvents) or the record's `awsRegion` (files). */
  readonly region: string;
  /** The record exactly as served, as JSON text. */
  readonly cloudTrailEvent: string;
  /** `EventId` from the API, when the source has one (used to skip events already counted). */
  readonly eventId?: string | undefined;
  /** `EventTime` from the API, when the source has one. */
  readonly eventTime?: Date | undefined;
}

/**
 * What the summary and the findings need to know of one parsed record: every
 * key already derived per `doc/summary-rules.md`.
 */
export interface ActivityRecord {
  /** The principal per the spec's `userIdentity` table (never empty). */
  readonly principal: string;
  /** False when the identity fitted no rule of the spec and the fallback was used. */
  readonly identityRecognized: boolean;
  /** `<eventSource>:<eventName>`. */
  readonly apiCall: string;
  /** `eventSource` or `Unknown`. */
  readonly eventSource: string;
  /** `eventName` or `Unknown`. */
  readonly eventName: string;
  /** `<eventSource>:<errorCode>`, or undefined when the record has no error code. */
  readonly errorCode: string | undefined;
  /** The spec's success rule. */
  readonly successful: boolean;
  /** `sourceIPAddress` or `Unknown`. */
  readonly ipAddress: string;
  /** `userAgent` or `Unknown`. */
  readonly userAgent: string;
  /** The region the record is counted under. */
  readonly region: string;
  /** `eventTime` parsed to epoch milliseconds, or undefined when absent or unparsable. */
  readonly eventTimeMs: number | undefined;
  /** The parsed record itself, for rules that look at more fields (findings). */
  readonly record: Readonly<Record<string, unknown>>;
}

/** `{"<key>": {"<sub key>": count}}`: one section of the summary. */
export type CountSection = Record<string, Record<string, number>>;

/** The five count sections every summary has, named as in the output file. */
export const SECTION_NAMES = [
  "api_calls_by_principal",
  "api_calls_by_region",
  "error_codes_by_principal",
  "ip_addresses_by_principal",
  "user_agents_by_principal",
] as const;

/** One of {@link SECTION_NAMES}. */
export type SectionName = typeof SECTION_NAMES[number];

/** The summary file's `_metadata` object (keys as written). Later features add optional keys. */
export interface SummaryMetadata {
  account_id: string;
  account_principal: string;
  activity_type: ActivityType;
  cloudtrail_data_analyzed: { from_timestamp: string; to_timestamp: string };
  invocation: string;
  regions_enabled: string[];
  regions_failed: Record<string, string>;
  run_timestamp: string;
  [key: string]: unknown;
}

/** The whole summary file as parsed JSON. */
export type Summary =
  & { _metadata: SummaryMetadata }
  & Record<SectionName, CountSection>
  & Record<string, unknown>;
