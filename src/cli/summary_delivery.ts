/**
 * What every summarize run does once its source has been read, whichever source it was: write
 * the summary, announce it, print the terminal report, write the HTML report, draw the charts, and
 * choose the exit code.
 */
import { EXIT_CODES, type ExitCode } from "../errors.ts";
import { type Finding, meetsFailOn } from "../findings/findings.ts";
import { stringifySorted } from "../report/json.ts";
import { renderTerminalReport } from "../report/terminal.ts";
import type { Summary } from "../summary/types.ts";
import { writeCharts } from "./charts.ts";
import { htmlReportPath, writeHtmlReport } from "./html_report.ts";
import type { RunDependencies } from "./context.ts";
import type { SummarizeOptions } from "./flags.ts";
import { printablePath, type ReservedOutput, writeSummary } from "./summary_output.ts";

/** A finished read, ready to be written. */
export interface FinishedRead {
  summary: Summary;
  reserved: ReservedOutput;
  /** The account part of the file names (see `reserveOutputPaths`). */
  fileAccount: string;
  runTimestamp: string;
  interrupted: boolean;
  /** One line per kind of partial failure (regions, files); any of them makes the exit code 3. */
  failures: string[];
  /** Folders written besides the summary (the raw dump), announced after it. */
  alsoWritten: string[];
}

/**
 * Writes and reports a finished read.
 * @returns 0, 1 (the summary went elsewhere), 3 (partial failure), 4 (--fail-on met) or 130 (interrupted)
 */
export async function deliverSummary(
  read: FinishedRead,
  options: Pick<SummarizeOptions, "jsonStdout" | "quiet" | "plotResults" | "html" | "failOn">,
  deps: RunDependencies,
): Promise<ExitCode> {
  const say = (line: string) => {
    if (!options.quiet) deps.stderr.write(`${line}\n`);
  };
  const { summary } = read;
  const summaryText = stringifySorted(summary);
  const destination = await writeSummary(deps, read.reserved, summaryText, read.fileAccount, read.runTimestamp);
  const announce = (path: string) => (options.jsonStdout ? say(`Wrote ${path}`) : deps.stdout.write(`${path}\n`));
  if (destination.kind === "file") announce(printablePath(destination.paths.summary));
  for (const folder of read.alsoWritten) announce(printablePath(folder));
  if (options.jsonStdout && destination.kind !== "stdout") deps.stdout.write(summaryText);

  if (!options.quiet) deps.stderr.write(renderTerminalReport(summary, { color: deps.color }));
  // The summary is safe but not where it was asked for: say so with the exit code, draw nothing more.
  if (destination.kind !== "file") return EXIT_CODES.cannotRun;

  // Also after an interruption: the page says in plain sight that the summary is incomplete.
  if (options.html) {
    const htmlPath = htmlReportPath(destination.paths.summary);
    await writeHtmlReport(summary, htmlPath, deps);
    announce(printablePath(htmlPath));
  }

  if (options.plotResults && !read.interrupted) {
    const { plotsDirectory } = destination.paths;
    await writeCharts(summary, { plotsDirectory, overwrite: false, quiet: options.quiet }, deps);
    announce(printablePath(plotsDirectory));
  }

  if (read.interrupted) {
    say("Interrupted: the summary holds what was read until then (_metadata.incomplete is true)");
    return EXIT_CODES.interrupted;
  }
  for (const failure of read.failures) say(failure);
  // A finding at the --fail-on level is a fact whatever else failed, so its exit code wins.
  if (options.failOn !== undefined && meetsFailOn(summary.findings as Finding[], options.failOn)) {
    say(`A finding of severity ${options.failOn} or above exists (--fail-on ${options.failOn})`);
    return EXIT_CODES.findingsAtFailOnLevel;
  }
  return read.failures.length > 0 ? EXIT_CODES.regionsFailed : EXIT_CODES.ok;
}
