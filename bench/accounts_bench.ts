/**
 * `--accounts all` through the real CLI against the emulator: 10 accounts x 2 regions x 2,000 events
 * at the real quota (2 requests/s per account and region, bucket of 1). Accounts are read side by
 * side, so the run should take about as long as its busiest account alone: wall time against that
 * account's physical limit, (pages - 1) / rate of its busiest region.
 */
import { emulatorEnvironment, fakeCredentials, runCli, temporaryEnvironment } from "../tests/e2e/cli_harness.ts";
import { type EmulatorAccount, startAwsEmulator } from "../tests/support/aws_emulator.ts";
import { syntheticEvents } from "../tests/e2e/scenario.ts";

const MANAGEMENT = "100000000000";
const REGIONS = ["eu-west-1", "us-east-1"];

/** Prints wall time, the busiest account's physical limit, their ratio and the machine's load. */
export async function accountsBench(
  print: (line: string) => void,
  accountCount = 10,
  eventsPerRegion = 2000,
): Promise<void> {
  const now = Date.now();
  const credentials = fakeCredentials();
  const eventsOf = (accountIndex: number) =>
    Object.fromEntries(REGIONS.map((region, regionIndex) => [
      region,
      syntheticEvents(eventsPerRegion, now - 1000, 30_000, (accountIndex * REGIONS.length + regionIndex) * 100_000)
        .events,
    ]));
  const accountIds = Array.from({ length: accountCount }, (_, index) => String(Number(MANAGEMENT) + index));
  const members: Record<string, EmulatorAccount> = Object.fromEntries(
    accountIds.slice(1).map((id, index) => [id, { regions: REGIONS, events: eventsOf(index + 1) }]),
  );
  const emulator = startAwsEmulator({
    accountId: MANAGEMENT,
    regions: REGIONS,
    events: eventsOf(0),
    accounts: members,
    acceptedAccessKeys: [credentials.accessKeyId],
    quota: { ratePerSecond: 2, burst: 1 },
  });
  const environment = await temporaryEnvironment();
  try {
    const loadBefore = loadAverage();
    const start = performance.now();
    const result = await runCli(["--accounts", "all", "--quiet", "--past-hours", "2160"], {
      ...environment,
      env: emulatorEnvironment(emulator.url, credentials),
    });
    const wallSeconds = (performance.now() - start) / 1000;
    const loadAfter = loadAverage();
    if (result.code !== 0) throw new Error(`the CLI failed (${result.code}): ${result.stderr}`);
    const statsOf = (id: string) => REGIONS.map((region) => emulator.stats(region, id));
    const pages = Math.max(...accountIds.flatMap((id) => statsOf(id).map((stats) => stats.pages)));
    const limitSeconds = (pages - 1) / 2;
    const times = accountIds.flatMap((id) => statsOf(id).flatMap((stats) => stats.requestTimes));
    const pagingSeconds = (Math.max(...times) - Math.min(...times)) / 1000;
    const throttled = accountIds.flatMap(statsOf).reduce((sum, stats) => sum + stats.throttled, 0);
    // Where the time beyond the limit goes: accounts starting late, or an account paging slower than its quota.
    const spans = accountIds.map((id) => {
      const own = statsOf(id).flatMap((stats) => stats.requestTimes);
      return { first: Math.min(...own), last: Math.max(...own) };
    });
    const startSpread = (Math.max(...spans.map((span) => span.first)) - Math.min(...times)) / 1000;
    const slowestAccount = Math.max(...spans.map((span) => span.last - span.first)) / 1000;
    print(
      `accounts: ${accountCount} accounts x ${REGIONS.length} regions x ${eventsPerRegion} events, ${pages} pages ` +
        `per region; wall ${wallSeconds.toFixed(2)} s (paging of all accounts ${pagingSeconds.toFixed(2)} s); ` +
        `busiest account's physical limit ${limitSeconds.toFixed(1)} s; ratio ${
          (wallSeconds / limitSeconds).toFixed(3)
        } (paging alone ${(pagingSeconds / limitSeconds).toFixed(3)}; last account started ${
          startSpread.toFixed(2)
        } s after the first; slowest account paged ${
          slowestAccount.toFixed(2)
        } s); throttled responses ${throttled}; ` +
        `load average before/after ${loadBefore}/${loadAfter} on ${navigator.hardwareConcurrency} cores`,
    );
  } finally {
    await emulator.close();
    await environment.cleanup();
  }
}

/** The 1-minute load average (the machine is shared: the figure means little without it). */
function loadAverage(): string {
  return (Deno.loadavg()[0] ?? 0).toFixed(2);
}
