/**
 * The real CLI against the emulator at the real quota (2 requests/s per region,
 * bucket of 1) with 10,000+ events in 2 regions: wall time against the physical
 * limit, max over regions of (pages - 1) / rate.
 */
import { emulatorEnvironment, fakeCredentials, runCli, temporaryEnvironment } from "../tests/e2e/cli_harness.ts";
import { startAwsEmulator } from "../tests/support/aws_emulator.ts";
import { syntheticEvents } from "../tests/e2e/scenario.ts";

/** Prints wall time, physical limit, their ratio and throttled responses. */
export async function quotaBench(print: (line: string) => void, eventsPerRegion = 5050): Promise<void> {
  const now = Date.now();
  const credentials = fakeCredentials();
  const regions = ["eu-west-1", "us-east-1"];
  const emulator = startAwsEmulator({
    regions,
    events: Object.fromEntries(
      regions.map((
        region,
        index,
      ) => [region, syntheticEvents(eventsPerRegion, now - 1000, 60_000, index * 100_000).events]),
    ),
    acceptedAccessKeys: [credentials.accessKeyId],
    quota: { ratePerSecond: 2, burst: 1 },
  });
  const environment = await temporaryEnvironment();
  try {
    const start = performance.now();
    const result = await runCli(["--quiet", "--past-hours", "2160"], {
      ...environment,
      env: emulatorEnvironment(emulator.url, credentials),
    });
    const wallSeconds = (performance.now() - start) / 1000;
    if (result.code !== 0) throw new Error(`the CLI failed (${result.code}): ${result.stderr}`);
    const pages = Math.max(...regions.map((region) => emulator.stats(region).pages));
    const throttled = regions.reduce((sum, region) => sum + emulator.stats(region).throttled, 0);
    const limitSeconds = (pages - 1) / 2;
    const firstRequest = Math.min(...regions.map((region) => emulator.stats(region).requestTimes[0]!)) / 1000;
    const lastRequest = Math.max(...regions.map((region) => emulator.stats(region).requestTimes.at(-1)!)) / 1000;
    print(
      `quota: ${eventsPerRegion * regions.length} events in ${regions.length} regions, ${pages} pages per region; ` +
        `wall ${wallSeconds.toFixed(2)} s (paging ${(lastRequest - firstRequest).toFixed(2)} s, start-up and writing ` +
        `${(wallSeconds - (lastRequest - firstRequest)).toFixed(2)} s); physical limit ${limitSeconds.toFixed(1)} s; ` +
        `ratio ${(wallSeconds / limitSeconds).toFixed(3)} (paging alone ${
          ((lastRequest - firstRequest) / limitSeconds).toFixed(3)
        }); ` +
        `throttled responses ${throttled}`,
    );
  } finally {
    await emulator.close();
    await environment.cleanup();
  }
}
