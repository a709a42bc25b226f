/**
 * Writes every chart of a summary as PNG files into one folder, rendering in
 * parallel Web Workers. Load it with `await import()` only when charts are asked
 * for: it pulls in d3, resvg's WebAssembly and the font.
 */
import { join } from "node:path";
import { SECTION_NAMES, type Summary } from "../summary/types.ts";
import { type ChartJob, chartsForSummary } from "./chart_set.ts";
import type { ChartRequest, ChartResponse } from "./_chart_worker.ts";
import { writeFileAtomic } from "./files.ts";

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
  await renderAll(jobs, options.workers ?? navigator.hardwareConcurrency, async (index, png) => {
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
    if (!overwrite) {
      for await (const _ of Deno.readDir(directory)) {
        throw new Error("the folder is not empty (use --overwrite to replace its charts)");
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    await Deno.mkdir(directory, { recursive: true });
  }
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

/**
 * Renders `jobs` on up to `workerCount` workers, handing each finished chart to
 * `save`; a worker gets its next chart while the last one is being saved, so
 * file writes stay off the rendering path. Stops at the first error.
 */
async function renderAll(
  jobs: readonly ChartJob[],
  workerCount: number,
  save: (index: number, png: Uint8Array) => Promise<void>,
): Promise<void> {
  const count = Math.max(1, Math.min(Math.floor(workerCount) || 1, jobs.length));
  if (jobs.length === 0) return;
  const workers = Array.from(
    { length: count },
    () => new Worker(new URL("./_chart_worker.ts", import.meta.url), { type: "module" }),
  );
  let next = 0;
  try {
    await Promise.all(workers.map(async (worker) => {
      let saving = Promise.resolve();
      while (next < jobs.length) {
        const index = next++;
        const response = await renderOn(worker, { index, chart: jobs[index]!.chart });
        if ("error" in response) throw new Error(`Cannot render '${jobs[index]!.path}': ${response.error}`);
        // At most one chart per worker waits to be written: memory stays bounded.
        await saving;
        saving = save(index, response.png);
      }
      await saving;
    }));
  } finally {
    for (const worker of workers) worker.terminate();
  }
}

function renderOn(worker: Worker, request: ChartRequest): Promise<ChartResponse> {
  return new Promise((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<ChartResponse>) => resolve(event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(`Chart worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
