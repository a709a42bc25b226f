/**
 * Writes every chart of a summary as PNG files into one folder, rendering in
 * parallel Web Workers. Load it with `await import()` only when charts are asked
 * for: it pulls in d3 and the font, and its workers resvg's WebAssembly.
 */
import { join } from "node:path";
import { SECTION_NAMES, type Summary } from "../summary/types.ts";
import { type ChartJob, chartsForSummary } from "./chart_set.ts";
import type { ChartRequest, ChartResponse } from "./_chart_worker.ts";
import { removeStaleTemporaryFiles, writeFileAtomic } from "./files.ts";

/** How {@link writePlots} writes. */
export interface WritePlotsOptions {
  /** The folder the charts go into (created when missing). */
  plotsDirectory: string;
  /**
   * Write into a folder that is not empty: its charts are replaced, and charts
   * left from an earlier summary (`.png` files in the folder and in its section
   * folders that this summary does not have) are removed after the new ones
   * are written. Other files are kept.
   * @default false
   */
  overwrite?: boolean;
  /**
   * How many workers render at once.
   * @default navigator.hardwareConcurrency
   */
  workers?: number;
  /**
   * Workers from {@link startChartWorkers}, started earlier (e.g. while the summary was read), used instead of
   * starting `workers` new ones. {@link writePlots} stops them when it is done, whatever happens.
   */
  startedWorkers?: ChartWorkers | undefined;
  /** Called after each file is written. */
  onProgress?: (done: number, total: number) => void;
}

/** A relative chart path: folder and file names made only of the file-name characters, never `.`/`..`. */
const SAFE_RELATIVE_PATH = /^(?:[A-Za-z0-9_+=,.@-]+\/)?[A-Za-z0-9_+=,.@-]+\.png$/;

/**
 * Renders the charts of `summary` and writes them into `plotsDirectory`, each
 * file atomically (a temporary file, then a rename).
 * @returns the paths of the files written, in chart order
 * @throws {Error} when the folder is not empty (without `overwrite`), is not a
 * folder, or a chart cannot be rendered or written
 */
export async function writePlots(summary: Summary, options: WritePlotsOptions): Promise<{ files: string[] }> {
  using workers = options.startedWorkers ?? startChartWorkers(options.workers);
  const jobs = chartsForSummary(summary);
  for (const job of jobs) {
    const segments = job.path.split("/");
    if (!SAFE_RELATIVE_PATH.test(job.path) || segments.some((segment) => /^\.+$/.test(segment))) {
      throw new Error(`Refusing the chart path '${job.path}'`);
    }
  }
  await preparePlotsDirectory(options.plotsDirectory, options.overwrite ?? false);
  const folders = new Set(jobs.map((job) => job.path.split("/")).filter((parts) => parts.length > 1).map((p) => p[0]!));
  for (const folder of folders) await ensureRealFolder(join(options.plotsDirectory, folder));

  const files = jobs.map((job) => join(options.plotsDirectory, ...job.path.split("/")));
  let done = 0;
  await renderAll(jobs, workers, async (index, png) => {
    await writeFileAtomic(files[index]!, png);
    options.onProgress?.(++done, jobs.length);
  });
  if (options.overwrite) await removeStaleCharts(options.plotsDirectory, new Set(jobs.map((job) => job.path)));
  return { files };
}

/** Removes `.png` files of the plots folder and its section folders that are not among `current`. */
async function removeStaleCharts(directory: string, current: ReadonlySet<string>): Promise<void> {
  const sections = new Set<string>(SECTION_NAMES);
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isFile && entry.name.endsWith(".png") && !current.has(entry.name)) {
      await Deno.remove(join(directory, entry.name));
    }
    // Only our own section folders, and never through a link.
    if (!entry.isDirectory || !sections.has(entry.name)) continue;
    for await (const chart of Deno.readDir(join(directory, entry.name))) {
      if (chart.isFile && chart.name.endsWith(".png") && !current.has(`${entry.name}/${chart.name}`)) {
        await Deno.remove(join(directory, entry.name, chart.name));
      }
    }
  }
}

