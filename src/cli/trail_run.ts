/**
 * The trail file sources of `summarize`: building a {@link TrailSource} from the flags (a local
 * folder, or a trail bucket through S3), and what its run adds to `_metadata`. Everything after
 * the source (summary, principals, findings, reports) is the same as for LookupEvents.
 */
import { resolve } from "node:path";
import type { AwsApis, CallerIdentity } from "../aws/clients.ts";
import { CannotRunError, type ExitCode, UsageError } from "../errors.ts";
import { BucketCallError, BucketTrailLister } from "../sources/bucket_trail_lister.ts";
import { LocalTrailLister } from "../sources/local_trail_lister.ts";
import { parseBucketLocation } from "../sources/trail_layout.ts";
import type { ParallelCounting } from "../sources/trail_pool.ts";
import type { RecordFilter } from "../sources/trail_records.ts";
import { TrailSource } from "../sources/trail_source.ts";
import type { TrailTally } from "../sources/trail_tally.ts";
import { compactTimestamp } from "../summary/timestamps.ts";
import type { Summary, SummaryMetadata } from "../summary/types.ts";
import { ActivityCounter, type ActivityCounterOptions, type ActivityCounterState } from "./activity_counter.ts";
import type { RunDependencies } from "./context.ts";
import type { SummarizeOptions } from "./flags.ts";
import { durationText, ProgressReporter } from "./progress.ts";
import { type SourceOptions, type TimeWindow, timeWindow } from "./source_flags.ts";
import { callerIdentity } from "./summarize.ts";
import { prepareSigmaRules, sigmaMetadata } from "./sigma_rules.ts";
import { deliverSummary } from "./summary_delivery.ts";
import { prepareOutputFolder, reserveOutputPaths } from "./summary_output.ts";
import { summaryBody } from "./summary_body.ts";

/** The options a trail run reads. */
type TrailOptions = SourceOptions & Pick<SummarizeOptions, "regions" | "accounts">;

/**
 * Files fetched from S3 (or waiting for a worker) at once, and their bytes: the byte bound holds memory
 * for big files, the file bound lets a bucket of small ones (an organization trail's) be fetched
 * many at a time at S3's latency. Below the SDK's 50 sockets, so no request waits for one.
 */
const BUCKET_FILES_IN_FLIGHT = 48;
const BUCKET_BYTES_IN_FLIGHT = 16 * 1024 * 1024;

/** Where a trail source reads, resolved and checked before anything is read. */
export type TrailLocation =
  | { kind: "files"; paths: string[] }
  | { kind: "bucket"; bucket: string; prefix: string };

/**
 * Checks the trail flags' values against the file system or their form.
 * @throws {UsageError} for a path that does not exist or a bucket URL that is not one
 * @throws {CannotRunError} for a path the program may not read
 */
export async function trailLocation(options: TrailOptions, workingDirectory: string): Promise<TrailLocation> {
  if (options.trailBucket !== undefined) {
    try {
      return { kind: "bucket", ...parseBucketLocation(options.trailBucket) };
    } catch (error) {
      throw new UsageError(`Invalid value '${options.trailBucket}' for --trail-bucket: ${(error as Error).message}`);
    }
  }
  const paths = (options.trailFiles ?? []).map((path) => resolve(workingDirectory, path));
  for (const [index, path] of paths.entries()) {
    const given = options.trailFiles![index]!;
    try {
      await Deno.stat(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new UsageError(`Invalid value '${given}' for --trail-files: no such file or folder`);
      }
      if (error instanceof Deno.errors.NotCapable) {
        throw new CannotRunError(
          `Cannot read '${given}' (--trail-files): this command may read only where its Deno permissions allow ` +
            `(deno task summarize: below the folder you run it from); copy the files there or use the compiled binary`,
          { cause: error },
        );
      }
      throw new CannotRunError(`Cannot read '${given}' (--trail-files): ${(error as Error).message}`, { cause: error });
    }
  }
  return { kind: "files", paths };
}

