/**
 * Writing a run's outputs so that nothing fetched is lost: the folder is checked before any event is
 * read, names never replace an earlier run's files, and a summary that cannot be written where asked
 * goes somewhere that works.
 */
import { CannotRunError } from "../errors.ts";
import { type FilePrefix, type OutputPaths, outputPaths } from "../report/output_paths.ts";
import { escapeControlCharacters } from "../report/terminal_text.ts";
import type { RunDependencies } from "./context.ts";

/** Temporary files older than this are left from a killed run (a live write takes seconds at most). */
const STALE_TEMPORARY_FILE_MILLISECONDS = 10 * 60_000;
/** How many `_2`, `_3`, ... names to try before giving up. */
const MAX_SEQUENCE = 1000;

/** A path as we print it: control characters escaped, so a crafted name cannot drive the terminal. */
export function printablePath(path: string): string {
  return escapeControlCharacters(path);
}

/**
 * Creates the output folder, proves that files can be made in it (before the first API call, so a
 * read-only folder never costs a whole read) and removes temporary files left by a killed run.
 * @throws {CannotRunError} naming the folder and the reason
 */
export async function prepareOutputFolder(deps: Pick<RunDependencies, "files">, directory: string): Promise<void> {
  try {
    await deps.files.ensureDirectory(directory);
    await deps.files.probeWritable(directory);
  } catch (error) {
    throw new CannotRunError(`Cannot write to the output folder '${printablePath(directory)}': ${reason(error)}`, {
      cause: error,
    });
  }
  await deps.files.removeStaleTemporaryFiles(directory, STALE_TEMPORARY_FILE_MILLISECONDS).catch(() => 0);
}

/**
 * The first free set of names for this run (see {@link outputPaths}). With a raw dump its folder is
 * created here, which reserves the name against a run starting in the same second.
 */
export async function reserveOutputPaths(
  deps: Pick<RunDependencies, "files">,
  directory: string,
  accountId: string,
  runTimestamp: string,
  rawDump: boolean,
  prefix: FilePrefix = "account_activity",
): Promise<ReservedOutput> {
  for (let sequence = 1; sequence <= MAX_SEQUENCE; sequence++) {
    const paths = outputPaths(directory, accountId, runTimestamp, sequence, prefix);
    if (await deps.files.exists(paths.summary) || await deps.files.exists(paths.plotsDirectory)) continue;
    if (!rawDump) return { paths, sequence, prefix };
    try {
      await deps.files.createNewDirectory(paths.rawDumpDirectory);
      return { paths, sequence, prefix };
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists) continue;
      throw new CannotRunError(
        `Cannot create the raw dump folder '${printablePath(paths.rawDumpDirectory)}': ${reason(error)}`,
        { cause: error },
      );
    }
  }
  throw new CannotRunError(`Cannot find a free file name in '${printablePath(directory)}'`);
}

/** The names reserved for a run, and which `_N` they carry (1: none). */
export interface ReservedOutput {
  paths: OutputPaths;
  sequence: number;
  prefix: FilePrefix;
}

/** Where the summary ended up. */
export type SummaryDestination =
  | { kind: "file"; paths: OutputPaths }
  | { kind: "stdout" | "temporary-file"; path: string; failedPath: string };

/**
 * Writes the summary under the reserved name, or the next free one if a run that started in the same
 * second took it meanwhile. When it cannot be written there (disk full, folder gone), it is never
 * dropped: it goes to stdout when that is not a terminal, else to a temporary file.
 */
export async function writeSummary(
  deps: Pick<RunDependencies, "files" | "stdout" | "stderr">,
  reserved: ReservedOutput,
  summaryText: string,
  accountId: string,
  runTimestamp: string,
): Promise<SummaryDestination> {
  let { paths, sequence } = reserved;
  while (true) {
    try {
      await deps.files.writeTextNew(paths.summary, summaryText);
      return { kind: "file", paths };
    } catch (error) {
      if (error instanceof Deno.errors.AlreadyExists && sequence < MAX_SEQUENCE) {
        sequence += 1;
        // The raw dump folder keeps the name it reserved; the summary and charts take the next free one.
        paths = {
          ...outputPaths(paths.directory, accountId, runTimestamp, sequence, reserved.prefix),
          rawDumpDirectory: reserved.paths.rawDumpDirectory,
        };
        continue;
      }
      return await writeSummaryElsewhere(deps, paths.summary, summaryText, error);
    }
  }
}

async function writeSummaryElsewhere(
  deps: Pick<RunDependencies, "files" | "stdout" | "stderr">,
  failedPath: string,
  summaryText: string,
  error: unknown,
): Promise<SummaryDestination> {
  const cannot = `Cannot write the summary '${printablePath(failedPath)}': ${reason(error)}`;
  if (!deps.stdout.isTerminal) {
    deps.stderr.write(`error: ${cannot}; the summary follows on stdout instead\n`);
    deps.stdout.write(summaryText);
    return { kind: "stdout", path: "-", failedPath };
  }
  try {
    const path = await deps.files.writeTemporaryFile("account_activity_", ".json", summaryText);
    deps.stderr.write(`error: ${cannot}; it was written to '${printablePath(path)}' instead\n`);
    return { kind: "temporary-file", path, failedPath };
  } catch {
    deps.stderr.write(`error: ${cannot}; the summary follows on stdout instead\n`);
    deps.stdout.write(summaryText);
    return { kind: "stdout", path: "-", failedPath };
  }
}

/** An error's reason in a user's words. */
export function reason(error: unknown): string {
  if (error instanceof Deno.errors.NotCapable) {
    return "this command may write only where its Deno permissions allow (deno task: below the folder you run it " +
      "from); choose a folder there, or use the compiled binary";
  }
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotFound) return "no such file or folder";
  const message = error instanceof Error ? error.message : String(error);
  if (/no space left|ENOSPC|os error 28/i.test(message)) return "no space left on the device";
  if (/read-only file system|EROFS|os error 30/i.test(message)) return "read-only file system";
  return escapeControlCharacters(message);
}
