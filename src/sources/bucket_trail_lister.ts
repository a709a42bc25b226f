/**
 * A trail's S3 bucket as a {@link TrailLister}. Accounts (and organization folders) and regions
 * are discovered with `Delimiter='/'` and filtered before any object is read; then, per account,
 * region and UTC day folder, keys are listed from `start − 1 minute` (`StartAfter`) up to the
 * first key delivered after `end + late slack`. Each key is checked against the layout. One
 * partition per account and region; a listing that fails for good fails its partition only.
 */
import type { Clock } from "../clock.ts";
import { awsErrorCode, classifyAwsError } from "../aws/error_kind.ts";
import type { ObjectListing, TrailBucketApi } from "../aws/trail_bucket.ts";
import { newPartition, type PartitionProgress } from "./event_source.ts";
import {
  type BucketLocation,
  cloudTrailFolder,
  dayListings,
  deliveryTimeOfKey,
  isAccountSegment,
  isOrganizationSegment,
  isRegionSegment,
  lastSegment,
  logsFolder,
} from "./trail_layout.ts";
import type { TrailFile, TrailLister } from "./trail_source.ts";
import type { TrailTally } from "./trail_tally.ts";

/** Retries of one S3 call after transient faults (5xx, SlowDown, resets, bodies cut short). */
export interface BucketRetryLimits {
  attempts: number;
  firstBackoffMilliseconds: number;
}

/** What a {@link BucketTrailLister} reads. */
export interface BucketTrailListerOptions {
  api: TrailBucketApi;
  location: BucketLocation;
  /** Accounts to read; undefined or "all": every account found in the keys. */
  accounts: "all" | readonly string[] | undefined;
  /** Regions to read; undefined: every region found. */
  regions: readonly string[] | undefined;
  windowStartMs: number;
  windowEndMs: number;
  lateSlackMs: number;
  clock: Clock;
  retries?: Partial<BucketRetryLimits>;
  random?: () => number;
}

const DEFAULT_RETRIES: BucketRetryLimits = { attempts: 5, firstBackoffMilliseconds: 200 };

/** An S3 call that failed for good, with the AWS error code. */
export class BucketCallError extends Error {
  constructor(readonly code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BucketCallError";
  }
}

/** A trail bucket as a {@link TrailLister}. */
export class BucketTrailLister implements TrailLister {
  readonly description: { type: string; location: string };
  readonly partitions: PartitionProgress[] = [];
  readonly #options: BucketTrailListerOptions;
  readonly #retries: BucketRetryLimits;

  constructor(options: BucketTrailListerOptions) {
    this.#options = options;
    this.#retries = { ...DEFAULT_RETRIES, ...options.retries };
    const { bucket, prefix } = options.location;
    this.description = { type: "trail-bucket", location: `s3://${bucket}${prefix === "" ? "" : `/${prefix}`}` };
  }

  /**
   * Lists the files to read.
   * @throws {BucketCallError} when `AWSLogs/` itself cannot be listed (nothing could be read)
   */
  async *files(tally: TrailTally, signal: AbortSignal): AsyncIterable<TrailFile> {
    const accounts = await this.#accountFolders(signal);
    for (const [account, accountsFolder] of accounts) {
      const regionFolders = await this.#regionFolders(account, accountsFolder, signal);
      for (const [region, regionFolder] of regionFolders) {
        const partition = this.#partition(`${account}/${region}`);
        try {
          yield* this.#regionFiles(partition, regionFolder, account, region, tally, signal);
        } catch (error) {
          if (signal.aborted) return;
          partition.status = "failed";
          partition.errorCode = codeOf(error);
        }
      }
    }
  }

  /**
   * An object's bytes, retried after transient faults.
   * @throws {BucketCallError} after the last attempt, or at once for a permanent error
   */
  fetch(file: TrailFile, signal: AbortSignal): Promise<Uint8Array> {
    return this.#withRetries(() => this.#options.api.getObject(file.name, signal), signal, file.partition);
  }

