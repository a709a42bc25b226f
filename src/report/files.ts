/** The file system as the program writes to it: atomic files and streamed line files. */

/** A file that takes lines as they come. */
export interface LineWriter {
  /** Appends text (already ending with newlines). */
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** What the program does to the file system; tests may substitute their own. */
export interface OutputFiles {
  /** Creates a folder and its parents. */
  ensureDirectory(path: string): Promise<void>;
  /** Creates a new folder (parents must exist); throws `Deno.errors.AlreadyExists` when it exists. */
  createNewDirectory(path: string): Promise<void>;
  /** Whether anything exists at `path` (a dangling link counts). */
  exists(path: string): Promise<boolean>;
  /** Checks that new files can be made in `directory`: creates and removes a probe file. */
  probeWritable(directory: string): Promise<void>;
  /** Writes a whole file atomically: a temporary file in the same folder, then a rename. */
  writeTextAtomic(path: string, text: string): Promise<void>;
  /** Like {@link writeTextAtomic} but never replaces a file: throws `Deno.errors.AlreadyExists` instead. */
  writeTextNew(path: string, text: string): Promise<void>;
  /** Writes `text` to a new file in the system's temporary folder; returns its path. */
  writeTemporaryFile(prefix: string, suffix: string, text: string): Promise<string>;
  /**
   * Removes temporary files our atomic writes left behind (`<name>.<uuid>.tmp`, from a killed run) in
   * `directory` when they are older than `olderThanMilliseconds` (a live run's are seconds old).
   * @returns how many were removed
   */
  removeStaleTemporaryFiles(directory: string, olderThanMilliseconds: number): Promise<number>;
  /** Opens a new file for streamed writing, created with `mode` (e.g. 0o600 for sensitive data). */
  openLineWriter(path: string, mode: number): Promise<LineWriter>;
  /** Reads a whole text file. */
  readText(path: string): Promise<string>;
}

/** The names our atomic writes give their temporary files: `<final name>.<uuid>.tmp`. */
const TEMPORARY_FILE_NAME = /\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/** Whether `name` is one of our atomic writes' temporary files. */
export function isTemporaryFileName(name: string): boolean {
  return TEMPORARY_FILE_NAME.test(name);
}

/**
 * Writes a whole file atomically: a temporary file in the same folder, then a
 * rename, so a reader never sees half a file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await viaTemporaryFile(path, bytes, (temporary) => Deno.rename(temporary, path));
}

/**
 * Writes a whole file atomically without ever replacing one: a hard link from the temporary file
 * fails when `path` exists, so two runs that pick the same name cannot overwrite each other.
 */
export async function writeFileNew(path: string, bytes: Uint8Array): Promise<void> {
  await viaTemporaryFile(path, bytes, async (temporary) => {
    try {
      await Deno.link(temporary, path);
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists || error instanceof Deno.errors.NotCapable) throw error;
      // A file system without hard links: check, then rename (a narrow race, but no silent loss of a file).
      if (await pathExists(path)) throw new Deno.errors.AlreadyExists(`'${path}' exists`);
      await Deno.rename(temporary, path);
    }
  });
}

async function viaTemporaryFile(
  path: string,
  bytes: Uint8Array,
  publish: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes, { createNew: true });
    await publish(temporary);
  } finally {
    await Deno.remove(temporary).catch(() => {});
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** See {@link OutputFiles.removeStaleTemporaryFiles}. */
export async function removeStaleTemporaryFiles(directory: string, olderThanMilliseconds: number): Promise<number> {
  let removed = 0;
  const now = Date.now();
  try {
    for await (const entry of Deno.readDir(directory)) {
      if (!entry.isFile || !isTemporaryFileName(entry.name)) continue;
      const path = `${directory}/${entry.name}`;
      const modified = (await Deno.lstat(path)).mtime?.getTime() ?? 0;
      if (now - modified < olderThanMilliseconds) continue;
      await Deno.remove(path).then(() => removed++, () => {});
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return removed;
}

/** The real file system through Deno's API. */
export const denoOutputFiles: OutputFiles = {
  async ensureDirectory(path) {
    await Deno.mkdir(path, { recursive: true });
  },
  async createNewDirectory(path) {
    await Deno.mkdir(path);
  },
  exists: pathExists,
  async probeWritable(directory) {
    const probe = `${directory}/.account_activity_probe.${crypto.randomUUID()}.tmp`;
    await Deno.writeFile(probe, new Uint8Array(), { createNew: true });
    await Deno.remove(probe);
  },
  writeTextAtomic: (path, text) => writeFileAtomic(path, new TextEncoder().encode(text)),
  writeTextNew: (path, text) => writeFileNew(path, new TextEncoder().encode(text)),
  async writeTemporaryFile(prefix, suffix, text) {
    const path = await Deno.makeTempFile({ prefix, suffix });
    await Deno.writeTextFile(path, text);
    return path;
  },
  removeStaleTemporaryFiles,
  async openLineWriter(path, mode) {
    const file = await Deno.open(path, {
      write: true,
      create: true,
      truncate: true,
      mode,
    });
    // mode applies only when the file is created; make it hold for an old file too.
    if (Deno.build.os !== "windows") await Deno.chmod(path, mode);
    const encoder = new TextEncoder();
    return {
      async write(text) {
        const bytes = encoder.encode(text);
        let written = 0;
        while (written < bytes.length) {
          written += await file.write(bytes.subarray(written));
        }
      },
      close: () => Promise.resolve(file.close()),
    };
  },
  readText: (path) => Deno.readTextFile(path),
};
