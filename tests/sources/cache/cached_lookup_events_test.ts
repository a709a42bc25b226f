import assert from "node:assert/strict";
import { join } from "node:path";
import type { LookupEventsCallOptions, LookupEventsRequest } from "../../../src/aws/clients.ts";
import { CachedLookupEventsSource } from "../../../src/sources/cache/cached_lookup_events.ts";
import { countTrailFile, trailFileBytes } from "../../../src/sources/trail_records.ts";
import type { SourceEvent } from "../../../src/summary/types.ts";
import { FakeClock } from "../../fakes/fake_clock.ts";
import { ScriptedAws, type ScriptedEvent } from "../../fakes/scripted_aws.ts";

const HOUR = 3600_000;
const MINUTE = 60_000;
/** 02:00 UTC: a 6-hour window spans midnight, so the cache writes two day files. */
const T0 = Date.UTC(2026, 11, 4, 2);

/** The scripted AWS, serving records that carry their eventID and eventTime, as CloudTrail's do. */
class RecordServingAws extends ScriptedAws {
  override eventHistory(region: string) {
    const inner = super.eventHistory(region);
    return {
      lookupEvents: async (request: LookupEventsRequest, options?: LookupEventsCallOptions) => {
        const page = await inner.lookupEvents(request, options);
        return {
          ...page,
          events: page.events.map((item) => ({
            ...item,
            cloudTrailEvent: JSON.stringify({
              eventID: item.eventId,
              eventTime: item.eventTime!.toISOString().slice(0, 19) + "Z",
              eventSource: "s3.amazonaws.com",
            }),
          })),
        };
      },
    };
  }
}

function minutelyEvents(prefix: string, fromMs: number, toMs: number): ScriptedEvent[] {
  const events = [];
  for (let time = fromMs; time <= toMs; time += MINUTE) {
    events.push({ eventId: `${prefix}-${time}`, eventTimeMs: time });
  }
  return events;
}

async function runAt(nowMs: number, events: ScriptedEvent[], cacheDirectory: string, pastHours = 6) {
  const aws = new RecordServingAws({ "eu-west-1": events });
  const warnings: string[] = [];
  const source = new CachedLookupEventsSource({
    lookup: {
      apis: aws,
      clock: new FakeClock(nowMs),
      regions: ["eu-west-1"],
      startTime: new Date(nowMs - pastHours * HOUR),
      endTime: new Date(nowMs),
      ratePerSecond: 2,
      burst: 1,
    },
    cacheDirectory,
    accountId: "111122223333",
    warn: (line) => warnings.push(line),
  });
  const handed: SourceEvent[] = [];
  await source.read((page) => {
    handed.push(...page);
  }, new AbortController().signal);
  const windows = [
    ...new Set(
      aws.calls.map((call) => `${call.request.startTime.toISOString()} ${call.request.endTime.toISOString()}`),
    ),
  ];
  return { source, handed, windows, warnings, report: source.report()["eu-west-1"]! };
}

function idsIn(events: ScriptedEvent[], fromMs: number, toMs: number): string[] {
  return events.filter((event) => event.eventTimeMs >= fromMs && event.eventTimeMs <= toMs)
    .map((event) => event.eventId).sort();
}

const iso = (timeMs: number) => new Date(timeMs).toISOString();

/** Every `.jsonl.gz` file below a folder. */
async function recordFiles(folder: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) files.push(...await recordFiles(path));
    else if (entry.name.endsWith(".jsonl.gz")) files.push(path);
  }
  return files;
}