async function preparePlotsDirectory(directory: string, overwrite: boolean): Promise<void> {
  try {
    const info = await Deno.lstat(directory);
    if (!info.isDirectory && !(info.isSymlink && (await Deno.stat(directory)).isDirectory)) {
      throw new Error("it exists and is not a folder");
    }
    // A killed run leaves temporary files and empty section folders: neither is a chart to protect.
    if (await holdsFiles(directory) && !overwrite) {
      throw new Error("the folder is not empty (use --overwrite to replace its charts)");
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(directory, { recursive: true });
  }
}

/** Whether the folder or its section folders hold any file; temporary files of a killed run are removed first. */
async function holdsFiles(directory: string): Promise<boolean> {
  const folders = [directory];
  for await (const entry of Deno.readDir(directory)) {
    if (entry.isDirectory) folders.push(join(directory, entry.name));
  }
  let holds = false;
  for (const folder of folders) {
    await removeStaleTemporaryFiles(folder, 0);
    for await (const entry of Deno.readDir(folder)) holds ||= !entry.isDirectory;
  }
  return holds;
}

/** Creates a section folder, refusing a symbolic link or a file there: charts never land outside the plots folder. */
async function ensureRealFolder(folder: string): Promise<void> {
  try {
    await Deno.mkdir(folder);
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    if (!(await Deno.lstat(folder)).isDirectory) throw new Error(`'${folder}' exists and is not a folder`);
  }
}

/** Chart workers, started ahead of their first chart: each loads its modules and resvg's WebAssembly meanwhile. */
export interface ChartWorkers extends Disposable {
  readonly workers: readonly ChartWorker[];
}

/**
 * Starts `count` chart workers (at least one). Start them as early as possible: their start-up
 * (module loading, WebAssembly compilation) then overlaps with whatever comes before the charts.
 * @default count navigator.hardwareConcurrency
 */
export function startChartWorkers(count: number = navigator.hardwareConcurrency): ChartWorkers {
  const workers = Array.from({ length: Math.max(1, Math.floor(count) || 1) }, () => new ChartWorker());
  return {
    workers,
    [Symbol.dispose]: () => {
      for (const worker of workers) worker.terminate();
    },
  };
}

/** One Web Worker of `_chart_worker.ts`, one chart at a time. */
class ChartWorker {
  #worker = new Worker(new URL("./_chart_worker.ts", import.meta.url), { type: "module" });
  #failure: Error | undefined;
  #pending: { resolve: (response: ChartResponse) => void; reject: (error: Error) => void } | undefined;

  constructor() {
    this.#worker.onmessage = (event: MessageEvent<ChartResponse>) => this.#pending?.resolve(event.data);
    // An error while the worker starts is kept for its first chart; handled, it never ends the program.
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#failure = new Error(`Chart worker failed: ${event.message}`);
      this.#pending?.reject(this.#failure);
    };
  }

  /** Renders one chart; rejects when the worker failed. */
  render(request: ChartRequest): Promise<ChartResponse> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject };
      this.#worker.postMessage(request);
    });
  }

  terminate(): void {
    this.#worker.terminate();
  }
}

/**
 * Renders `jobs` on the workers, handing each finished chart to `save`; a
 * worker gets its next chart while the last one is being saved, so file
 * writes stay off the rendering path. Stops at the first error.
 */
async function renderAll(
  jobs: readonly ChartJob[],
  { workers }: ChartWorkers,
  save: (index: number, png: Uint8Array) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(workers.map(async (worker) => {
    let saving = Promise.resolve();
    while (next < jobs.length) {
      const index = next++;
      const response = await worker.render({ index, chart: jobs[index]!.chart });
      if ("error" in response) throw new Error(`Cannot render '${jobs[index]!.path}': ${response.error}`);
      // At most one chart per worker waits to be written: memory stays bounded.
      await saving;
      saving = save(index, response.png);
    }
    await saving;
  }));
}
