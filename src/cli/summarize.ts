/** The main job: read CloudTrail in every region, write the summary and what goes with it. */
import { resolve } from "node:path";
import type { AccountApi, AwsApis, AwsClientOptions, CallerIdentity } from "../aws/clients.ts";
import { awsErrorCode } from "../aws/error_kind.ts";
import { CannotRunError, CliError, EXIT_CODES, type ExitCode, UsageError } from "../errors.ts";
import { RawDump, RawDumpError } from "../report/raw_dump.ts";
import type { PartitionProgress } from "../sources/event_source.ts";
import { type ActivityObserver, EventSummarizer } from "../summary/summarizer.ts";
import { FindingsCollector } from "../findings/findings.ts";
import { PrincipalActivity } from "../findings/principals.ts";
import { compactTimestamp } from "../summary/timestamps.ts";
import type { SourceEvent, Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";
import type { SummarizeOptions } from "./flags.ts";
import { ProgressReporter } from "./progress.ts";
import { timeWindow } from "./source_flags.ts";
import { chooseEventSource } from "./event_source_choice.ts";
import { prepareOutputFolder, printablePath, reason, reserveOutputPaths } from "./summary_output.ts";
import { prepareSigmaRules, sigmaMetadata } from "./sigma_rules.ts";
import { deliverSummary, type FinishedRead } from "./summary_delivery.ts";
import { summaryBody } from "./summary_body.ts";

/**
 * Runs the main job.
 * @returns the exit code: 0, 3 (regions failed), 4 (--fail-on met) or 130 (interrupted)
 * @throws {CannotRunError} when credentials, the account or the output folder are unusable
 * @throws {UsageError} when `--regions` names a region that is not enabled
 */
export async function summarize(options: SummarizeOptions, deps: RunDependencies): Promise<ExitCode> {
  // Before any AWS call: a bad --sigma-rules path is a usage error; refused rule files are warned about once.
  await prepareSigmaRules(options.sigma, deps);
  const apis = await deps.createAwsApis(awsClientOptions(options));
  return await deliverSummary(await readAccount(apis, { options, deps }), options, deps);
}

/** The SDK client settings of a run, from its flags. */
export function awsClientOptions(options: SummarizeOptions): AwsClientOptions {
  return {
    profile: options.profile,
    homeRegion: options.region,
    requestTimeoutMilliseconds: options.requestTimeoutSeconds * 1000,
  };
}

/** What an organization run decides once for all its accounts; a single-account run decides it itself. */
export interface SharedRun {
  /** The time window of every account, and the run's timestamp (its start), shared by every file it writes. */
  startTime: Date;
  endTime: Date;
  runTimestamp: string;
  /** The output folder, prepared already. */
  directory: string;
  /** Also see every counted record (the organization roll-up). */
  observers: readonly ActivityObserver[];
  /** Called once the account's regions are known, with their live progress (instead of our own progress lines). */
  onReading(partitions: readonly PartitionProgress[]): void;
}

/**
 * Reads one account with `apis` (the caller's, or a role's in another account): the whole single-account run up
 * to the summary, which the caller delivers (a single run) or writes (each account of an organization run).
 * @throws {CannotRunError} when the account's identity, regions or the output folder are unusable
 * @throws {UsageError} when `--regions` names a region that is not enabled in the account
 */
export async function readAccount(
  apis: AwsApis,
  { options, deps, shared }: { options: SummarizeOptions; deps: RunDependencies; shared?: SharedRun },
): Promise<FinishedRead> {
  const say = (line: string) => {
    if (!options.quiet && shared === undefined) deps.stderr.write(`${line}\n`);
  };
  const identity = await callerIdentity(apis.account, deps.interrupt);
  const enabledRegions = await enabledRegionsOf(apis.account, deps.interrupt);
  const regions = chooseRegions(enabledRegions, options.regions);
  // Before the first LookupEvents call: a folder that cannot be written must not cost a whole read.
  const directory = shared?.directory ?? resolve(deps.workingDirectory, options.outputDir ?? "results");
  if (shared === undefined) await prepareOutputFolder(deps, directory);

  const nowMs = deps.clock.now();
  // --start-time/--end-time/--past-hours (src/cli/source_flags.ts); the run's timestamp is always now.
  const window = timeWindow(options, nowMs);
  const endTime = shared?.endTime ?? new Date(window.endMs ?? nowMs);
  const startTime = shared?.startTime ?? new Date(window.startMs ?? nowMs - options.pastHours * 3600_000);
  const runTimestamp = shared?.runTimestamp ?? compactTimestamp(new Date(nowMs));
  const reserved = await reserveOutputPaths(
    deps,
    directory,
    identity.accountId,
    runTimestamp,
    options.dumpRawCloudtrailData,
  );

  const principals = new PrincipalActivity();
  const sigma = await prepareSigmaRules(options.sigma, deps);
  const findingsCollector = new FindingsCollector(options.thresholds, sigma.ruleSet);
  const summarizer = new EventSummarizer(options.activityType, [
    principals,
    findingsCollector,
    ...(shared?.observers ?? []),
  ]);
  const rawDump = options.dumpRawCloudtrailData ? new RawDump(deps.files, reserved.paths.rawDumpDirectory) : undefined;
  let rawDumpFailure: { file: string; error: string } | undefined;
  const onRawDumpError = (error: unknown) => {
    if (rawDumpFailure !== undefined) return;
    const file = error instanceof RawDumpError ? error.file : reserved.paths.rawDumpDirectory;
    rawDumpFailure = { file, error: reason(error instanceof RawDumpError ? error.cause : error) };
    deps.stderr.write(
      `error: Cannot write the raw dump '${printablePath(file)}': ${rawDumpFailure.error}; ` +
        `the summary goes on without the rest of the dump\n`,
    );
  };
  const sourceChoice = await chooseEventSource({
    apis,
    clock: deps.clock,
    regions,
    startTime,
    endTime,
    lookupAttribute: options.lookupAttribute,
    ratePerSecond: options.lookupRate,
    burst: options.lookupBurst,
    limits: { callTimeoutMilliseconds: options.requestTimeoutSeconds * 1000 },
  }, { cacheDir: options.cacheDir, accountId: identity.accountId, workingDirectory: deps.workingDirectory, say });
  const source = sourceChoice.source;

  say(
    `Reading CloudTrail event history of account ${identity.accountId} in ${regions.length} region${
      regions.length === 1 ? "" : "s"
    }, ` +
      `${startTime.toISOString()} to ${endTime.toISOString()} (${options.lookupRate} requests/s per region)`,
  );
  shared?.onReading(source.partitions);
  const progress = options.quiet || shared !== undefined
    ? undefined
    : new ProgressReporter(deps.stderr, source.partitions, options.lookupRate);
  progress?.start();
  try {
    await source.read(async (events: readonly SourceEvent[]) => {
      for (const event of events) summarizer.add(event);
      if (rawDump && rawDumpFailure === undefined) await rawDump.append(events).catch(onRawDumpError);
    }, deps.interrupt);
  } finally {
    progress?.stop();
    await rawDump?.close().catch(onRawDumpError);
  }

  const interrupted = source.partitions.some((partition) => partition.status === "interrupted");
  const findings = findingsCollector.findings();
  const failedRegions = regionsFailed(source.partitions);
  const summary: Summary = {
    _metadata: {
      account_id: identity.accountId,
      account_principal: identity.arn,
      activity_type: options.activityType,
      cloudtrail_data_analyzed: {
        from_timestamp: compactTimestamp(startTime),
        to_timestamp: compactTimestamp(endTime),
      },
      source: { type: "lookup-events", location: identity.accountId },
      invocation: deps.invocation,
      regions_enabled: enabledRegions,
      regions_failed: failedRegions,
      run_timestamp: runTimestamp,
      regions_read: regions.filter((region) => !(region in failedRegions)),
      regions_coverage: regionsCoverage(source.partitions),
      incomplete: interrupted,
      ...(options.lookupAttribute === undefined ? {} : {
        lookup_attribute: { [options.lookupAttribute.key]: options.lookupAttribute.value },
      }),
      ...summarizer.counts,
      sigma_rules: sigmaMetadata(options.sigma, sigma),
      ...sourceChoice.metadata(),
      ...(rawDumpFailure === undefined ? {} : { raw_dump_failed: rawDumpFailure }),
    },
    ...summaryBody(summarizer.aggregator.sections(), principals.section(), findings),
  };
  const failed = Object.keys(failedRegions);
  return {
    summary,
    reserved,
    fileAccount: identity.accountId,
    runTimestamp,
    interrupted,
    failures: failed.length === 0 ? [] : [
      `${failed.length} of ${regions.length} region${regions.length === 1 ? "" : "s"} failed: ${
        failed.join(", ")
      } (see _metadata.regions_failed)`,
    ],
    alsoWritten: rawDump ? [reserved.paths.rawDumpDirectory] : [],
  };
}

/**
 * STS GetCallerIdentity, its failures as one-line errors.
 * @throws {CannotRunError} for missing or invalid credentials and other failures
 */
export async function callerIdentity(account: AccountApi, signal: AbortSignal): Promise<CallerIdentity> {
  try {
    return await account.callerIdentity(signal);
  } catch (error) {
    throwIfInterrupted(signal, error);
    // The AWS adapter already named the cause of a credential failure (profile, file, command to run).
    if (error instanceof CliError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new CannotRunError(`Cannot call sts:GetCallerIdentity: ${awsErrorCode(error)}: ${message}`, {
      cause: error,
    });
  }
}

async function enabledRegionsOf(account: AccountApi, signal: AbortSignal): Promise<string[]> {
  try {
    const regions = await account.enabledRegions(signal);
    if (regions.length === 0) throw new Error("DescribeRegions returned no regions");
    return regions;
  } catch (error) {
    throwIfInterrupted(signal, error);
    const message = error instanceof Error ? error.message : String(error);
    throw new CannotRunError(
      `Cannot list the enabled regions (ec2:DescribeRegions): ${awsErrorCode(error)}: ${message}`,
      { cause: error },
    );
  }
}

/** Ctrl-C before any event was read: nothing to write, exit 130. */
function throwIfInterrupted(signal: AbortSignal, error: unknown): void {
  if (signal.aborted) {
    throw new CliError("Interrupted before any event was read; nothing was written", EXIT_CODES.interrupted, {
      cause: error,
    });
  }
}

function chooseRegions(enabled: readonly string[], requested: readonly string[] | undefined): string[] {
  if (requested === undefined) return [...enabled];
  const notEnabled = requested.find((region) => !enabled.includes(region));
  if (notEnabled !== undefined) {
    throw new UsageError(
      `Invalid value '${notEnabled}' for --regions: it is not enabled in this account; enabled: ${enabled.join(",")}`,
    );
  }
  return [...requested];
}

function regionsFailed(partitions: readonly PartitionProgress[]): Record<string, string> {
  return Object.fromEntries(
    partitions
      .filter((partition) => partition.status === "failed")
      .map((partition) => [partition.name, partition.errorCode ?? "UnknownError"]),
  );
}

/** Per region: how it ended and which part of the window it covered. */
function regionsCoverage(partitions: readonly PartitionProgress[]): Record<string, unknown> {
  return Object.fromEntries(partitions.map((partition) => {
    const complete = partition.status === "complete";
    const from = complete ? partition.windowStartMs : partition.oldestEventTimeMs;
    return [partition.name, {
      status: partition.status,
      events: partition.events,
      pages: partition.pages,
      throttled: partition.throttled,
      retries: partition.retries,
      covered_from_timestamp: from === undefined ? null : compactTimestamp(new Date(from)),
      covered_to_timestamp: from === undefined ? null : compactTimestamp(new Date(partition.windowEndMs)),
    }];
  }));
}
