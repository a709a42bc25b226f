/**
 * Where CloudTrail puts its log files, as AWS documents it, and how a time window maps onto
 * that layout. Pure.
 *
 * `[PREFIX/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_<16>.json.gz`
 * The key's time and day folder are the file's delivery time; its events are older.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** `s3://BUCKET[/PREFIX]`, split; the prefix without slashes at either end. */
export interface BucketLocation {
  bucket: string;
  prefix: string;
}

/**
 * Parses `s3://BUCKET[/PREFIX]`.
 * @throws {RangeError} when it is not of that form or the bucket name is not valid
 */
export function parseBucketLocation(text: string): BucketLocation {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(text);
  const bucket = match?.[1] ?? "";
  if (match === null || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) {
    throw new RangeError(`use s3://BUCKET or s3://BUCKET/PREFIX with a valid bucket name`);
  }
  const prefix = (match[2] ?? "").replace(/^\/+|\/+$/g, "");
  return { bucket, prefix };
}

/** The folder holding `AWSLogs/` entries: `[PREFIX/]AWSLogs/`. */
export function logsFolder(location: BucketLocation): string {
  return location.prefix === "" ? "AWSLogs/" : `${location.prefix}/AWSLogs/`;
}

/** The last path segment of a common prefix such as `…/AWSLogs/111122223333/`. */
export function lastSegment(commonPrefix: string): string {
  const trimmed = commonPrefix.endsWith("/") ? commonPrefix.slice(0, -1) : commonPrefix;
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}

/** Whether a segment under `AWSLogs/` is an organization folder (`o-…`) rather than an account. */
export function isOrganizationSegment(segment: string): boolean {
  return /^o-[a-z0-9]{10,32}$/.test(segment);
}

/** Whether a segment is an account id. */
export function isAccountSegment(segment: string): boolean {
  return /^\d{12}$/.test(segment);
}

/** Whether a segment is a region name. */
export function isRegionSegment(segment: string): boolean {
  return /^[a-z]{2}(-[a-z]+)+-\d+$/.test(segment);
}

/** The region folders' parent of one account: `…/ACCOUNT/CloudTrail/` (the slash keeps Digest and Insight out). */
export function cloudTrailFolder(accountsFolder: string, account: string): string {
  return `${accountsFolder}${account}/CloudTrail/`;
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** `YYYY/MM/DD/` of a UTC day. */
export function dayFolderName(timeMs: number): string {
  const date = new Date(timeMs);
  return `${date.getUTCFullYear()}/${twoDigits(date.getUTCMonth() + 1)}/${twoDigits(date.getUTCDate())}/`;
}

/** `YYYYMMDDTHHmmZ` of a time, as in file names. */
export function keyTimeText(timeMs: number): string {
  const date = new Date(timeMs);
  return `${date.getUTCFullYear()}${twoDigits(date.getUTCMonth() + 1)}${twoDigits(date.getUTCDate())}T` +
    `${twoDigits(date.getUTCHours())}${twoDigits(date.getUTCMinutes())}Z`;
}

/** One day folder to list, and where in it to start. */
export interface DayListing {
  /** The day folder: `…/REGION/YYYY/MM/DD/`. */
  prefix: string;
  /** Keys up to and including this one are skipped (delivered before the window could start). */
  startAfter: string | undefined;
  /** Keys delivered after this time are not listed. */
  lastDeliveryMs: number;
}

/**
 * The day folders of one account and region that can hold events of `[startMs, endMs]`:
 * from the day of `start − 1 minute` (files hold events from before their delivery) to the
 * day of `end + lateSlack` (late deliveries may reach into the next day's folder).
 */
export function dayListings(
  regionFolder: string,
  account: string,
  region: string,
  startMs: number,
  endMs: number,
  lateSlackMs: number,
): DayListing[] {
  const firstDeliveryMs = startMs - MINUTE;
  const lastDeliveryMs = endMs + lateSlackMs;
  const listings: DayListing[] = [];
  for (let day = Math.floor(firstDeliveryMs / DAY) * DAY; day <= lastDeliveryMs; day += DAY) {
    const prefix = `${regionFolder}${dayFolderName(day)}`;
    const startAfter = day <= firstDeliveryMs
      ? `${prefix}${account}_CloudTrail_${region}_${keyTimeText(firstDeliveryMs)}`
      : undefined;
    listings.push({ prefix, startAfter, lastDeliveryMs });
  }
  return listings;
}

const FILE_NAME =
  /^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z_([A-Za-z0-9]{16})\.json\.gz$/;

/**
 * The delivery time of a key listed under a day folder, or undefined when the key does not
 * fit the layout (another account, region or day than its folder says, or another name).
 */
export function deliveryTimeOfKey(key: string, dayPrefix: string, account: string, region: string): number | undefined {
  if (!key.startsWith(dayPrefix)) return undefined;
  const match = FILE_NAME.exec(key.slice(dayPrefix.length));
  if (match === null || match[1] !== account || match[2] !== region) return undefined;
  const [year, month, day, hour, minute] = match.slice(3, 8).map(Number) as [number, number, number, number, number];
  const timeMs = Date.UTC(year, month - 1, day, hour, minute);
  return dayPrefix.endsWith(dayFolderName(timeMs)) ? timeMs : undefined;
}

/** What a file is by its path alone: digest and Insight files are skipped without reading them. */
export function skippedByPath(path: string): "digest" | "insight" | undefined {
  const normalised = path.replaceAll("\\", "/");
  if (/(^|\/)CloudTrail-Digest\/|_CloudTrail-Digest_/.test(normalised)) return "digest";
  if (/(^|\/)CloudTrail-Insight\/|_CloudTrail-Insight_/.test(normalised)) return "insight";
  return undefined;
}
