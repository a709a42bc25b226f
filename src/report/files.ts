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
  /** Writes a whole file atomically: a temporary file in the same folder, then a rename. */
  writeTextAtomic(path: string, text: string): Promise<void>;
  /** Opens a new file for streamed writing, created with `mode` (e.g. 0o600 for sensitive data). */
  openLineWriter(path: string, mode: number): Promise<LineWriter>;
  /** Reads a whole text file. */
  readText(path: string): Promise<string>;
}

/**
 * Writes a whole file atomically: a temporary file in the same folder, then a
 * rename, so a reader never sees half a file.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const temporary = `${path}.${crypto.randomUUID()}.tmp`;
  try {
    await Deno.writeFile(temporary, bytes, { createNew: true });
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/** The real file system through Deno's API. */
export const denoOutputFiles: OutputFiles = {
  async ensureDirectory(path) {
    await Deno.mkdir(path, { recursive: true });
  },
  writeTextAtomic: (path, text) => writeFileAtomic(path, new TextEncoder().encode(text)),
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
