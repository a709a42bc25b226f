import assert from "node:assert/strict";
import { LookupEventsSource, type LookupEventsSourceOptions } from "../../src/sources/lookup_events.ts";
import type { SourceEvent } from "../../src/summary/types.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import { awsError, ScriptedAws, scriptedEvents } from "../fakes/scripted_aws.ts";

const END = Date.UTC(2026, 0, 10);
const START = END - 14 * 24 * 3600_000;

function source(aws: ScriptedAws, clock: FakeClock, overrides: Partial<LookupEventsSourceOptions> = {}) {
  return new LookupEventsSource({
    apis: aws,
    clock,
    regions: ["eu-west-1", "us-east-1"],
    startTime: new Date(START),
    endTime: new Date(END),
    ratePerSecond: 2,
    burst: 1,
    random: () => 0.5,
    ...overrides,
  });
}

async function readAll(eventSource: LookupEventsSource, signal = new AbortController().signal) {
  const events: SourceEvent[] = [];
  await eventSource.read((page) => {
    events.push(...page);
  }, signal);
  return events;
}

function idsOf(events: SourceEvent[], region: string): string[] {
  return events.filter((event) => event.region === region).map((event) => event.eventId ?? "");
}

Deno.test("LookupEventsSource.read() pages every region to the end, in order, paced at the rate", async () => {
  const aws = new ScriptedAws({
    "eu-west-1": scriptedEvents("eu", 120, END),
    "us-east-1": scriptedEvents("us", 30, END),
  });
  const clock = new FakeClock(END);
  const eventSource = source(aws, clock);
  const events = await readAll(eventSource);
  assert.deepEqual(idsOf(events, "eu-west-1"), scriptedEvents("eu", 120, END).map((event) => event.eventId));
  assert.equal(idsOf(events, "us-east-1").length, 30);
  assert.deepEqual(eventSource.partitions.map((partition) => [partition.status, partition.pages]), [
    ["complete", 3],
    ["complete", 1],
  ]);
  // 3 pages in one region: two waits of one interval (plus the safety margin) each.
  assert.ok(clock.sleeps.every((sleep) => sleep > 500 && sleep < 510), `sleeps ${clock.sleeps}`);
});

Deno.test("LookupEventsSource.read() retries a throttled page with the same token and slows down", async () => {
  const aws = new ScriptedAws({ "eu-west-1": scriptedEvents("eu", 100, END), "us-east-1": [] });
  aws.failNext("eu-west-1", awsError("ThrottlingException", 400), awsError("ThrottlingException", 400));
  const eventSource = source(aws, new FakeClock(END));
  const events = await readAll(eventSource);
  assert.equal(idsOf(events, "eu-west-1").length, 100);
  assert.equal(new Set(idsOf(events, "eu-west-1")).size, 100);
  assert.equal(eventSource.partitions[0]!.throttled, 2);
  const euCalls = aws.calls.filter((call) => call.region === "eu-west-1");
  assert.deepEqual(euCalls.map((call) => call.request.nextToken), [undefined, undefined, undefined, "50"]);
});

Deno.test("LookupEventsSource.read() retries transient faults with backoff, then fails the region cleanly", async (t) => {
  await t.step("recovers after a few 500s", async () => {
    const aws = new ScriptedAws({ "eu-west-1": scriptedEvents("eu", 60, END), "us-east-1": [] });
    aws.failNext("eu-west-1", awsError("InternalFailure", 500), awsError("ServiceUnavailable", 503));
    const clock = new FakeClock(END);
    const eventSource = source(aws, clock);
    assert.equal(idsOf(await readAll(eventSource), "eu-west-1").length, 60);
    assert.equal(eventSource.partitions[0]!.retries, 2);
    assert.ok(clock.sleeps.includes(750) && clock.sleeps.includes(1500), `backoff sleeps ${clock.sleeps}`);
  });
  await t.step("fails with the error code when faults go on, while other regions complete", async () => {
    const aws = new ScriptedAws({
      "eu-west-1": scriptedEvents("eu", 60, END),
      "us-east-1": scriptedEvents("us", 5, END),
    });
    aws.failNext("eu-west-1", ...Array.from({ length: 10 }, () => awsError("InternalFailure", 500)));
    const eventSource = source(aws, new FakeClock(END));
    const events = await readAll(eventSource);
    assert.deepEqual(eventSource.partitions.map((partition) => [partition.status, partition.errorCode]), [
      ["failed", "InternalFailure"],
      ["complete", undefined],
    ]);
    assert.equal(idsOf(events, "us-east-1").length, 5);
  });
});

