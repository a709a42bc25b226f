/**
 * `--cache-dir` end to end: re-runs ask LookupEvents only for the gaps (asserted on the emulator's
 * request log), counts stay exact (against the independent reference) through late events, an event
 * on an interval's edge, a SIGKILL, damaged files and two runs at once.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { emulatorEventFromRecord } from "../support/aws_emulator.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { type Scenario, scenario, syntheticEvents, syntheticRecord } from "./scenario.ts";

const HOUR = 3600_000;
const MINUTE = 60_000;
const ACCOUNT = "111122223333";

type Labelled = { record: Record<string, unknown>; region: string };

function cacheDirectoryOf(world: Scenario): string {
  // The folder the summarize task may use without any other permission.
  return join(world.home, ".cache", "aws-summarize-account-activity");
}

function cachedRun(world: Scenario, pastHours: number, extra: string[] = []) {
  return world.run([
    "--cache-dir",
    cacheDirectoryOf(world),
    "--lookup-rate",
    "20",
    "--past-hours",
    `${pastHours}`,
    ...extra,
  ]);
}

/** The latest summary, the results folder emptied for the next run. */
async function takeSummary(world: Scenario) {
  const summary = await world.summary();
  await Deno.remove(world.resultsDirectory, { recursive: true });
  return summary;
}

function assertExact(summary: Record<string, unknown> & { _metadata: Record<string, unknown> }, labelled: Labelled[]) {
  const expected = referenceSections(labelled);
  for (const section of SECTION_NAMES) assert.deepEqual(summary[section], expected[section], section);
  assert.equal(summary._metadata.records_read, labelled.length, "nothing lost, nothing counted twice");
}

interface IndexSegment {
  file?: string;
  covered: [string, string][];
  records: number;
}

async function indexOf(world: Scenario, region: string): Promise<{ segments: IndexSegment[] }> {
  return JSON.parse(await Deno.readTextFile(join(cacheDirectoryOf(world), ACCOUNT, region, "index.json")));
}

/** The covered intervals of a region's index, merged, in epoch ms. */
async function coveredOf(world: Scenario, region: string): Promise<[number, number][]> {
  const pairs = (await indexOf(world, region)).segments.flatMap((segment) => segment.covered)
    .map(([start, end]) => [Date.parse(start), Date.parse(end)] as [number, number])
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const pair of pairs) {
    const last = merged.at(-1);
    if (last && pair[0] < last[1]) throw new Error(`overlapping segments in the index: ${JSON.stringify(pairs)}`);
    if (last && pair[0] === last[1]) last[1] = pair[1];
    else merged.push([...pair]);
  }
  return merged;
}

/** The distinct [StartTime, EndTime] of a region's LookupEvents requests from request number `from` on. */
function windowsAskedFor(world: Scenario, region: string, from: number): [number, number][] {
  const seen = new Map<string, [number, number]>();
  for (const request of world.emulator.stats(region).requestWindows.slice(from)) {
    seen.set(`${request.startMs} ${request.endMs}`, [request.startMs!, request.endMs!]);
  }
  return [...seen.values()];
}

function cacheMetadata(summary: { _metadata: Record<string, unknown> }, region: string) {
  const cache = summary._metadata.cache as { regions: Record<string, Record<string, number>> };
  return cache.regions[region]!;
}

