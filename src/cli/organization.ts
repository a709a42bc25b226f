/**
 * `--accounts`: every account of an organization (or the ones named) in one run. Each account is
 * read exactly as a single-account run reads it ({@link readAccount}: its enabled regions, its own
 * token bucket per region, every fault recovery), through a role assumed in it, several accounts at
 * once; then one roll-up summary across them.
 */
import { basename, resolve } from "node:path";
import type { AwsApis, AwsClientOptions, CallerIdentity, OrganizationAccount } from "../aws/clients.ts";
import { awsErrorCode } from "../aws/error_kind.ts";
import { CannotRunError, CliError, EXIT_CODES, type ExitCode, UsageError } from "../errors.ts";
import type { Summary } from "../summary/types.ts";
import { compactTimestamp } from "../summary/timestamps.ts";
import { stringifySorted } from "../report/json.ts";
import { PROGRAM_NAME } from "../version.ts";
import { assumeRoleDeniedHint, planAccounts, type PlannedAccount, roleArn } from "./account_plan.ts";
import type { RunDependencies } from "./context.ts";
import type { SummarizeOptions } from "./flags.ts";
import { type AccountOutcome, type AccountSummaryMetadata, OrganizationRollup } from "./organization_rollup.ts";
import { type AccountProgress, OrganizationProgressReporter } from "./organization_progress.ts";
import { awsClientOptions, callerIdentity, readAccount } from "./summarize.ts";
import { prepareSigmaRules, sigmaMetadata } from "./sigma_rules.ts";
import { timeWindow } from "./source_flags.ts";
import { deliverSummary } from "./summary_delivery.ts";
import { prepareOutputFolder, printablePath, reason, reserveOutputPaths, writeSummary } from "./summary_output.ts";

/** The session name each assumed role carries: the target account's CloudTrail shows who read it. */
export const ROLE_SESSION_NAME = PROGRAM_NAME;

/** Everything the accounts of one run share. */
interface OrganizationRun {
  options: SummarizeOptions & { accounts: "all" | string[] };
  deps: RunDependencies;
  clientOptions: AwsClientOptions;
  caller: CallerIdentity;
  callerApis: AwsApis;
  startTime: Date;
  endTime: Date;
  runTimestamp: string;
  directory: string;
  rollup: OrganizationRollup;
  accountSummaries: Map<string, AccountSummaryMetadata>;
}

/**
 * Runs the main job over several accounts.
 * @returns 0; 3 when an account or a region failed; 4 when --fail-on is met by a roll-up finding; 130 interrupted
 * @throws {CannotRunError} when the caller's credentials, the organization's account list or the output folder
 * are unusable (nothing was read yet)
 */
