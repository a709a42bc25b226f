/**
 * One account's region in the cache folder, on disk:
 *
 * ```
 * DIR/<account>/<region>/index.json                 which intervals are covered, by which file
 * DIR/<account>/<region>/lock                       held (flock) while a run changes the region
 * DIR/<account>/<region>/YYYY-MM-DD/<from>-<to>.<run>.jsonl.gz   records of one UTC day, gzip JSON lines
 * DIR/staging/<account>.<region>.<day>.<run>.tmp   records a run fetched and has not committed yet
 * ```
 *
 * Staged files live outside the account folders, so `--trail-files DIR/<account>` reads exactly the covered records.
 *
 * Integrity: record files are written under per-run names and renamed into place before the index
 * lists them; the index is replaced by a rename; both happen under an exclusive lock on `lock`, which
 * the kernel releases when a run dies, so a killed run never leaves a stale lock. Folders are 0700,
 * files 0600, and nothing below the cache folder is followed through a symbolic link.
 */
import { join } from "node:path";
import {
  CacheDamageError,
  type CacheIndex,
  type CacheSegment,
  coveredIntervals,
  parseCacheIndex,
  serializeCacheIndex,
} from "./cache_index.ts";
import { type CacheRecord, parseCacheLine } from "./cache_records.ts";
import { contains, type Interval, sameTimes, splitByUtcDay, subtract } from "./intervals.ts";

const INDEX_FILE = "index.json";
const LOCK_FILE = "lock";
const STAGING_FOLDER = "staging";
const DAY_FOLDER = /^\d{4}-\d{2}-\d{2}$/;
/** Staged files this old belong to a run that was killed: no run stays alive that long. */
const STALE_STAGING_MILLISECONDS = 7 * 86_400_000;
const RECORDS_PER_BATCH = 500;

/**
 * Makes a private folder (0700), or checks an existing one is a real folder.
 * @throws {CacheDamageError} for a symbolic link or a file in its place
 */
export async function ensurePrivateDirectory(path: string): Promise<void> {
  const existing = await lstatOrUndefined(path);
  if (existing === undefined) {
    await Deno.mkdir(path, { mode: 0o700 }).catch((error) => {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
    });
  }
  const info = await Deno.lstat(path);
  if (info.isSymlink) throw new CacheDamageError(`'${path}' is a symbolic link, which the cache never follows`);
  if (!info.isDirectory) throw new CacheDamageError(`'${path}' is not a folder`);
}

async function lstatOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.lstat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Opens a file for reading only when it is a regular file (never through a link); undefined when absent. */
async function openRegularFile(path: string): Promise<Deno.FsFile | undefined> {
  const info = await lstatOrUndefined(path);
  if (info === undefined) return undefined;
  if (!info.isFile) throw new CacheDamageError(info.isSymlink ? "a symbolic link, not followed" : "not a file");
  return await Deno.open(path, { read: true });
}

/** Records of a gzip JSON lines file, in batches. */
async function* readRecordFile(file: Deno.FsFile): AsyncGenerator<CacheRecord[]> {
  let pending = "";
  let batch: CacheRecord[] = [];
  const take = (line: string) => {
    const record = parseCacheLine(line);
    if (record === undefined) throw new CacheDamageError("a line is not a CloudTrail record");
    batch.push(record);
  };
  try {
    const text = file.readable.pipeThrough(new DecompressionStream("gzip")).pipeThrough(new TextDecoderStream());
    for await (const chunk of text) {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      for (const line of lines) take(line);
      if (batch.length >= RECORDS_PER_BATCH) {
        yield batch;
        batch = [];
      }
    }
  } catch (error) {
    if (error instanceof CacheDamageError) throw error;
    throw new CacheDamageError(`not a readable gzip file (${error instanceof Error ? error.message : error})`, {
      cause: error,
    });
  }
  if (pending !== "") throw new CacheDamageError("the last line is cut off");
  if (batch.length > 0) yield batch;
}

/** A gzip JSON lines file being written. */
export class RecordFileWriter {
  records = 0;
  readonly #writer: WritableStreamDefaultWriter<BufferSource>;
  readonly #piping: Promise<void>;
  readonly #encoder = new TextEncoder();

  private constructor(readonly path: string, file: Deno.FsFile) {
    const compression = new CompressionStream("gzip");
    this.#piping = compression.readable.pipeTo(file.writable);
    this.#writer = compression.writable.getWriter();
  }

  /** Creates the file (never replacing one: per-run names), mode 0600. */
  static async create(path: string): Promise<RecordFileWriter> {
    return new RecordFileWriter(path, await Deno.open(path, { write: true, createNew: true, mode: 0o600 }));
  }

  async write(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    this.records += lines.length;
    await this.#writer.write(this.#encoder.encode(lines.join("\n") + "\n"));
  }

