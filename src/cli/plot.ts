/** Charts: after a run (`--plot-results`) and for an existing summary file (`plot FILE`). */
import { dirname, resolve } from "node:path";
import { CannotRunError, EXIT_CODES, type ExitCode } from "../errors.ts";
import type { Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";
import type { PlotOptions } from "./flags.ts";
import { outputPaths } from "./summarize.ts";
import { readSummaryFile } from "./summary_file.ts";

/** How {@link writeCharts} writes. */
export interface ChartOptions {
  plotsDirectory: string;
  overwrite: boolean;
  quiet: boolean;
}

/**
 * Renders every chart of `summary` into `plotsDirectory`. The chart code is
 * loaded only here, so a run without charts never pays for it or fails by it.
 * @throws {CannotRunError} when the charts cannot be written
 */
export async function writeCharts(summary: Summary, options: ChartOptions, deps: RunDependencies): Promise<string[]> {
  try {
    const { writePlots } = await import("../report/plots.ts");
    let lastShown = 0;
    const { files } = await writePlots(summary, {
      plotsDirectory: options.plotsDirectory,
      overwrite: options.overwrite,
      onProgress: (done, total) => {
        if (options.quiet || (done < total && deps.clock.now() - lastShown < 1000)) return;
        lastShown = deps.clock.now();
        deps.stderr.write(`Charts: ${done}/${total}\n`);
      },
    });
    return files;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CannotRunError(`Cannot write the charts to '${options.plotsDirectory}': ${message}`, { cause: error });
  }
}

/** `plot FILE`: the charts of an existing summary file, next to it (or under `--output-dir`). */
export async function plotSummaryFile(options: PlotOptions, deps: RunDependencies): Promise<ExitCode> {
  const file = resolve(deps.workingDirectory, options.file);
  const summary = await readSummaryFile(file, deps);
  const directory = options.outputDir === undefined ? dirname(file) : resolve(deps.workingDirectory, options.outputDir);
  const { plotsDirectory } = outputPaths(directory, summary._metadata.account_id, summary._metadata.run_timestamp);
  await writeCharts(summary, { plotsDirectory, overwrite: options.overwrite, quiet: options.quiet }, deps);
  deps.stdout.write(`${plotsDirectory}\n`);
  return EXIT_CODES.ok;
}
