/** The HTML report: after a run (`--html`) and for an existing summary file (`report FILE --html`). */
import { resolve } from "node:path";
import { CannotRunError, EXIT_CODES, type ExitCode, UsageError } from "../errors.ts";
import type { Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";
import { printablePath, reason } from "./summary_output.ts";
import { readSummaryFile } from "./summary_file.ts";

/** A summary file's HTML report: the same path with `.html` for `.json`. */
export function htmlReportPath(summaryPath: string): string {
  return summaryPath.replace(/(\.json)?$/i, ".html");
}

/**
 * Writes the HTML report of `summary` to `path`, atomically. The report code (and the chart code it
 * draws with) is loaded only here, so a run without `--html` never pays for it.
 * @throws {CannotRunError} when the file cannot be written
 */
export async function writeHtmlReport(
  summary: Summary,
  path: string,
  deps: Pick<RunDependencies, "files">,
): Promise<void> {
  try {
    const { renderHtmlReport } = await import("../report/html.ts");
    await deps.files.writeTextAtomic(path, renderHtmlReport(summary));
  } catch (error) {
    throw new CannotRunError(`Cannot write the HTML report '${printablePath(path)}': ${reason(error)}`, {
      cause: error,
    });
  }
}

/** What `report FILE --html [--output FILE]` needs. */
export interface HtmlReportFileOptions {
  /** The summary file, relative to the working folder. */
  file: string;
  /** Where the page goes; default: next to the summary, `.html` for `.json`. */
  output: string | undefined;
}

/**
 * `report FILE --html`: writes the HTML report of a summary file written by an earlier run and
 * prints its path.
 * @throws {CannotRunError} when the summary cannot be read or the page cannot be written
 * @throws {UsageError} when `--output` names the summary file itself
 */
export async function htmlReportOfSummaryFile(
  options: HtmlReportFileOptions,
  deps: RunDependencies,
): Promise<ExitCode> {
  const file = resolve(deps.workingDirectory, options.file);
  const output = options.output === undefined ? htmlReportPath(file) : resolve(deps.workingDirectory, options.output);
  if (output === file) {
    throw new UsageError(`Invalid value for --output: it names the summary file itself ('${printablePath(file)}')`);
  }
  const summary = await readSummaryFile(file, deps);
  await writeHtmlReport(summary, output, deps);
  deps.stdout.write(`${printablePath(output)}\n`);
  return EXIT_CODES.ok;
}
