/** `run(options, deps)`: the whole program behind `main.ts`, returning an exit code. */
import { EXIT_CODES, type ExitCode } from "../errors.ts";
import { PROGRAM_NAME, VERSION } from "../version.ts";
import type { RunDependencies } from "./context.ts";
import type { Options } from "./flags.ts";
import { HELP_TEXT } from "./help.ts";
import { plotSummaryFile } from "./plot.ts";
import { summarize } from "./summarize.ts";
import { summarizeWithAthena } from "./athena_summarize.ts";
import { athenaTableCommand } from "./athena_table_command.ts";
import { readsTrailFiles, summarizeTrailFiles } from "./trail_run.ts";
import { summarizeOrganization } from "./organization.ts";
import { reportSummaryFile } from "./report_command.ts";
import { htmlReportOfSummaryFile } from "./html_report.ts";

/**
 * Runs what the command line asked for.
 * @returns the exit code (see {@link EXIT_CODES})
 * @throws {CliError} for errors `main.ts` prints as one line with their exit code
 */
export function run(options: Options, deps: RunDependencies): Promise<ExitCode> {
  switch (options.command) {
    case "help":
      deps.stdout.write(HELP_TEXT);
      return Promise.resolve(EXIT_CODES.ok);
    case "version":
      deps.stdout.write(`${PROGRAM_NAME} ${VERSION}\n`);
      return Promise.resolve(EXIT_CODES.ok);
    case "summarize":
      if (options.athena !== undefined) return summarizeWithAthena({ ...options, athena: options.athena }, deps);
      // Trail files come before --accounts: for a trail bucket, --accounts picks folders of the organization trail.
      if (readsTrailFiles(options)) return summarizeTrailFiles(options, deps);
      return options.accounts === undefined
        ? summarize(options, deps)
        : summarizeOrganization({ ...options, accounts: options.accounts }, deps);
    case "athena-table":
      return athenaTableCommand(options, deps);
    case "plot":
      return plotSummaryFile(options, deps);
    case "report":
      return options.html ? htmlReportOfSummaryFile(options, deps) : reportSummaryFile(options, deps);
  }
}
