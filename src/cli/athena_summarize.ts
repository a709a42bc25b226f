/**
 * `summarize --athena-table`: the whole summary as one Athena query over the trail's table. The
 * query's rows fill the same collectors as every other source, and the summary is written, reported
 * and charted by the same delivery step.
 */
import { resolve } from "node:path";
import { compactTimestamp } from "../summary/timestamps.ts";
import type { Summary } from "../summary/types.ts";
import type { AthenaSettings } from "./athena_flags.ts";
import { readWithAthena } from "./athena_run.ts";
import type { RunDependencies } from "./context.ts";
import type { SummarizeOptions } from "./flags.ts";
import { type SourceOptions, timeWindow } from "./source_flags.ts";
import { callerIdentity } from "./summarize.ts";
import { deliverSummary } from "./summary_delivery.ts";
import { prepareOutputFolder, reserveOutputPaths } from "./summary_output.ts";
import type { ExitCode } from "../errors.ts";
import { summaryBody } from "./summary_body.ts";

/** What an Athena run reads: the summarize options, the source and window flags, and the Athena settings. */
export type AthenaSummarizeOptions = SummarizeOptions & SourceOptions & { athena: AthenaSettings };

/**
 * Runs the Athena summary.
 * @returns the exit code of {@link deliverSummary}
 * @throws {CannotRunError} for credentials, the table or a failed query (Athena's reason on one line)
 * @throws {CliError} exit 130 when Ctrl-C stopped the query (nothing is written: there is no partial result)
 */
export async function summarizeWithAthena(options: AthenaSummarizeOptions, deps: RunDependencies): Promise<ExitCode> {
  const say = (line: string) => {
    if (!options.quiet) deps.stderr.write(`${line}\n`);
  };
  const apis = await deps.createAwsApis({
    profile: options.profile,
    homeRegion: options.region,
    requestTimeoutMilliseconds: options.requestTimeoutSeconds * 1000,
  });
  const identity = await callerIdentity(apis.account, deps.interrupt);
  const directory = resolve(deps.workingDirectory, options.outputDir ?? "results");
  await prepareOutputFolder(deps, directory);
  const nowMs = deps.clock.now();
  const runTimestamp = compactTimestamp(new Date(nowMs));
  // Athena runs are bounded like LookupEvents and buckets: --start-time/--end-time, else --past-hours before now.
  const window = timeWindow(options, nowMs);
  const windowStartMs = window.startMs!;
  const windowEndMs = window.endMs!;
  const reading = await readWithAthena(
    apis.athena(),
    options.athena,
    {
      windowStartMs,
      windowEndMs,
      lateSlackMinutes: options.lateSlackMinutes,
      regions: options.regions,
      accounts: Array.isArray(options.accounts) ? options.accounts : undefined,
      activityType: options.activityType,
      includeDataEvents: options.includeDataEvents,
      thresholds: options.thresholds,
    },
    deps,
    say,
  );
  const { aggregator, principals, findings: collector, counts } = reading.rows.summary(options.thresholds);
  const sections = aggregator.sections();
  const regionsSeen = Object.keys(sections.api_calls_by_region).sort();
  const findings = collector.findings();
  const summary: Summary = {
    _metadata: {
      account_id: identity.accountId,
      account_principal: identity.arn,
      activity_type: options.activityType,
      cloudtrail_data_analyzed: {
        from_timestamp: compactTimestamp(new Date(windowStartMs)),
        to_timestamp: compactTimestamp(new Date(windowEndMs)),
      },
      invocation: deps.invocation,
      regions_enabled: regionsSeen,
      regions_read: regionsSeen,
      regions_failed: {},
      run_timestamp: runTimestamp,
      source: { type: "athena", location: `${options.athena.catalog}.${reading.metadata.table}` },
      time_window: {
        start: new Date(windowStartMs).toISOString(),
        end: new Date(windowEndMs).toISOString(),
      },
      include_data_events: options.includeDataEvents,
      late_slack_minutes: options.lateSlackMinutes,
      incomplete: false,
      ...counts,
      athena: {
        ...reading.metadata,
        // Sigma rules match single records; Athena hands back only aggregates.
        findings_not_computed: options.sigma.builtin || options.sigma.rulePaths.length > 0
          ? ["sigma: its rules match single records, and an Athena run sees only aggregates"]
          : [],
      },
    },
    ...summaryBody(sections, principals.section(), findings),
  };
  const reserved = await reserveOutputPaths(deps, directory, identity.accountId, runTimestamp, false);
  return await deliverSummary(
    {
      summary,
      reserved,
      fileAccount: identity.accountId,
      runTimestamp,
      interrupted: false,
      failures: [],
      alsoWritten: [],
    },
    options,
    deps,
  );
}