export async function summarizeOrganization(
  options: SummarizeOptions & { accounts: "all" | string[] },
  deps: RunDependencies,
): Promise<ExitCode> {
  const say = (line: string) => {
    if (!options.quiet) deps.stderr.write(`${line}\n`);
  };
  // Before any AWS call, as a single-account run: a bad --sigma-rules path is a usage error.
  const sigma = await prepareSigmaRules(options.sigma, deps);
  const clientOptions = awsClientOptions(options);
  const callerApis = await deps.createAwsApis(clientOptions);
  const caller = await callerIdentity(callerApis.account, deps.interrupt);
  const { managementAccountId, listed } = await accountsToConsider(options.accounts, clientOptions, caller, deps);
  const plan = planAccounts(listed, { skip: options.skipAccounts, callerAccountId: caller.accountId });
  const directory = resolve(deps.workingDirectory, options.outputDir ?? "results");
  await prepareOutputFolder(deps, directory);

  const nowMs = deps.clock.now();
  // --start-time/--end-time/--past-hours as a single-account run reads them; the run's timestamp is now.
  const window = timeWindow(options, nowMs);
  const run: OrganizationRun = {
    options,
    deps,
    clientOptions,
    caller,
    callerApis,
    startTime: new Date(window.startMs ?? nowMs - options.pastHours * 3600_000),
    endTime: new Date(window.endMs ?? nowMs),
    runTimestamp: compactTimestamp(new Date(nowMs)),
    directory,
    rollup: new OrganizationRollup(options.thresholds, sigma.ruleSet),
    accountSummaries: new Map(),
  };
  const progress: AccountProgress[] = plan.map((account) => ({
    id: account.id,
    name: account.name,
    phase: account.skipReason === undefined ? "waiting" : "skipped",
    partitions: [],
    ...(account.skipReason === undefined ? {} : { skipReason: account.skipReason }),
  }));
  const toRead = plan.filter((account) => account.skipReason === undefined);
  say(
    `Reading CloudTrail event history of ${toRead.length} accounts` +
      (options.accounts === "all" ? ` of the organization of ${managementAccountId}` : "") +
      ` (${plan.length - toRead.length} skipped), ${Math.min(options.accountConcurrency, toRead.length)} at a time, ` +
      `${run.startTime.toISOString()} to ${run.endTime.toISOString()} ` +
      `(${options.lookupRate} requests/s per region of each account)`,
  );

  const outcomes = new Map<string, AccountOutcome>(
    plan.filter((account) => account.skipReason !== undefined).map((account) => [account.id, {
      name: account.name,
      status: "skipped",
      skip_reason: account.skipReason!,
    }]),
  );
  const reporter = options.quiet
    ? undefined
    : new OrganizationProgressReporter(deps.stderr, progress, options.lookupRate);
  reporter?.start();
  try {
    await forEachAtMost(options.accountConcurrency, toRead, async (account) => {
      const accountProgress = progress.find((entry) => entry.id === account.id)!;
      outcomes.set(account.id, await readOneAccount(run, account, accountProgress));
    });
  } finally {
    reporter?.stop();
  }

  const runTimestamp = run.runTimestamp;
  const rollup = run.rollup.summary({
    managementAccountId,
    callerArn: caller.arn,
    base: {
      activity_type: options.activityType,
      cloudtrail_data_analyzed: {
        from_timestamp: compactTimestamp(run.startTime),
        to_timestamp: compactTimestamp(run.endTime),
      },
      invocation: deps.invocation,
      run_timestamp: runTimestamp,
    },
    extra: {
      sigma_rules: sigmaMetadata(options.sigma, sigma),
      ...(options.lookupAttribute === undefined
        ? {}
        : { lookup_attribute: { [options.lookupAttribute.key]: options.lookupAttribute.value } }),
    },
    accounts: Object.fromEntries([...outcomes].sort(([a], [b]) => (a < b ? -1 : 1))),
    accountSummaries: run.accountSummaries,
  });
  return await finish(run, rollup, outcomes, managementAccountId);
}

/** Writes and shows the roll-up as any summary is delivered, after saying which accounts and regions failed. */
async function finish(
  run: OrganizationRun,
  rollup: Summary,
  outcomes: ReadonlyMap<string, AccountOutcome>,
  managementAccountId: string,
): Promise<ExitCode> {
  const runTimestamp = rollup._metadata.run_timestamp;
  const failedRegions = Object.keys(rollup._metadata.regions_failed);
  const failures = [
    ...[...outcomes].filter(([, outcome]) => outcome.status === "failed").map(([id, outcome]) =>
      `Account ${id} failed: ${outcome.error_code} (${outcome.failed_call}): ${outcome.error}`
    ),
    ...(failedRegions.length === 0
      ? []
      : [`${failedRegions.length} regions failed: ${failedRegions.join(", ")} (see _metadata.regions_failed)`]),
  ];
  return await deliverSummary(
    {
      summary: rollup,
      // The accounts' own summaries are on disk already, whatever happens to the roll-up.
      reserved: await reserveOutputPaths(
        run.deps,
        run.directory,
        managementAccountId,
        runTimestamp,
        false,
        "organization_activity",
      ),
      fileAccount: managementAccountId,
      runTimestamp,
      interrupted: rollup._metadata.incomplete === true,
      failures,
      alsoWritten: [],
    },
    run.options,
    run.deps,
  );
}

/** The accounts `--accounts` names, or every account of the organization with its management account. */
async function accountsToConsider(
  selection: "all" | string[],
  clientOptions: AwsClientOptions,
  caller: CallerIdentity,
  deps: RunDependencies,
): Promise<{ managementAccountId: string; listed: OrganizationAccount[] }> {
  if (selection !== "all") {
    // Named accounts need no Organizations call (roles set up by hand in accounts of any organization).
    return {
      managementAccountId: caller.accountId,
      listed: selection.map((id) => ({ id, name: "", state: "ACTIVE" })),
    };
  }
  let step = "organizations:DescribeOrganization";
  try {
    const organization = await deps.createOrganizationApi(clientOptions);
    const managementAccountId = await organization.managementAccountId(deps.interrupt);
    step = "organizations:ListAccounts";
    return { managementAccountId, listed: await organization.listAccounts(deps.interrupt) };
  } catch (error) {
    if (deps.interrupt.aborted) {
      throw new CliError("Interrupted before any event was read; nothing was written", EXIT_CODES.interrupted, {
        cause: error,
      });
    }
    throw new CannotRunError(
      `Cannot list the organization's accounts (${step}): ${awsErrorCode(error)}: ${reason(error)}; ` +
        `--accounts all needs the management account or a delegated administrator, or name the accounts: ` +
        `--accounts ID,ID`,
      { cause: error },
    );
  }
}

