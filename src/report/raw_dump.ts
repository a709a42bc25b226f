/** The raw dump of `--dump-raw-cloudtrail-data`: every record fetched, as JSON lines per region. */
import { join } from "node:path";
import type { SourceEvent } from "../summary/types.ts";
import type { LineWriter, OutputFiles } from "./files.ts";

/** A raw dump file could not be written (disk full, ...): names the file. */
export class RawDumpError extends Error {
  constructor(readonly file: string, cause: unknown) {
    super(`Cannot write '${file}'`, { cause });
    this.name = "RawDumpError";
  }
}

/**
 * The raw dump: every record fetched, one compact line each, in `<region>.jsonl`
 * created with mode 0600 because it holds sensitive data.
 */
export class RawDump {
  readonly #files: OutputFiles;
  readonly #directory: string;
  readonly #writers = new Map<string, Promise<LineWriter>>();

  constructor(files: OutputFiles, directory: string) {
    this.#files = files;
    this.#directory = directory;
  }

  /** Appends a page of events, each to its region's file. */
  async append(events: readonly SourceEvent[]): Promise<void> {
    const linesByRegion = new Map<string, string[]>();
    for (const event of events) {
      const lines = linesByRegion.get(event.region) ?? [];
      lines.push(compactLine(event.cloudTrailEvent));
      linesByRegion.set(event.region, lines);
    }
    for (const [region, lines] of linesByRegion) {
      try {
        const writer = await this.#writer(region);
        await writer.write(lines.join("\n") + "\n");
      } catch (error) {
        throw new RawDumpError(this.#path(region), error);
      }
    }
  }

  /** Closes every file. */
  async close(): Promise<void> {
    const writers = [...this.#writers];
    this.#writers.clear();
    for (const [region, writer] of writers) {
      try {
        await (await writer).close();
      } catch (error) {
        throw new RawDumpError(this.#path(region), error);
      }
    }
  }

  #path(region: string): string {
    return join(this.#directory, `${region}.jsonl`);
  }

  #writer(region: string): Promise<LineWriter> {
    let writer = this.#writers.get(region);
    if (writer === undefined) {
      writer = this.#files.openLineWriter(this.#path(region), 0o600);
      this.#writers.set(region, writer);
    }
    return writer;
  }
}

/**
 * One line per record: the text exactly as served when it is already one line
 * (so the dump equals what AWS sent), otherwise re-serialised compactly.
 */
export function compactLine(text: string): string {
  if (text !== "" && !/[\r\n\u2028\u2029]/.test(text)) return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    // Not JSON at all: keep it as a JSON string so the line still parses.
    return JSON.stringify(text);
  }
}
