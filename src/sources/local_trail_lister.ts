/**
 * Trail files on disk: each `--trail-files` path is a file or a folder read recursively, in
 * code point order of names, so every run reads them in the same order. One partition per path.
 *
 * Symbolic links are followed; a file or folder reached again (a link to something also reached
 * by its own path, a link loop, a path given twice) is listed once, at the first path the walk
 * reaches it by. Entries that are neither files nor folders (named pipes, sockets, devices) are
 * skipped and counted: reading a named pipe would wait forever for a writer. An entry that cannot
 * be read (a broken link, a folder without permission) is reported as a failed file; the walk
 * goes on.
 */
import { dirname, join } from "node:path";
import { newPartition, type PartitionProgress } from "./event_source.ts";
import type { TrailFile, TrailLister } from "./trail_source.ts";
import type { TrailTally } from "./trail_tally.ts";

/** `_metadata.files.skipped` kind of named pipes, sockets and devices. */
const NOT_REGULAR_FILE = "not_regular_file";

/**
 * What the walk reached, by real path: every folder entered, and the files reached other than as an
 * entry of a folder entered (a `--trail-files` file, a link's target). A file inside an entered folder
 * is reached by its own path there, so the files kept stay few and memory grows with folders only.
 */
interface Reached {
  readonly folders: Set<string>;
  readonly files: Set<string>;
}

/** Where the walk is and what it reports to. */
interface Walk {
  readonly partition: PartitionProgress;
  readonly tally: TrailTally;
  readonly reached: Reached;
  readonly signal: AbortSignal;
}

function byName(a: Deno.DirEntry, b: Deno.DirEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function errorCode(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) return "NotPermitted";
  return error instanceof Error && error.name !== "Error" ? error.name : "ReadError";
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

  async *files(tally: TrailTally, signal: AbortSignal): AsyncIterable<TrailFile> {
    const reached: Reached = { folders: new Set(), files: new Set() };
    for (const [index, path] of this.#paths.entries()) {
      const partition = this.partitions[index]!;
      try {
        for await (const file of this.#linked(path, { partition, tally, reached, signal })) yield file;
      } catch (error) {
        partition.status = "failed";
        partition.errorCode = errorCode(error);
      }
    }
  }

  /** A path whose real location its folder does not tell: a `--trail-files` path or a symbolic link. */
  async *#linked(path: string, walk: Walk): AsyncIterable<TrailFile> {
    const real = await Deno.realPath(path);
    // The path given, not the real one: Deno's permissions are granted to the folders the user named.
    const info = await Deno.stat(path);
    if (info.isDirectory) {
      yield* this.#folder(path, real, walk);
    } else if (!info.isFile) {
      this.#skipNotRegular(path, walk);
    } else if (!walk.reached.files.has(real) && !walk.reached.folders.has(dirname(real))) {
      walk.reached.files.add(real);
      yield { name: path, size: info.size, partition: walk.partition, path };
    }
  }

  async *#folder(path: string, real: string, walk: Walk): AsyncIterable<TrailFile> {
    if (walk.reached.folders.has(real)) return;
    walk.reached.folders.add(real);
    const entries: Deno.DirEntry[] = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry);
    for (const entry of entries.sort(byName)) {
      if (walk.signal.aborted) return;
      const entryPath = join(path, entry.name);
      try {
        if (entry.isSymlink) {
          yield* this.#linked(entryPath, walk);
        } else if (entry.isDirectory) {
          yield* this.#folder(entryPath, join(real, entry.name), walk);
        } else if (!entry.isFile) {
          this.#skipNotRegular(entryPath, walk);
        } else if (!walk.reached.files.has(join(real, entry.name))) {
          const { size } = await Deno.stat(entryPath);
          yield { name: entryPath, size, partition: walk.partition, path: entryPath };
        }
      } catch (error) {
        walk.tally.listed(0);
        walk.tally.failedFile(entryPath, errorCode(error), 0);
      }
    }
  }

  #skipNotRegular(path: string, walk: Walk): void {
    walk.tally.listed(0);
    walk.tally.skippedFile(NOT_REGULAR_FILE, path, 0);
  }
}