  /** Finishes the gzip stream and flushes the file to the disk. */
  async close(): Promise<void> {
    await this.#writer.close();
    await this.#piping;
    await syncFile(this.path);
  }

  /** Gives up on the file and removes it. */
  async discard(): Promise<void> {
    await this.#writer.abort().catch(() => {});
    await this.#piping.catch(() => {});
    await Deno.remove(this.path).catch(() => {});
  }
}

async function syncFile(path: string): Promise<void> {
  const file = await Deno.open(path, { read: true });
  try {
    await file.syncData();
  } finally {
    file.close();
  }
}

/** What a run asks the commit to do. */
export interface CommitRequest {
  /** Intervals this run fetched completely and may claim (already without the late-delivery margin). */
  claims: readonly Interval[];
  /** Closed staged files by UTC day, holding exactly the records of `stagedFor` on that day. */
  staged: ReadonlyMap<string, RecordFileWriter>;
  /** What the staged files hold: `claims` or more (an interrupted region claims only part of it). */
  stagedFor: readonly Interval[];
  /** Record files this run found damaged: dropped from the index, their intervals claimed anew. */
  damagedFiles: ReadonlySet<string>;
  /** Segments that end before this are pruned (LookupEvents keeps 90 days). */
  pruneBeforeMs: number;
}

/** What a commit changed. */
export interface CommitResult {
  segmentsAdded: number;
  segmentsPruned: number;
}

/** The cache of one account's region. */
export class RegionCache {
  private constructor(
    readonly directory: string,
    readonly runId: string,
    readonly stagingDirectory: string,
    readonly stagingPrefix: string,
  ) {}

  /**
   * Opens (creating the folders when needed) `root/account/region`.
   * @throws {CacheDamageError} when a folder on the way is a symbolic link or a file
   */
  static async open(root: string, accountId: string, region: string, runId: string): Promise<RegionCache> {
    const accountDirectory = join(root, accountId);
    const directory = join(accountDirectory, region);
    const stagingDirectory = join(root, STAGING_FOLDER);
    for (const folder of [stagingDirectory, accountDirectory, directory]) await ensurePrivateDirectory(folder);
    return new RegionCache(directory, runId, stagingDirectory, `${accountId}.${region}.`);
  }

