/**
 * Which event source a summarize run reads: LookupEvents, or LookupEvents through the incremental
 * cache (`--cache-dir`), with what `_metadata.cache` says about it.
 */
import { resolve } from "node:path";
import { CannotRunError } from "../errors.ts";
import { CachedLookupEventsSource } from "../sources/cache/cached_lookup_events.ts";
import { ensurePrivateDirectory } from "../sources/cache/region_cache.ts";
import type { EventSource } from "../sources/event_source.ts";
import { LookupEventsSource, type LookupEventsSourceOptions } from "../sources/lookup_events.ts";

/** The source and, after it has read, the `_metadata` keys it adds. */
export interface SourceChoice {
  source: EventSource;
  metadata(): Record<string, unknown>;
}

/** What the choice needs besides the LookupEvents options. */
export interface SourceChoiceContext {
  /** `--cache-dir`, as given. */
  cacheDir: string | undefined;
  accountId: string;
  workingDirectory: string;
  /** A line on stderr (unless --quiet). */
  say(line: string): void;
}

/**
 * Builds the run's source.
 * @throws {CannotRunError} when the cache folder cannot be made or is a symbolic link
 */
export async function chooseEventSource(
  lookup: LookupEventsSourceOptions,
  context: SourceChoiceContext,
): Promise<SourceChoice> {
  if (context.cacheDir === undefined) return { source: new LookupEventsSource(lookup), metadata: () => ({}) };
  const directory = resolve(context.workingDirectory, context.cacheDir);
  if (lookup.lookupAttribute !== undefined) {
    // A filtered read covers its window only for that filter: it neither uses nor fills the cache.
    context.say("--lookup-attribute: the cache is not used for a filtered read");
    return {
      source: new LookupEventsSource(lookup),
      metadata: () => ({ cache: { directory, used: false } }),
    };
  }
  await prepareCacheDirectory(directory);
  const source = new CachedLookupEventsSource({
    lookup,
    cacheDirectory: directory,
    accountId: context.accountId,
    warn: context.say,
  });
  return {
    source,
    metadata: () => ({
      cache: {
        directory,
        used: true,
        regions: Object.fromEntries(
          Object.entries(source.report()).map(([region, report]) => [region, {
            records_from_cache: report.recordsFromCache,
            records_fetched: report.recordsFetched,
            fetched_intervals: report.fetchedIntervals.map((interval) => [
              new Date(interval.startMs).toISOString(),
              new Date(interval.endMs).toISOString(),
            ]),
            damaged_files: report.damagedFiles,
            updated: report.updated,
          }]),
        ),
      },
    }),
  };
}

async function prepareCacheDirectory(directory: string): Promise<void> {
  try {
    // Parents as needed; the cache folder itself private. An existing folder keeps its mode.
    await Deno.mkdir(directory, { recursive: true, mode: 0o700 });
    await ensurePrivateDirectory(directory);
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw new CannotRunError(
        `Cannot use the cache folder '${directory}': this command may use only folders its Deno permissions ` +
          `allow (deno task summarize: below the folder you run it from, or ~/.cache/aws-summarize-account-activity)`,
        { cause: error },
      );
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new CannotRunError(`Cannot use the cache folder '${directory}': ${message}`, { cause: error });
  }
}