Deno.test("--cache-dir: re-runs fetch only the gaps, late and edge events included, with exact counts", async (t) => {
  const now = Date.now();
  const recent = syntheticEvents(300, now - MINUTE, MINUTE);
  const older = syntheticEvents(20, now - 6.5 * HOUR, MINUTE, 1000);
  const west = syntheticEvents(30, now - 2 * MINUTE, 5 * MINUTE, 2000);
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: { "us-east-1": [...recent.events, ...older.events], "eu-west-1": west.events },
  });
  const labelled: Labelled[] = [
    ...recent.records.map((record) => ({ record, region: "us-east-1" })),
    ...west.records.map((record) => ({ record, region: "eu-west-1" })),
  ];

  let firstCoveredEnd = 0;
  let firstStart = 0;
  await t.step("first run: the whole window, all but its newest 20 minutes kept", async () => {
    const result = await cachedRun(world, 6);
    assert.equal(result.code, 0, result.stderr);
    const summary = await takeSummary(world);
    assertExact(summary, labelled);
    const covered = await coveredOf(world, "us-east-1");
    assert.equal(covered.length, 1);
    [firstStart, firstCoveredEnd] = covered[0]!;
    const [asked] = windowsAskedFor(world, "us-east-1", 0);
    assert.deepEqual(windowsAskedFor(world, "us-east-1", 0).length, 1, "one window, paged");
    assert.equal(asked![0], firstStart);
    assert.equal(firstCoveredEnd % 1000, 0, "the covered end is a whole second");
    const margin = asked![1] - firstCoveredEnd;
    assert.ok(margin >= 20 * MINUTE && margin <= 20 * MINUTE + 1001, `margin ${margin}`);
    assert.deepEqual(cacheMetadata(summary, "us-east-1").records_fetched, 300);
    assert.deepEqual(cacheMetadata(summary, "us-east-1").records_from_cache, 0);
    assert.match(result.stderr, /Cache .*:\n {2}eu-west-1: 0 records from the cache, 30 fetched/);
  });

  await t.step(
    "re-run: only from the covered edge on; a late event and one exactly on the edge counted once",
    async () => {
      const late = syntheticRecord(7001);
      const edge = syntheticRecord(7002);
      const fresh = syntheticRecord(7003);
      world.emulator.addEvents("us-east-1", [
        emulatorEventFromRecord(late, firstCoveredEnd + 5 * MINUTE, "late"),
        emulatorEventFromRecord(edge, firstCoveredEnd, "edge"),
        emulatorEventFromRecord(fresh, Date.now() - 1000, "fresh"),
      ]);
      labelled.push(...[late, edge, fresh].map((record) => ({ record, region: "us-east-1" })));
      const requestsBefore = world.emulator.stats("us-east-1").requests;
      const result = await cachedRun(world, 6);
      assert.equal(result.code, 0, result.stderr);
      const summary = await takeSummary(world);
      assertExact(summary, labelled);
      const asked = windowsAskedFor(world, "us-east-1", requestsBefore);
      assert.equal(asked.length, 1, JSON.stringify(asked));
      assert.equal(asked[0]![0], firstCoveredEnd, "StartTime is where the cache's coverage ends");
      assert.equal(world.emulator.stats("us-east-1").requests - requestsBefore, 1, "one page: < 50 new events");
      const fromCache = recent.events.filter((event) => event.eventTimeMs < firstCoveredEnd).length;
      assert.equal(cacheMetadata(summary, "us-east-1").records_from_cache, fromCache);
      assert.equal(cacheMetadata(summary, "us-east-1").records_fetched, 303 - fromCache);
    },
  );

  await t.step("an earlier window start: the part before the cache and the new part, nothing else", async () => {
    labelled.push(...older.records.map((record) => ({ record, region: "us-east-1" })));
    const coveredBefore = await coveredOf(world, "us-east-1");
    const requestsBefore = world.emulator.stats("us-east-1").requests;
    const result = await cachedRun(world, 8);
    assert.equal(result.code, 0, result.stderr);
    assertExact(await takeSummary(world), labelled);
    const asked = windowsAskedFor(world, "us-east-1", requestsBefore);
    assert.equal(asked.length, 2, JSON.stringify(asked));
    assert.equal(asked[0]![0], coveredBefore[0]![1], "newest gap first, from the covered end");
    assert.equal(asked[1]![1], firstStart, "the older gap ends where the cache begins");
  });
});

Deno.test("--cache-dir: a run killed with SIGKILL leaves no claim; the next run is exact", async () => {
  const now = Date.now();
  const east = syntheticEvents(1500, now - MINUTE, MINUTE);
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": east.events } });
  let killAt: () => void = () => {};
  const tenthRequest = new Promise<void>((resolve) => (killAt = resolve));
  world.emulator.onLookupEvents = (_region, requestNumber) => {
    if (requestNumber === 10) killAt();
  };
  const child = world.spawn(["--cache-dir", cacheDirectoryOf(world), "--lookup-rate", "20", "--past-hours", "48"]);
  await tenthRequest;
  child.kill("SIGKILL");
  const killed = await child.output();
  assert.equal(killed.signal, "SIGKILL");
  world.emulator.onLookupEvents = undefined;
  await assert.rejects(indexOf(world, "us-east-1"), Deno.errors.NotFound, "the killed run claimed nothing");

  const pagesBefore = world.emulator.stats("us-east-1").pages;
  const result = await cachedRun(world, 48);
  assert.equal(result.code, 0, result.stderr);
  assertExact(await world.summary(), east.records.map((record) => ({ record, region: "us-east-1" })));
  assert.equal(world.emulator.stats("us-east-1").pages - pagesBefore, 30, "1500 events: 30 pages again");
});