  /**
   * The index; empty when there is none yet.
   * @throws {CacheDamageError} when it cannot be read or trusted
   */
  async readIndex(): Promise<CacheIndex> {
    const path = join(this.directory, INDEX_FILE);
    let file: Deno.FsFile | undefined;
    try {
      file = await openRegularFile(path);
      if (file === undefined) return { segments: [] };
      const bytes = new Uint8Array(await new Response(file.readable).arrayBuffer());
      file = undefined;
      return parseCacheIndex(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (error) {
      file?.close();
      if (error instanceof CacheDamageError) throw error;
      throw new CacheDamageError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /** The path of a segment's record file. */
  pathOf(segment: CacheSegment): string {
    return join(this.directory, segment.file ?? "");
  }

  /**
   * A segment's records in batches, checked against the index: every line a record, every time inside
   * the segment's intervals, the count as listed.
   * @throws {CacheDamageError} when the file is missing or any check fails
   */
  async *readSegment(segment: CacheSegment): AsyncGenerator<CacheRecord[]> {
    const file = await openRegularFile(this.pathOf(segment)).catch((error) => {
      throw error instanceof CacheDamageError ? error : new CacheDamageError(String(error), { cause: error });
    });
    if (file === undefined) throw new CacheDamageError("the file is missing");
    let count = 0;
    for await (const batch of readRecordFile(file)) {
      count += batch.length;
      if (batch.some((record) => !contains(segment.intervals, record.eventTimeMs))) {
        throw new CacheDamageError("a record lies outside the intervals the index gives the file");
      }
      yield batch;
    }
    if (count !== segment.records) {
      throw new CacheDamageError(`${count} records where the index lists ${segment.records}`);
    }
  }

  /** A new staged file for one UTC day of records this run fetches. */
  createStagedFile(day: string): Promise<RecordFileWriter> {
    return RecordFileWriter.create(join(this.stagingDirectory, `${this.stagingPrefix}${day}.${this.runId}.tmp`));
  }

  /**
   * Adds what this run fetched to the index, under the region's lock: claims only time no other
   * segment covers by now (a run that finished meanwhile wins), writes record files before the index
   * names them, replaces the index by a rename, then removes files the index no longer names.
   */
  async commit(request: CommitRequest): Promise<CommitResult> {
    const lockPath = join(this.directory, LOCK_FILE);
    const lockInfo = await lstatOrUndefined(lockPath);
    if (lockInfo !== undefined && !lockInfo.isFile) throw new CacheDamageError(`'${lockPath}' is not a file`);
    const lock = await Deno.open(lockPath, { write: true, create: true, mode: 0o600 });
    try {
      await lock.lock(true);
      return await this.#commitLocked(request);
    } finally {
      lock.close();
    }
  }

  async #commitLocked(request: CommitRequest): Promise<CommitResult> {
    let current: CacheIndex;
    try {
      current = await this.readIndex();
    } catch (error) {
      if (!(error instanceof CacheDamageError)) throw error;
      current = { segments: [] };
    }
    const kept = current.segments.filter((segment) =>
      !(segment.file !== undefined && request.damagedFiles.has(segment.file)) &&
      segment.intervals.at(-1)!.endMs > request.pruneBeforeMs
    );
    const pruned = current.segments.length - kept.length;
    const covered = coveredIntervals(kept);
    const added: CacheSegment[] = [];
    const stagedDays = splitByUtcDay(request.stagedFor);
    for (const [day, dayClaims] of splitByUtcDay(request.claims)) {
      const claims = subtract(dayClaims, covered);
      if (claims.length === 0) continue;
      const whole = sameTimes(claims, stagedDays.get(day) ?? []);
      added.push(await this.#segmentFor(day, claims, whole, request.staged.get(day)));
    }
    if (added.length === 0 && pruned === 0) return { segmentsAdded: 0, segmentsPruned: 0 };
    const index = { segments: [...kept, ...added] };
    await this.#replaceIndex(serializeCacheIndex(index));
    await this.#removeUnlistedFiles(index);
    return { segmentsAdded: added.length, segmentsPruned: pruned };
  }

  /**
   * A segment for `claims` of one day: the staged file renamed into place when it was staged for exactly
   * these claims, else a copy of only their records (another run covered part of the day meanwhile).
   */
  async #segmentFor(
    day: string,
    claims: Interval[],
    stagedForClaims: boolean,
    staged: RecordFileWriter | undefined,
  ): Promise<CacheSegment> {
    if (staged === undefined || staged.records === 0) return { intervals: claims, records: 0 };
    await ensurePrivateDirectory(join(this.directory, day));
    const stamp = (timeMs: number) => new Date(timeMs).toISOString().slice(11, 23).replace(/[:.]/g, "");
    const file = `${day}/${stamp(claims[0]!.startMs)}-${stamp(claims.at(-1)!.endMs - 1)}.${this.runId}.jsonl.gz`;
    const path = join(this.directory, file);
    if (stagedForClaims) {
      await Deno.rename(staged.path, path);
      return { file, intervals: claims, records: staged.records };
    }
    const copy = await RecordFileWriter.create(path);
    try {
      for await (const batch of readRecordFile(await Deno.open(staged.path, { read: true }))) {
        await copy.write(batch.filter((record) => contains(claims, record.eventTimeMs)).map((record) => record.line));
      }
      await copy.close();
    } catch (error) {
      await copy.discard();
      throw error;
    }
    if (copy.records > 0) return { file, intervals: claims, records: copy.records };
    await Deno.remove(path);
    return { intervals: claims, records: 0 };
  }

  async #replaceIndex(text: string): Promise<void> {
    const path = join(this.directory, INDEX_FILE);
    const temporary = `${path}.${this.runId}.tmp`;
    try {
      const file = await Deno.open(temporary, { write: true, createNew: true, mode: 0o600 });
      try {
        const bytes = new TextEncoder().encode(text);
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        await file.syncData();
      } finally {
        file.close();
      }
      // A rename replaces a symbolic link itself, never its target.
      await Deno.rename(temporary, path);
    } finally {
      await Deno.remove(temporary).catch(() => {});
    }
  }

  /** Under the lock: record files no segment names (a killed commit's, damaged or pruned ones), old staging. */
  async #removeUnlistedFiles(index: CacheIndex): Promise<void> {
    const listed = new Set(index.segments.map((segment) => segment.file));
    for await (const entry of Deno.readDir(this.directory)) {
      if (!entry.isDirectory || !DAY_FOLDER.test(entry.name)) continue;
      const folder = join(this.directory, entry.name);
      for await (const file of Deno.readDir(folder)) {
        if (!listed.has(`${entry.name}/${file.name}`)) await Deno.remove(join(folder, file.name)).catch(() => {});
      }
      // Only an empty folder goes; a non-empty one makes this fail, which is fine.
      await Deno.remove(folder).catch(() => {});
    }
    const now = Date.now();
    for await (const entry of Deno.readDir(this.stagingDirectory)) {
      if (!entry.name.startsWith(this.stagingPrefix)) continue;
      const path = join(this.stagingDirectory, entry.name);
      const modified = (await Deno.lstat(path)).mtime?.getTime() ?? now;
      if (now - modified > STALE_STAGING_MILLISECONDS) await Deno.remove(path).catch(() => {});
    }
  }
}