/** Builds the source; `apis` only for a bucket. */
export function trailSource(
  location: TrailLocation,
  options: TrailOptions,
  window: TimeWindow,
  counter: ActivityCounter,
  counterOptions: ActivityCounterOptions,
  deps: Pick<RunDependencies, "clock">,
  apis: AwsApis | undefined,
): TrailSource {
  const filter: RecordFilter = {
    windowStartMs: window.startMs,
    windowEndMs: window.endMs,
    includeDataEvents: options.includeDataEvents,
    accounts: Array.isArray(options.accounts) ? options.accounts : undefined,
    regions: options.regions,
  };
  const counting: ParallelCounting = {
    workerUrl: new URL("./_trail_counting_worker.ts", import.meta.url),
    counterOptions,
    merge: (state) => counter.merge(state as ActivityCounterState),
  };
  const workers = options.workers ?? Math.max(1, navigator.hardwareConcurrency ?? 1);
  const lister = location.kind === "files"
    ? new LocalTrailLister(location.paths, window.startMs ?? 0, window.endMs ?? 0)
    : new BucketTrailLister({
      api: apis!.trailBucket(location.bucket),
      location,
      accounts: options.accounts,
      regions: options.regions,
      windowStartMs: window.startMs!,
      windowEndMs: window.endMs!,
      lateSlackMs: options.lateSlackMinutes * 60_000,
      clock: deps.clock,
    });
  return new TrailSource({
    lister,
    counting,
    filter,
    workers,
    // Local files are read by the workers themselves: two each keeps them busy.
    ...(location.kind === "files"
      ? { filesInFlight: 2 * workers }
      : { filesInFlight: BUCKET_FILES_IN_FLIGHT, bytesInFlight: BUCKET_BYTES_IN_FLIGHT }),
    now: () => deps.clock.now(),
  });
}

/**
 * The account part of the summary's file name: the one account the records came from, else
 * `<lowest id>-and-<n>-more`; with no records, the caller's account (S3) or `unknown`.
 */
export function fileNameAccount(accountsSeen: readonly string[], callerAccount: string | undefined): string {
  const accounts = accountsSeen.filter((account) => /^\d{12}$/.test(account)).sort();
  if (accounts.length === 0) return callerAccount ?? "unknown";
  if (accounts.length === 1) return accounts[0]!;
  return `${accounts[0]}-and-${accounts.length - 1}-more`;
}

/** The `_metadata` keys a trail run fills (the record counts and sections come from the counter). */
export function trailMetadata(
  source: TrailSource,
  options: TrailOptions,
  window: TimeWindow,
  identity: CallerIdentity | undefined,
  runTimestamp: string,
):
  & Pick<
    SummaryMetadata,
    "account_id" | "account_principal" | "cloudtrail_data_analyzed" | "regions_enabled" | "regions_failed"
  >
  & Record<string, unknown> {
  const tallyMetadata = source.tally.metadata();
  const accounts = Object.keys(source.tally.accounts).sort();
  const span = source.tally.timeSpan;
  const from = window.startMs ?? span.oldestMs;
  const to = window.endMs ?? span.newestMs;
  const failedPartitions = Object.fromEntries(
    source.partitions.filter((partition) => partition.status === "failed")
      .map((partition) => [partition.name, partition.errorCode ?? "UnknownError"]),
  );
  const regionsSeen = Object.keys(source.tally.regions).sort();
  return {
    // S3: the caller's account; local files: the one account in them, or all of them.
    account_id: identity?.accountId ?? (accounts.length === 0 ? "unknown" : accounts.join(",")),
    account_principal: identity?.arn ?? "no AWS principal: local trail files",
    cloudtrail_data_analyzed: {
      from_timestamp: from === undefined ? runTimestamp : compactTimestamp(new Date(from)),
      to_timestamp: to === undefined ? runTimestamp : compactTimestamp(new Date(to)),
    },
    regions_enabled: regionsSeen,
    regions_read: regionsSeen,
    regions_failed: failedPartitions,
    source: source.description,
    time_window: {
      start: window.startMs === undefined ? null : new Date(window.startMs).toISOString(),
      end: window.endMs === undefined ? null : new Date(window.endMs).toISOString(),
    },
    include_data_events: options.includeDataEvents,
    ...(source.description.type === "trail-bucket" ? { late_slack_minutes: options.lateSlackMinutes } : {}),
    ...tallyMetadata,
  };
}

/** Whether the flags ask for trail files rather than CloudTrail event history. */
export function readsTrailFiles(options: SourceOptions): boolean {
  return options.trailFiles !== undefined || options.trailBucket !== undefined;
}

/**
 * The main job over trail files: read them (local files need no AWS credentials; a bucket is read
 * with the caller's), then write the summary like any other run.
 * @returns the exit code: 0, 3 (files or folders failed), 4 (--fail-on met) or 130 (interrupted)
 * @throws {UsageError} for a path that does not exist or a bucket URL that is not one
 * @throws {CannotRunError} when the files, the bucket or the output folder cannot be used
 */
