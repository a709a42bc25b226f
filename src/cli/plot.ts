/** `plot FILE`: the charts of an existing summary file. */
import { dirname, resolve } from "node:path";
import { CannotRunError, EXIT_CODES, type ExitCode } from "../errors.ts";
import { outputPaths } from "../report/output_paths.ts";
import { SECTION_NAMES } from "../summary/types.ts";
import { startChartRenderers, writeCharts } from "./charts.ts";
import type { RunDependencies } from "./context.ts";
import type { PlotOptions } from "./flags.ts";
import { readSummaryFile } from "./summary_file.ts";
import { printablePath } from "./summary_output.ts";

/** `plot FILE`: the charts of an existing summary file, next to it (or under `--output-dir`). */
export async function plotSummaryFile(options: PlotOptions, deps: RunDependencies): Promise<ExitCode> {
  const file = resolve(deps.workingDirectory, options.file);
  // The workers load their code and WebAssembly while the file is read and checked.
  using workers = await startChartRenderers();
  const summary = await readSummaryFile(file, deps);
  const directory = options.outputDir === undefined ? dirname(file) : resolve(deps.workingDirectory, options.outputDir);
  if (SECTION_NAMES.every((section) => Object.keys(summary[section] ?? {}).length === 0)) {
    throw new CannotRunError(
      `Nothing to draw: the summary file '${printablePath(file)}' has no activity in any section`,
    );
  }
  // An organization roll-up's charts are named after it, never its management account's own charts folder.
  const prefix = summary._metadata.accounts === undefined ? "account_activity" : "organization_activity";
  let plotsDirectory: string;
  try {
    ({ plotsDirectory } = outputPaths(
      directory,
      summary._metadata.account_id,
      summary._metadata.run_timestamp,
      1,
      prefix,
    ));
  } catch (error) {
    throw new CannotRunError(`Cannot read the summary file '${printablePath(file)}': ${(error as Error).message}`);
  }
  const chartOptions = { plotsDirectory, overwrite: options.overwrite, quiet: options.quiet, startedWorkers: workers };
  await writeCharts(summary, chartOptions, deps);
  deps.stdout.write(`${printablePath(plotsDirectory)}\n`);
  return EXIT_CODES.ok;
}
