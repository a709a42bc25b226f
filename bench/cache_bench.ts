/**
 * `--cache-dir` at the real quota (2 requests/s per region, bucket of 1): 10,000 events in 2 regions.
 * A first run fills the cache, a re-run over the same window pays only the late-delivery margin, and a
 * run "an hour later" (the cache's coverage moved back one hour, 60 new events per region in that hour)
 * pays only for that hour. Prints wall times and LookupEvents requests per region.
 */
import { join } from "node:path";
import { emulatorEnvironment, fakeCredentials, runCli, temporaryEnvironment } from "../tests/e2e/cli_harness.ts";
import { startAwsEmulator } from "../tests/support/aws_emulator.ts";
import { syntheticEvents } from "../tests/e2e/scenario.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ACCOUNT = "111122223333";

/** Prints the three runs' figures. */
export async function cacheBench(print: (line: string) => void, eventsPerRegion = 5000): Promise<void> {
  const now = Date.now();
  const credentials = fakeCredentials();
  const regions = ["eu-west-1", "us-east-1"];
  // The newest event 81 minutes ago, so moving the cache's coverage back an hour drops no cached record.
  const emulator = startAwsEmulator({
    regions,
    events: Object.fromEntries(
      regions.map((region, index) => [
        region,
        syntheticEvents(eventsPerRegion, now - 81 * MINUTE, MINUTE, index * 100_000).events,
      ]),
    ),
    acceptedAccessKeys: [credentials.accessKeyId],
    quota: { ratePerSecond: 2, burst: 1 },
  });
  const environment = await temporaryEnvironment();
  const cacheDirectory = join(environment.home, ".cache", "aws-summarize-account-activity");
  const run = async (label: string) => {
    const requestsBefore = regions.map((region) => emulator.stats(region).requests);
    const start = performance.now();
    const result = await runCli(["--quiet", "--past-hours", "336", "--cache-dir", cacheDirectory], {
      ...environment,
      env: emulatorEnvironment(emulator.url, credentials),
    });
    const seconds = (performance.now() - start) / 1000;
    if (result.code !== 0) throw new Error(`the CLI failed (${result.code}): ${result.stderr}`);
    const requests = regions.map((region, index) => emulator.stats(region).requests - requestsBefore[index]!);
    const summaryFile = result.stdout.trim();
    const metadata = JSON.parse(await Deno.readTextFile(summaryFile))._metadata;
    const cache = metadata.cache.regions as Record<string, { records_from_cache: number; records_fetched: number }>;
    print(
      `cache ${label}: wall ${seconds.toFixed(2)} s; records ${metadata.records_read}; ` +
        regions.map((region, index) =>
          `${region} ${requests[index]} requests, ${cache[region]!.records_from_cache} from the cache, ` +
          `${cache[region]!.records_fetched} fetched`
        ).join("; "),
    );
    return seconds;
  };
  try {
    const first = await run("first run (empty cache)");
    const again = await run("re-run, same window");
    print(`cache: re-run ${(first / again).toFixed(1)}x faster than the first run`);
    for (const region of regions) {
      emulator.addEvents(region, syntheticEvents(60, Date.now() - MINUTE, MINUTE, 900_000).events);
      await moveCoverageBack(join(cacheDirectory, ACCOUNT, region, "index.json"), HOUR);
    }
    await run("an hour later (60 new events per region)");
  } finally {
    await emulator.close();
    await environment.cleanup();
  }
}

/** Makes the cache look as it did an hour ago: its coverage ends `milliseconds` earlier. */
async function moveCoverageBack(indexFile: string, milliseconds: number): Promise<void> {
  const index = JSON.parse(await Deno.readTextFile(indexFile));
  const end = Math.max(
    ...index.segments.flatMap((segment: { covered: string[][] }) => segment.covered.map(([, to]) => Date.parse(to!))),
  );
  const cut = end - milliseconds;
  for (const segment of index.segments as { covered: string[][]; records: number }[]) {
    segment.covered = segment.covered
      .map(([from, to]) => [from!, new Date(Math.min(Date.parse(to!), cut)).toISOString()])
      .filter(([from, to]) => Date.parse(from!) < Date.parse(to!));
  }
  index.segments = index.segments.filter((segment: { covered: string[][] }) => segment.covered.length > 0);
  await Deno.writeTextFile(indexFile, JSON.stringify(index));
}