Deno.test("the cache fetches only the gaps, re-fetches the late-delivery margin and counts every event once", async (t) => {
  const directory = await Deno.makeTempDir({ prefix: "cache-unit-" });
  try {
    const events = minutelyEvents("a", T0 - 8 * HOUR, T0);
    const first = await runAt(T0, events, directory);
    await t.step("the first run fetches the whole window and keeps all but its newest 20 minutes", async () => {
      assert.deepEqual(first.windows, [`${iso(T0 - 6 * HOUR)} ${iso(T0 + 1)}`]);
      assert.deepEqual(first.handed.map((event) => event.eventId).sort(), idsIn(events, T0 - 6 * HOUR, T0));
      assert.equal(first.report.recordsFromCache, 0);
      assert.equal(first.report.recordsFetched, 361);
      const index = JSON.parse(await Deno.readTextFile(join(directory, "111122223333", "eu-west-1", "index.json")));
      assert.deepEqual(index.segments.map((segment: { covered: string[][] }) => segment.covered), [
        [[iso(T0 - 6 * HOUR), iso(Date.UTC(2026, 11, 4))]],
        [[iso(Date.UTC(2026, 11, 4)), iso(T0 - 20 * MINUTE)]],
      ]);
      assert.deepEqual(first.warnings, []);
    });

    await t.step("the record files, read as trail files, hold exactly the covered events", async () => {
      const ids: string[] = [];
      const receiver = {
        addRecord: (record: Record<string, unknown>) => void ids.push(String(record.eventID)),
        addUnreadable: () => assert.fail("an unreadable record"),
      };
      const filter = {
        windowStartMs: undefined,
        windowEndMs: undefined,
        includeDataEvents: false,
        accounts: undefined,
        regions: undefined,
      };
      for (const path of await recordFiles(join(directory, "111122223333"))) {
        const tally = countTrailFile(trailFileBytes(await Deno.readFile(path)), filter, receiver);
        assert.equal(tally.kind, "lines");
      }
      assert.deepEqual(ids.sort(), idsIn(events, T0 - 6 * HOUR, T0 - 20 * MINUTE - 1));
    });

    // An hour later: new events, a late one inside the old margin, one exactly on the covered edge.
    const later = [
      ...events,
      ...minutelyEvents("b", T0 + MINUTE, T0 + HOUR),
      { eventId: "late", eventTimeMs: T0 - 5 * MINUTE - 1000 },
      { eventId: "edge", eventTimeMs: T0 - 20 * MINUTE },
    ];
    const second = await runAt(T0 + HOUR, later, directory);
    await t.step("a re-run asks only from the covered edge on and counts nothing twice", () => {
      assert.deepEqual(second.windows, [`${iso(T0 - 20 * MINUTE)} ${iso(T0 + HOUR + 1)}`]);
      const ids = second.handed.map((event) => event.eventId!);
      assert.equal(new Set(ids).size, ids.length, "no event twice");
      assert.deepEqual(ids.sort(), idsIn(later, T0 - 5 * HOUR, T0 + HOUR));
      assert.ok(ids.includes("late") && ids.includes("edge"));
      assert.equal(second.report.recordsFromCache, idsIn(later, T0 - 5 * HOUR, T0 - 20 * MINUTE - 1).length);
    });

    await t.step("an earlier window start fetches only what lies before the cached part", async () => {
      const third = await runAt(T0 + HOUR, later, directory, 8);
      assert.deepEqual(third.windows, [
        `${iso(T0 + 40 * MINUTE)} ${iso(T0 + HOUR + 1)}`,
        `${iso(T0 - 7 * HOUR)} ${iso(T0 - 6 * HOUR)}`,
      ]);
      assert.deepEqual(third.handed.map((event) => event.eventId!).sort(), idsIn(later, T0 - 7 * HOUR, T0 + HOUR));
    });

    await t.step("a damaged record file: one warning, its interval fetched again, exact result", async () => {
      const regionFolder = join(directory, "111122223333", "eu-west-1");
      const dayFolder = join(regionFolder, "2026-12-03");
      const damaged = (await Array.fromAsync(Deno.readDir(dayFolder))).find((file) =>
        file.name.startsWith("200000000-")
      );
      await Deno.writeFile(join(dayFolder, damaged!.name), new TextEncoder().encode("not gzip"));
      const fourth = await runAt(T0 + HOUR, later, directory, 8);
      assert.equal(fourth.warnings.length, 1, fourth.warnings.join("\n"));
      assert.match(fourth.warnings[0]!, /^cache: ignoring damaged file .*2026-12-03.*; fetching .* again$/);
      assert.deepEqual(fourth.windows, [
        `${iso(T0 + 40 * MINUTE)} ${iso(T0 + HOUR + 1)}`,
        `${iso(T0 - 6 * HOUR)} ${iso(Date.UTC(2026, 11, 4))}`,
      ]);
      assert.deepEqual(fourth.handed.map((event) => event.eventId!).sort(), idsIn(later, T0 - 7 * HOUR, T0 + HOUR));
      const fifth = await runAt(T0 + HOUR, later, directory, 8);
      assert.deepEqual(fifth.warnings, [], "the damaged file was replaced");
    });

    await t.step("files are 0600 and folders 0700", async () => {
      const regionFolder = join(directory, "111122223333", "eu-west-1");
      assert.equal((await Deno.stat(regionFolder)).mode! & 0o777, 0o700);
      assert.equal((await Deno.stat(join(regionFolder, "index.json"))).mode! & 0o777, 0o600);
      for await (const day of Deno.readDir(regionFolder)) {
        if (!/^\d{4}-/.test(day.name)) continue;
        assert.equal((await Deno.stat(join(regionFolder, day.name))).mode! & 0o777, 0o700);
        for await (const file of Deno.readDir(join(regionFolder, day.name))) {
          assert.equal((await Deno.stat(join(regionFolder, day.name, file.name))).mode! & 0o777, 0o600);
        }
      }
    });
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("two sources at once on one cache: the later commit keeps only what is still uncovered", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cache-unit-" });
  try {
    const events = minutelyEvents("c", T0 - 8 * HOUR, T0 + HOUR);
    const [early, late] = await Promise.all([runAt(T0, events, directory), runAt(T0 + HOUR, events, directory)]);
    assert.deepEqual(early.handed.map((event) => event.eventId).sort(), idsIn(events, T0 - 6 * HOUR, T0));
    assert.deepEqual(late.handed.map((event) => event.eventId).sort(), idsIn(events, T0 - 5 * HOUR, T0 + HOUR));
    const index = JSON.parse(await Deno.readTextFile(join(directory, "111122223333", "eu-west-1", "index.json")));
    const covered = index.segments.flatMap((segment: { covered: string[][] }) => segment.covered)
      .map(([from, to]: string[]) => [Date.parse(from!), Date.parse(to!)]).sort((a: number[], b: number[]) =>
        a[0]! - b[0]!
      );
    for (let position = 1; position < covered.length; position++) {
      assert.ok(covered[position][0] >= covered[position - 1][1], `no overlap: ${JSON.stringify(covered)}`);
    }
    const again = await runAt(T0 + HOUR, events, directory);
    assert.deepEqual(again.warnings, []);
    assert.deepEqual(again.windows, [`${iso(T0 + 40 * MINUTE)} ${iso(T0 + HOUR + 1)}`]);
    assert.deepEqual(again.handed.map((event) => event.eventId).sort(), idsIn(events, T0 - 5 * HOUR, T0 + HOUR));
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("segments older than 90 days are pruned, index first, then their files", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cache-unit-" });
  try {
    const later = T0 + 91 * 24 * HOUR;
    const events = [...minutelyEvents("old", T0 - 6 * HOUR, T0), ...minutelyEvents("new", later - HOUR, later)];
    await runAt(T0, events, directory);
    const regionFolder = join(directory, "111122223333", "eu-west-1");
    assert.ok(await Deno.stat(join(regionFolder, "2026-12-03")));
    const recent = await runAt(later, events, directory);
    assert.deepEqual(recent.handed.map((event) => event.eventId).sort(), idsIn(events, later - 6 * HOUR, later));
    const index = JSON.parse(await Deno.readTextFile(join(regionFolder, "index.json")));
    assert.ok(index.segments.every((segment: { covered: string[][] }) => Date.parse(segment.covered[0]![0]!) > T0));
    await assert.rejects(Deno.stat(join(regionFolder, "2026-12-03")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("an interrupted region keeps only the time newer than the oldest event it fetched", async () => {
  const directory = await Deno.makeTempDir({ prefix: "cache-unit-" });
  try {
    const events = minutelyEvents("i", T0 - 6 * HOUR, T0);
    const aws = new RecordServingAws({ "eu-west-1": events });
    const controller = new AbortController();
    let pages = 0;
    const source = new CachedLookupEventsSource({
      lookup: {
        apis: aws,
        clock: new FakeClock(T0),
        regions: ["eu-west-1"],
        startTime: new Date(T0 - 6 * HOUR),
        endTime: new Date(T0),
        ratePerSecond: 2,
        burst: 1,
      },
      cacheDirectory: directory,
      accountId: "111122223333",
      warn: (line) => assert.fail(line),
    });
    const handed: SourceEvent[] = [];
    await source.read((page) => {
      handed.push(...page);
      if (++pages === 3) controller.abort();
    }, controller.signal);
    assert.equal(source.partitions[0]!.status, "interrupted");
    const oldest = Math.min(...handed.map((event) => event.eventTime!.getTime()));
    const index = JSON.parse(await Deno.readTextFile(join(directory, "111122223333", "eu-west-1", "index.json")));
    const covered = index.segments.flatMap((segment: { covered: string[][] }) => segment.covered);
    const midnight = Date.UTC(2026, 11, 4);
    assert.ok(oldest < midnight, "three pages reach back past midnight");
    assert.deepEqual(covered, [[iso(oldest + 1000), iso(midnight)], [iso(midnight), iso(T0 - 20 * MINUTE)]]);
    const next = await runAt(T0, events, directory);
    assert.deepEqual(next.windows.slice(-1), [`${iso(T0 - 6 * HOUR)} ${iso(oldest + 1000)}`]);
    assert.deepEqual(next.handed.map((event) => event.eventId).sort(), idsIn(events, T0 - 6 * HOUR, T0));
    assert.deepEqual(next.warnings, []);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});
