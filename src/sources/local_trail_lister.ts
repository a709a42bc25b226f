/**
 * Trail files on disk: each `--trail-files` path is a file or a folder read recursively, in
 * code point order of names, so every run reads them in the same order. One partition per path.
 */
import { join } from "node:path";
import { newPartition, type PartitionProgress } from "./event_source.ts";
import type { TrailFile, TrailLister } from "./trail_source.ts";
import type { TrailTally } from "./trail_tally.ts";

function byName(a: Deno.DirEntry, b: Deno.DirEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Local trail files as a {@link TrailLister}. */
export class LocalTrailLister implements TrailLister {
  readonly description: { type: string; location: string };
  readonly partitions: PartitionProgress[];
  readonly #paths: readonly string[];

  /** @param paths absolute paths of files or folders */
  constructor(paths: readonly string[], windowStartMs: number, windowEndMs: number) {
    this.#paths = paths;
    this.description = { type: "trail-files", location: paths.join(",") };
    this.partitions = paths.map((name) => newPartition(name, windowStartMs, windowEndMs));
  }

  async *files(_tally: TrailTally, signal: AbortSignal): AsyncIterable<TrailFile> {
    for (const [index, path] of this.#paths.entries()) {
      const partition = this.partitions[index]!;
      try {
        for await (const file of this.#walk(path, partition, signal)) yield file;
      } catch (error) {
        partition.status = "failed";
        partition.errorCode = error instanceof Error && error.name !== "Error" ? error.name : "ReadError";
      }
    }
  }

  async *#walk(path: string, partition: PartitionProgress, signal: AbortSignal): AsyncIterable<TrailFile> {
    const info = await Deno.stat(path);
    if (info.isFile) {
      yield { name: path, size: info.size, partition, path };
      return;
    }
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    for (const entry of entries.sort(byName)) {
      if (signal.aborted) return;
      yield* this.#walk(join(path, entry.name), partition, signal);
    }
  }
}