Deno.test("--cache-dir: an interrupted run (SIGINT) keeps only what it fetched; the next run fetches the rest", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const now = Date.now();
  const east = syntheticEvents(1500, now - MINUTE, MINUTE);
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": east.events } });
  const first = await cachedRun(world, 2);
  assert.equal(first.code, 0, first.stderr);
  await takeSummary(world);
  const coveredBefore = await coveredOf(world, "us-east-1");
  let interruptAt: () => void = () => {};
  const fifthRequest = new Promise<void>((resolve) => (interruptAt = resolve));
  const requestsBefore = world.emulator.stats("us-east-1").requests;
  world.emulator.onLookupEvents = (_region, requestNumber) => {
    if (requestNumber === requestsBefore + 5) interruptAt();
  };
  const child = world.spawn(["--cache-dir", cacheDirectoryOf(world), "--lookup-rate", "20", "--past-hours", "48"]);
  await fifthRequest;
  child.kill("SIGINT");
  const interrupted = await child.output();
  assert.equal(interrupted.code, 130, new TextDecoder().decode(interrupted.stderr));
  world.emulator.onLookupEvents = undefined;
  const interruptedSummary = await takeSummary(world);
  assert.equal(interruptedSummary._metadata.incomplete, true);
  // Pages come newest first: the run keeps the time newer than the oldest event it fetched, nothing older.
  const coveredAfter = await coveredOf(world, "us-east-1");
  assert.equal(coveredAfter.length, 1, JSON.stringify(coveredAfter));
  assert.ok(coveredAfter[0]![0] <= coveredBefore[0]![0], "what was covered stays covered");
  assert.ok(coveredAfter[0]![0] > now - 24 * HOUR, "the unread part of the window is not claimed");

  const requestsBeforeNext = world.emulator.stats("us-east-1").requests;
  const result = await cachedRun(world, 48);
  assert.equal(result.code, 0, result.stderr);
  assertExact(await world.summary(), east.records.map((record) => ({ record, region: "us-east-1" })));
  const asked = windowsAskedFor(world, "us-east-1", requestsBeforeNext);
  assert.equal(asked.at(-1)![1], coveredAfter[0]![0], "the older gap ends where the kept part begins");
});

Deno.test("--cache-dir: a damaged record file or index is reported on one line, ignored and fetched again", async (t) => {
  const now = Date.now();
  const east = syntheticEvents(200, now - MINUTE, 2 * MINUTE);
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": east.events } });
  const labelled = east.records.map((record) => ({ record, region: "us-east-1" }));
  const first = await cachedRun(world, 12);
  assert.equal(first.code, 0, first.stderr);
  await takeSummary(world);
  const regionFolder = join(cacheDirectoryOf(world), ACCOUNT, "us-east-1");

  await t.step("a record file that is not gzip", async () => {
    const damaged = (await indexOf(world, "us-east-1")).segments.find((segment) => segment.file !== undefined)!;
    await Deno.writeTextFile(join(regionFolder, damaged.file!), "garbage");
    const requestsBefore = world.emulator.stats("us-east-1").requests;
    const result = await cachedRun(world, 12);
    assert.equal(result.code, 0, result.stderr);
    const warnings = result.stderr.split("\n").filter((line) => line.startsWith("cache:"));
    assert.equal(warnings.length, 1, result.stderr);
    assert.match(warnings[0]!, /^cache: ignoring damaged file .*\.jsonl\.gz \(.*\); fetching .* again$/);
    assertExact(await takeSummary(world), labelled);
    const asked = windowsAskedFor(world, "us-east-1", requestsBefore);
    // The run's window starts a few seconds after the first run's: the damaged interval from there on.
    const [damagedStart, damagedEnd] = [Date.parse(damaged.covered[0]![0]), Date.parse(damaged.covered.at(-1)![1])];
    assert.ok(
      asked.some(([start, end]) => start >= damagedStart && start < damagedStart + MINUTE && end >= damagedEnd),
      JSON.stringify({ asked, damaged }),
    );
  });

  await t.step("an index that is not JSON", async () => {
    await Deno.writeTextFile(join(regionFolder, "index.json"), "{ half an ind");
    const result = await cachedRun(world, 12);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^cache: ignoring the damaged index of us-east-1 \(not JSON\); fetching its window again$/m,
    );
    assertExact(await takeSummary(world), labelled);
    const again = await cachedRun(world, 12);
    assert.doesNotMatch(again.stderr, /^cache:/m, "the index was replaced");
    assertExact(await takeSummary(world), labelled);
  });
});