Deno.test("LookupEventsSource.read() fails a region that denies access and finishes the others", async () => {
  const aws = new ScriptedAws({
    "eu-west-1": scriptedEvents("eu", 10, END),
    "us-east-1": scriptedEvents("us", 10, END),
  });
  aws.failNext("eu-west-1", awsError("AccessDeniedException", 400));
  const eventSource = source(aws, new FakeClock(END));
  const events = await readAll(eventSource);
  assert.equal(eventSource.partitions[0]!.errorCode, "AccessDeniedException");
  assert.equal(idsOf(events, "us-east-1").length, 10);
  assert.equal(aws.calls.filter((call) => call.region === "eu-west-1").length, 1);
});

Deno.test("LookupEventsSource.read() refreshes credentials after ExpiredTokenException and goes on", async () => {
  const aws = new ScriptedAws({ "eu-west-1": scriptedEvents("eu", 80, END), "us-east-1": [] });
  aws.failNext("eu-west-1", awsError("ExpiredTokenException", 400));
  const eventSource = source(aws, new FakeClock(END));
  assert.equal(idsOf(await readAll(eventSource), "eu-west-1").length, 80);
  assert.equal(aws.credentialRefreshes, 1);
});

Deno.test("LookupEventsSource.read() restarts from the oldest event time after an invalid token, losing and doubling nothing", async () => {
  // Five events share each second, so a page boundary falls inside a second.
  const all = scriptedEvents("eu", 137, END, 5);
  const aws = new ScriptedAws({ "eu-west-1": all, "us-east-1": [] });
  let served = 0;
  const original = aws.eventHistory.bind(aws);
  aws.eventHistory = (region: string) => {
    const history = original(region);
    return {
      lookupEvents: async (request, options) => {
        served += 1;
        if (region === "eu-west-1" && served === 2) throw awsError("InvalidNextTokenException", 400);
        return await history.lookupEvents(request, options);
      },
    };
  };
  const eventSource = source(aws, new FakeClock(END));
  const ids = idsOf(await readAll(eventSource), "eu-west-1");
  assert.deepEqual([...ids].sort(), all.map((event) => event.eventId).sort());
  assert.equal(eventSource.partitions[0]!.status, "complete");
});

Deno.test("LookupEventsSource.read() stops when interrupted and marks regions interrupted", async () => {
  const aws = new ScriptedAws({
    "eu-west-1": scriptedEvents("eu", 500, END),
    "us-east-1": scriptedEvents("us", 500, END),
  });
  const controller = new AbortController();
  const eventSource = source(aws, new FakeClock(END));
  let pages = 0;
  await eventSource.read(() => {
    pages += 1;
    if (pages === 3) controller.abort(new Error("interrupted"));
  }, controller.signal);
  assert.deepEqual(eventSource.partitions.map((partition) => partition.status), ["interrupted", "interrupted"]);
  assert.ok(eventSource.partitions.every((partition) => partition.oldestEventTimeMs !== undefined));
});

/** A connection that got no HTTP answer, as the SDK's HTTP handler throws it. */
function connectionRefused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" });
}

Deno.test("LookupEventsSource.read() waits out an outage of minutes, saying so, and reads everything after", async () => {
  const aws = new ScriptedAws({ "eu-west-1": scriptedEvents("eu", 100, END), "us-east-1": [] });
  aws.failNext("eu-west-1", ...Array.from({ length: 12 }, connectionRefused));
  const clock = new FakeClock(END);
  const eventSource = source(aws, clock);
  const waits: string[] = [];
  const originalSleep = clock.sleep.bind(clock);
  clock.sleep = (milliseconds, signal) => {
    const waiting = eventSource.partitions[0]!.waitingFor;
    if (waiting !== undefined) waits.push(waiting);
    return originalSleep(milliseconds, signal);
  };
  const events = await readAll(eventSource);
  assert.equal(idsOf(events, "eu-west-1").length, 100);
  const [region] = eventSource.partitions;
  assert.equal(region!.status, "complete");
  assert.equal(region!.waitingFor, undefined);
  assert.equal(waits.length, 12);
  assert.match(waits[0]!, /^ConnectionRefused: retrying in 1 s \(gives up after 5 min without a connection\)$/);
  assert.match(waits.at(-1)!, /retrying in 30 s/, "backoff is capped");
  assert.ok(clock.now() - END > 3 * 60_000, "the outage lasted minutes");
});

Deno.test("LookupEventsSource.read() gives a region up after 5 minutes without a connection, naming the cause", async () => {
  const aws = new ScriptedAws({
    "eu-west-1": scriptedEvents("eu", 100, END),
    "us-east-1": scriptedEvents("us", 10, END),
  });
  aws.failNext("eu-west-1", ...Array.from({ length: 100 }, connectionRefused));
  const eventSource = source(aws, new FakeClock(END));
  const events = await readAll(eventSource);
  assert.deepEqual(eventSource.partitions.map((partition) => [partition.status, partition.errorCode]), [
    ["failed", "ConnectionRefused"],
    ["complete", undefined],
  ]);
  assert.equal(idsOf(events, "us-east-1").length, 10);
});