  /** Account id → the folder holding it (`AWSLogs/` or `AWSLogs/o-…/`), sorted, filtered by `--accounts`. */
  async #accountFolders(signal: AbortSignal): Promise<Map<string, string>> {
    const top = logsFolder(this.#options.location);
    const found = new Map<string, string>();
    for (const folder of await this.#subfolders(top, signal)) {
      const segment = lastSegment(folder);
      if (isAccountSegment(segment)) found.set(segment, top);
      if (isOrganizationSegment(segment)) {
        for (const accountFolder of await this.#subfolders(folder, signal)) {
          const account = lastSegment(accountFolder);
          if (isAccountSegment(account)) found.set(account, folder);
        }
      }
    }
    const wanted = this.#options.accounts;
    if (wanted === undefined || wanted === "all") return new Map([...found].sort(([a], [b]) => a < b ? -1 : 1));
    const chosen = new Map<string, string>();
    for (const account of wanted) {
      const folder = found.get(account);
      if (folder !== undefined) chosen.set(account, folder);
      else this.#failed(account, "AccountNotInBucket");
    }
    return chosen;
  }

  /** Region → its folder, for one account; a listing that fails marks the account failed. */
  async #regionFolders(account: string, accountsFolder: string, signal: AbortSignal): Promise<Map<string, string>> {
    const regions = new Map<string, string>();
    try {
      for (const folder of await this.#subfolders(cloudTrailFolder(accountsFolder, account), signal)) {
        const region = lastSegment(folder);
        if (!isRegionSegment(region)) continue;
        if (this.#options.regions === undefined || this.#options.regions.includes(region)) regions.set(region, folder);
      }
    } catch (error) {
      if (!signal.aborted) this.#failed(account, codeOf(error));
    }
    return regions;
  }

  async *#regionFiles(
    partition: PartitionProgress,
    regionFolder: string,
    account: string,
    region: string,
    tally: TrailTally,
    signal: AbortSignal,
  ): AsyncIterable<TrailFile> {
    const { windowStartMs, windowEndMs, lateSlackMs } = this.#options;
    for (const day of dayListings(regionFolder, account, region, windowStartMs, windowEndMs, lateSlackMs)) {
      let continuationToken: string | undefined;
      do {
        const page: ObjectListing = await this.#withRetries(
          () =>
            this.#options.api.listObjects(
              { prefix: day.prefix, startAfter: day.startAfter, continuationToken },
              signal,
            ),
          signal,
          partition,
        );
        for (const object of page.objects) {
          const deliveryMs = deliveryTimeOfKey(object.key, day.prefix, account, region);
          if (deliveryMs === undefined) {
            tally.keysNotInLayout += 1;
            continue;
          }
          // Keys of a day folder sort by delivery time; later days are later still.
          if (deliveryMs > day.lastDeliveryMs) return;
          yield { name: object.key, size: object.size, partition };
        }
        continuationToken = page.nextContinuationToken;
      } while (continuationToken !== undefined && !signal.aborted);
    }
  }

  /** Every common prefix under `prefix` (all pages). */
  async #subfolders(prefix: string, signal: AbortSignal): Promise<string[]> {
    const folders: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.#withRetries(
        () => this.#options.api.listObjects({ prefix, delimiter: "/", continuationToken }, signal),
        signal,
      );
      folders.push(...page.commonPrefixes);
      continuationToken = page.nextContinuationToken;
    } while (continuationToken !== undefined);
    return folders.sort();
  }

  async #withRetries<T>(call: () => Promise<T>, signal: AbortSignal, partition?: PartitionProgress): Promise<T> {
    const random = this.#options.random ?? Math.random;
    for (let attempt = 1;; attempt++) {
      try {
        return await call();
      } catch (error) {
        const kind = classifyAwsError(error);
        const retryable = kind === "transient" || kind === "throttling";
        if (signal.aborted || !retryable || attempt >= this.#retries.attempts) {
          throw new BucketCallError(codeOf(error), error instanceof Error ? error.message : String(error), {
            cause: error,
          });
        }
        if (partition !== undefined) partition.retries += 1;
        if (kind === "throttling" && partition !== undefined) partition.throttled += 1;
        const backoff = this.#retries.firstBackoffMilliseconds * 2 ** (attempt - 1) * (0.5 + random() / 2);
        await this.#options.clock.sleep(backoff, signal).catch(() => {});
      }
    }
  }

  #partition(name: string): PartitionProgress {
    const partition = newPartition(name, this.#options.windowStartMs, this.#options.windowEndMs);
    this.partitions.push(partition);
    return partition;
  }

  #failed(name: string, code: string): void {
    const partition = this.#partition(name);
    partition.status = "failed";
    partition.errorCode = code;
  }
}

function codeOf(error: unknown): string {
  return error instanceof BucketCallError ? error.code : awsErrorCode(error);
}