Deno.test("--cache-dir: two runs at once on one cache both count exactly and leave a consistent index", async () => {
  const now = Date.now();
  const east = syntheticEvents(400, now - MINUTE, MINUTE);
  const west = syntheticEvents(150, now - MINUTE, 3 * MINUTE, 5000);
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: { "us-east-1": east.events, "eu-west-1": west.events },
  });
  const labelled = [
    ...east.records.map((record) => ({ record, region: "us-east-1" })),
    ...west.records.map((record) => ({ record, region: "eu-west-1" })),
  ];
  const args = (output: string) => [
    "--cache-dir",
    cacheDirectoryOf(world),
    "--lookup-rate",
    "20",
    "--past-hours",
    "12",
    "--output-dir",
    output,
  ];
  const runs = [world.spawn(args("out-a")), world.spawn(args("out-b"))];
  const outputs = await Promise.all(runs.map((child) => child.output()));
  for (const [position, output] of outputs.entries()) {
    assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
    const folder = join(world.workingDirectory, position === 0 ? "out-a" : "out-b");
    const [file] = await Array.fromAsync(Deno.readDir(folder));
    assertExact(JSON.parse(await Deno.readTextFile(join(folder, file!.name))), labelled);
  }
  for (const region of ["us-east-1", "eu-west-1"]) {
    assert.equal((await coveredOf(world, region)).length, 1, "one covered interval, no overlap");
  }
  const coveredEnd = (await coveredOf(world, "us-east-1"))[0]![1];
  const requestsBefore = world.emulator.stats("us-east-1").requests;
  const third = await cachedRun(world, 12);
  assert.equal(third.code, 0, third.stderr);
  assertExact(await world.summary(), labelled);
  assert.deepEqual(windowsAskedFor(world, "us-east-1", requestsBefore).map(([start]) => start), [coveredEnd]);
});

Deno.test("--cache-dir: permissions, symbolic links and --lookup-attribute", async (t) => {
  const now = Date.now();
  const east = syntheticEvents(20, now - MINUTE, MINUTE);
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": east.events } });
  await t.step("a folder outside the task's permissions: a one-line error, exit 1", async () => {
    const result = await world.run(["--cache-dir", "/var/tmp/not-granted-cache", "--lookup-rate", "20"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: Cannot use the cache folder '\/var\/tmp\/not-granted-cache': this command may use only/m,
    );
  });
  await t.step("a folder below the working folder works, private", async () => {
    const result = await world.run(["--cache-dir", "cache", "--lookup-rate", "20"]);
    assert.equal(result.code, 0, result.stderr);
    await takeSummary(world);
    assert.equal((await Deno.stat(join(world.workingDirectory, "cache", ACCOUNT))).mode! & 0o777, 0o700);
    assert.equal(
      (await Deno.stat(join(world.workingDirectory, "cache", ACCOUNT, "us-east-1", "index.json"))).mode! & 0o777,
      0o600,
    );
  });
  await t.step("a symbolic link in the cache is not followed", async () => {
    const elsewhere = join(world.workingDirectory, "elsewhere");
    await Deno.mkdir(join(world.workingDirectory, "linked", ACCOUNT), { recursive: true });
    await Deno.mkdir(elsewhere);
    await Deno.symlink(elsewhere, join(world.workingDirectory, "linked", ACCOUNT, "us-east-1"));
    const result = await world.run(["--cache-dir", "linked", "--lookup-rate", "20"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^cache: not using the cache for us-east-1: .* is a symbolic link/m);
    assertExact(await takeSummary(world), east.records.map((record) => ({ record, region: "us-east-1" })));
    assert.deepEqual(await Array.fromAsync(Deno.readDir(elsewhere)), [], "nothing written through the link");
  });
  await t.step("--lookup-attribute reads past the cache and leaves it alone", async () => {
    const result = await world.run([
      "--cache-dir",
      "attribute-cache",
      "--lookup-rate",
      "20",
      "--lookup-attribute",
      "EventName=ListUsers",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /the cache is not used for a filtered read/);
    assert.deepEqual(
      await Array.fromAsync(Deno.readDir(join(world.workingDirectory, "attribute-cache"))).catch(() => []),
      [],
    );
  });
});