export async function summarizeTrailFiles(options: SummarizeOptions, deps: RunDependencies): Promise<ExitCode> {
  const say = (line: string) => {
    if (!options.quiet) deps.stderr.write(`${line}\n`);
  };
  const location = await trailLocation(options, deps.workingDirectory);
  // Before any AWS call or file read: a bad --sigma-rules path is a usage error; refused rule files are warned about.
  const sigma = await prepareSigmaRules(options.sigma, deps);
  let apis: AwsApis | undefined;
  let identity: CallerIdentity | undefined;
  if (location.kind === "bucket") {
    apis = await deps.createAwsApis({
      profile: options.profile,
      homeRegion: options.region,
      requestTimeoutMilliseconds: options.requestTimeoutSeconds * 1000,
    });
    identity = await callerIdentity(apis.account, deps.interrupt);
  }
  const directory = resolve(deps.workingDirectory, options.outputDir ?? "results");
  await prepareOutputFolder(deps, directory);

  const nowMs = deps.clock.now();
  const runTimestamp = compactTimestamp(new Date(nowMs));
  const window = timeWindow(options, nowMs);
  const counterOptions: ActivityCounterOptions = {
    activityType: options.activityType,
    thresholds: options.thresholds,
    // The rules' files, not the compiled rules: each worker compiles them again.
    sigmaRules: sigma.sources,
  };
  const counter = new ActivityCounter(counterOptions);
  const source = trailSource(location, options, window, counter, counterOptions, deps, apis);
  const windowText = window.startMs === undefined && window.endMs === undefined
    ? "every record in them"
    : `${window.startMs === undefined ? "the oldest record" : new Date(window.startMs).toISOString()} to ${
      window.endMs === undefined ? "the newest record" : new Date(window.endMs).toISOString()
    }`;
  say(`Reading CloudTrail log files from ${source.description.location}, ${windowText}`);
  const progress = options.quiet
    ? undefined
    : new ProgressReporter(deps.stderr, [], 0, () =>
      trailProgressLine(source.tally, deps.clock.now() - (source.startedMs ?? deps.clock.now())));
  progress?.start();
  try {
    // No record reaches this thread: the workers count, and their counts are merged into `counter`.
    await source.read(() => {}, deps.interrupt);
  } catch (error) {
    if (!(error instanceof BucketCallError)) throw error;
    throw new CannotRunError(
      `Cannot list ${source.description.location}: ${error.code}: ${error.message} (s3:ListBucket is needed)`,
      { cause: error },
    );
  } finally {
    progress?.stop();
  }

  if (source.tally.filesListed === 0 && !deps.interrupt.aborted) {
    say(`No trail files found in ${source.description.location} for this window`);
  }
  const interrupted = deps.interrupt.aborted;
  const findings = counter.findings.findings();
  const summary: Summary = {
    _metadata: {
      ...trailMetadata(source, options, window, identity, runTimestamp),
      activity_type: options.activityType,
      invocation: deps.invocation,
      run_timestamp: runTimestamp,
      incomplete: interrupted,
      ...counter.summarizer.counts,
      sigma_rules: sigmaMetadata(options.sigma, sigma),
    },
    ...summaryBody(counter.summarizer.aggregator.sections(), counter.principals.section(), findings),
  };
  const fileAccount = fileNameAccount(Object.keys(source.tally.accounts), identity?.accountId);
  const reserved = await reserveOutputPaths(deps, directory, fileAccount, runTimestamp, false);
  const failedFolders = Object.keys(summary._metadata.regions_failed);
  const failedFiles = Object.keys(source.tally.failed);
  const failures = [
    ...(failedFolders.length === 0 ? [] : [
      `${failedFolders.length} of ${source.partitions.length} account or region folders failed: ` +
      `${failedFolders.join(", ")} (see _metadata.regions_failed)`,
    ]),
    ...(failedFiles.length === 0 ? [] : [
      `${failedFiles.length} of ${source.tally.filesListed} files could not be read (see _metadata.files.failed)`,
    ]),
  ];
  return deliverSummary(
    { summary, reserved, fileAccount, runTimestamp, interrupted, failures, alsoWritten: [] },
    options,
    deps,
  );
}

/** Files and records done, MB/s of file bytes, and the time left for the bytes listed so far. Pure. */
export function trailProgressLine(tally: TrailTally, elapsedMs: number): string {
  const bytesPerSecond = elapsedMs > 0 ? tally.bytesDone / (elapsedMs / 1000) : 0;
  const remaining = tally.bytesListed - tally.bytesDone;
  const eta = bytesPerSecond > 0 && remaining > 0 ? `, ETA ${durationText(Math.ceil(remaining / bytesPerSecond))}` : "";
  const failed = Object.keys(tally.failed).length;
  return `${tally.filesDone}/${tally.filesListed} files, ${tally.recordsCounted} records counted, ` +
    `${(tally.bytesDone / 1e6).toFixed(1)} MB at ${(bytesPerSecond / 1e6).toFixed(1)} MB/s${eta}` +
    (failed > 0 ? `, ${failed} files failed` : "");
}