/** Reads one account; never throws: a failure is that account's outcome. */
async function readOneAccount(
  run: OrganizationRun,
  account: PlannedAccount,
  progress: AccountProgress,
): Promise<AccountOutcome> {
  const { options, deps } = run;
  const interrupted = (): AccountOutcome => {
    progress.phase = "interrupted";
    return { name: account.name, status: "interrupted" };
  };
  const failed = (call: string, code: string, message: string): AccountOutcome => {
    progress.phase = "failed";
    progress.errorCode = code;
    progress.failedStep = call;
    return { name: account.name, status: "failed", error_code: code, failed_call: call, error: message };
  };
  if (deps.interrupt.aborted) return interrupted();
  progress.phase = "starting";
  const role = roleArn(run.caller.arn, account.id, options.roleName);
  let apis = run.callerApis;
  if (!account.own) {
    try {
      apis = await deps.createAwsApis({
        ...run.clientOptions,
        assumeRole: { roleArn: role, sessionName: ROLE_SESSION_NAME, externalId: options.externalId },
      });
    } catch (error) {
      if (deps.interrupt.aborted) return interrupted();
      const code = awsErrorCode(error);
      const hint = code === "AccessDenied" ? `; ${assumeRoleDeniedHint(options.roleName)}` : "";
      return failed("sts:AssumeRole", code, `Cannot assume ${role}: ${reason(error)}${hint}`);
    }
  }
  try {
    const reading = await readAccount(apis, {
      options,
      deps,
      shared: {
        startTime: run.startTime,
        endTime: run.endTime,
        runTimestamp: run.runTimestamp,
        directory: run.directory,
        observers: [run.rollup],
        onReading: (partitions) => {
          progress.partitions = partitions;
          progress.phase = "reading";
        },
      },
    });
    const metadata = reading.summary._metadata;
    run.accountSummaries.set(account.id, metadata);
    const regionsFailed = metadata.regions_failed;
    progress.phase = reading.interrupted
      ? "interrupted"
      : Object.keys(regionsFailed).length > 0
      ? "partial"
      : "complete";
    // Each account's summary is written as soon as it is read; the report and charts are the roll-up's.
    const destination = await writeSummary(
      deps,
      reading.reserved,
      stringifySorted(reading.summary),
      reading.fileAccount,
      reading.runTimestamp,
    );
    const summaryFile = destination.kind === "file" ? basename(destination.paths.summary) : destination.path;
    const announce = (path: string) => {
      if (!options.jsonStdout) deps.stdout.write(`${printablePath(path)}\n`);
      else if (!options.quiet) deps.stderr.write(`Wrote ${printablePath(path)}\n`);
    };
    if (destination.kind === "file") announce(destination.paths.summary);
    for (const folder of reading.alsoWritten) announce(folder);
    return {
      name: account.name,
      status: progress.phase,
      read_as: account.own ? "caller" : role,
      regions_failed: regionsFailed,
      records_read: metadata.records_read as number,
      records_counted: metadata.records_counted as number,
      summary_file: summaryFile,
    };
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT_CODES.interrupted) return interrupted();
    const message = error instanceof Error ? error.message : String(error);
    // --regions names a region this account has not enabled: that account's failure, not a usage error of the run.
    if (error instanceof UsageError) return failed("--regions", "RegionNotEnabled", message);
    const call = ["sts:GetCallerIdentity", "ec2:DescribeRegions"].find((name) => message.includes(name)) ??
      "writing the summary";
    return failed(
      call,
      awsErrorCode(error instanceof CliError && error.cause !== undefined ? error.cause : error),
      message,
    );
  }
}

/** Runs `work` over `items`, at most `limit` at once; a slot is refilled as soon as one finishes. */
async function forEachAtMost<T>(limit: number, items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next]!;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
