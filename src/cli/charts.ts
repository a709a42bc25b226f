/** Rendering a summary's charts into a folder, for `--plot-results` and `plot FILE`. */
import { CannotRunError } from "../errors.ts";
import type { ChartWorkers } from "../report/plots.ts";
import type { Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";
import { printablePath, reason } from "./summary_output.ts";

/** How {@link writeCharts} writes. */
export interface ChartOptions {
  plotsDirectory: string;
  overwrite: boolean;
  quiet: boolean;
  /** Workers from {@link startChartRenderers}, started earlier; without them, {@link writeCharts} starts its own. */
  startedWorkers?: ChartWorkers;
}

/**
 * Starts the chart workers now, so they load their code and WebAssembly while the caller does other work (reads the
 * summary file); hand them to {@link writeCharts}, or dispose of them when no chart is drawn after all.
 * @throws {CannotRunError} when the chart code cannot be loaded
 */
export async function startChartRenderers(): Promise<ChartWorkers> {
  try {
    const { startChartWorkers } = await import("../report/plots.ts");
    return startChartWorkers();
  } catch (error) {
    throw new CannotRunError(`Cannot start the chart renderer: ${reason(error)}`, { cause: error });
  }
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
      startedWorkers: options.startedWorkers,
      onProgress: (done, total) => {
        if (options.quiet || (done < total && deps.clock.now() - lastShown < 1000)) return;
        lastShown = deps.clock.now();
        deps.stderr.write(`Charts: ${done}/${total}\n`);
      },
    });
    return files;
  } catch (error) {
    throw new CannotRunError(
      `Cannot write the charts to '${printablePath(options.plotsDirectory)}': ${reason(error)}`,
      {
        cause: error,
      },
    );
  }
}
