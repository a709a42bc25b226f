/** `report FILE`: the terminal report of an existing summary file, on stdout. */
import { resolve } from "node:path";
import { EXIT_CODES, type ExitCode } from "../errors.ts";
import { renderTerminalReport } from "../report/terminal.ts";
import type { RunDependencies } from "./context.ts";
import type { ReportOptions } from "./flags.ts";
import { readSummaryFile } from "./summary_file.ts";

/**
 * Prints the report of a summary file written by an earlier run.
 * @throws {CannotRunError} when the file cannot be read or is not a summary
 */
export async function reportSummaryFile(options: ReportOptions, deps: RunDependencies): Promise<ExitCode> {
  const summary = await readSummaryFile(resolve(deps.workingDirectory, options.file), deps);
  deps.stdout.write(renderTerminalReport(summary, { color: deps.color && deps.stdout.isTerminal }));
  return EXIT_CODES.ok;
}
