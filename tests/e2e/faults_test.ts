/**
 * Issue "never losing an event": every fault the emulator can inject, on its own
 * and all together, with exact counts (nothing lost, nothing doubled).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { referenceSections } from "../support/reference_summary.ts";
import { scenario, syntheticEvents } from "./scenario.ts";

const FAST = ["--lookup-rate", "20", "--past-hours", "48"];

async function faultScenario(eastCount = 400, westCount = 180) {
  const now = Date.now();
  // Three events share each second, so restarts hit page boundaries inside a second.
  const east = syntheticEvents(eastCount, now - 5000, 333);
  const west = syntheticEvents(westCount, now - 5000, 1000, 10_000);
  const world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: { "us-east-1": east.events, "eu-west-1": west.events },
  });
  const expected = referenceSections([
    ...east.records.map((record) => ({ record, region: "us-east-1" })),
    ...west.records.map((record) => ({ record, region: "eu-west-1" })),
  ]);
  return { world, expected, total: eastCount + westCount };
}

async function assertExact(
  world: Awaited<ReturnType<typeof faultScenario>>["world"],
  expected: ReturnType<typeof referenceSections>,
  total: number,
) {
  const summary = await world.summary();
  assert.deepEqual(summary._metadata.regions_failed, {});
  assert.equal(summary._metadata.records_read, total, "nothing lost, nothing doubled");
  for (const section of Object.keys(expected) as (keyof typeof expected)[]) {
    assert.deepEqual(summary[section], expected[section], section);
  }
  return summary;
}

Deno.test("summarize recovers from a throttling storm without losing or doubling events", async () => {
  const { world, expected, total } = await faultScenario();
  await using _ = world;
  world.emulator.faults("us-east-1").throttles = 25;
  const result = await world.run(FAST);
  assert.equal(result.code, 0, result.stderr);
  const summary = await assertExact(world, expected, total);
  const coverage = summary._metadata.regions_coverage as Record<string, { throttled: number }>;
  assert.equal(coverage["us-east-1"]!.throttled, 25);
});

Deno.test("summarize retries HTTP 5xx (SDK retries, then ours) and timeouts", async (t) => {
  await t.step("500s and 503s", async () => {
    const { world, expected, total } = await faultScenario();
    await using _ = world;
    world.emulator.faults("us-east-1").serverErrors = 4;
    world.emulator.faults("eu-west-1").serverErrors = 2;
    world.emulator.faults("eu-west-1").serverErrorStatus = 503;
    const result = await world.run(FAST);
    assert.equal(result.code, 0, result.stderr);
    const summary = await assertExact(world, expected, total);
    // Every attempt after a page's first is a retry, the SDK's own included (a throttled one is counted as throttled).
    const coverage = summary._metadata.regions_coverage as Record<string, { retries: number; throttled: number }>;
    for (const region of ["us-east-1", "eu-west-1"]) {
      const stats = world.emulator.stats(region);
      assert.equal(coverage[region]!.retries + coverage[region]!.throttled, stats.requests - stats.pages, region);
      assert.ok(coverage[region]!.retries >= (region === "us-east-1" ? 4 : 2), region);
    }
  });
  await t.step("a request that never answers", async () => {
    const { world, expected, total } = await faultScenario();
    await using _ = world;
    world.emulator.faults("us-east-1").hangs = 1;
    const result = await world.run([...FAST, "--request-timeout", "1"]);
    assert.equal(result.code, 0, result.stderr);
    await assertExact(world, expected, total);
  });
  await t.step("a region whose requests never answer fails as a timeout, not an abort", async () => {
    const { world } = await faultScenario(20, 60);
    await using _ = world;
    world.emulator.faults("us-east-1").hangs = 1000;
    const result = await world.run([...FAST, "--request-timeout", "1"]);
    assert.equal(result.code, 3, result.stderr);
    const summary = await world.summary();
    assert.deepEqual(summary._metadata.regions_failed, { "us-east-1": "RequestTimeout" });
    assert.deepEqual(summary._metadata.regions_read, ["eu-west-1"], "a failed region is not listed as read");
    assert.match(result.stderr, /1 of 2 regions failed: us-east-1/);
  });
  await t.step("a region whose faults go on fails cleanly; the other completes", async () => {
    const { world } = await faultScenario(20, 60);
    await using _ = world;
    world.emulator.faults("us-east-1").serverErrors = 1000;
    const result = await world.run(FAST);
    assert.equal(result.code, 3, result.stderr);
    const summary = await world.summary();
    assert.deepEqual(summary._metadata.regions_failed, { "us-east-1": "InternalFailure" });
    assert.equal(summary._metadata.records_read, 60);
  });
});

Deno.test("summarize refreshes expired credentials through the provider chain mid-run", async () => {
  const { world, expected, total } = await faultScenario();
  await using _ = world;
  const renewed = { accessKeyId: `${world.credentials.accessKeyId}R`, secretAccessKey: "renewed-test-secret" };
  const credentialsFile = join(world.home, ".aws", "credentials");
  const writeProfile = (keys: { accessKeyId: string; secretAccessKey: string }) =>
    Deno.writeTextFileSync(
      credentialsFile,
      `[audit]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`,
    );
  await Deno.mkdir(join(world.home, ".aws"));
  writeProfile(world.credentials);
  const hook = (region: string, requestNumber: number) => {
    if (region === "us-east-1" && requestNumber === 3) {
      // The old keys expire and new ones appear in the credentials file, as `aws sso login` or a rotation would do.
      writeProfile(renewed);
      world.emulator.acceptAccessKey(renewed.accessKeyId);
      world.emulator.expireAccessKey(world.credentials.accessKeyId);
    }
  };
  setLookupHook(world, hook);
  const result = await world.run([...FAST, "--profile", "audit"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
  assert.equal(result.code, 0, result.stderr);
  await assertExact(world, expected, total);
});

Deno.test("summarize restarts a region after an invalid NextToken from the oldest event counted", async () => {
  const { world, expected, total } = await faultScenario();
  await using _ = world;
  setLookupHook(world, (region, requestNumber) => {
    if (region === "us-east-1" && (requestNumber === 3 || requestNumber === 6)) {
      world.emulator.faults("us-east-1").invalidateNextToken = true;
    }
  });
  const result = await world.run(FAST);
  assert.equal(result.code, 0, result.stderr);
  const summary = await assertExact(world, expected, total);
  const coverage = summary._metadata.regions_coverage as Record<string, { retries: number }>;
  assert.equal(coverage["us-east-1"]!.retries, 2);
});

Deno.test("summarize waits for a slow region and counts everything", async () => {
  const { world, expected, total } = await faultScenario(120, 120);
  await using _ = world;
  world.emulator.faults("eu-west-1").latencyMs = 400;
  const result = await world.run(FAST);
  assert.equal(result.code, 0, result.stderr);
  await assertExact(world, expected, total);
});

Deno.test("summarize survives every fault at once with exact counts", async () => {
  const { world, expected, total } = await faultScenario();
  await using _ = world;
  const east = world.emulator.faults("us-east-1");
  const west = world.emulator.faults("eu-west-1");
  east.throttles = 10;
  west.serverErrors = 3;
  west.latencyMs = 150;
  setLookupHook(world, (region, requestNumber) => {
    if (region === "us-east-1" && requestNumber === 15) east.invalidateNextToken = true;
    if (region === "us-east-1" && requestNumber === 20) east.hangs = 1;
    if (region === "eu-west-1" && requestNumber === 6) west.throttles = 5;
  });
  const result = await world.run([...FAST, "--request-timeout", "1"]);
  assert.equal(result.code, 0, result.stderr);
  await assertExact(world, expected, total);
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.test(`summarize stops on ${signal}, writes the partial summary marked incomplete and exits 130`, {
    ignore: Deno.build.os === "windows",
  }, async () => {
    const { world } = await faultScenario(2000, 2000);
    await using _ = world;
    let pagesServed = 0;
    let interrupt: () => void = () => {};
    const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
    setLookupHook(world, () => {
      pagesServed += 1;
      if (pagesServed === 12) interrupt();
    });
    const child = world.spawn(["--lookup-rate", "10", "--dump-raw-cloudtrail-data"]);
    await interrupted;
    child.kill(signal);
    const output = await child.output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 130, stderr);
    assert.match(stderr, /Interrupted/);
    const summary = await world.summary();
    assert.equal(summary._metadata.incomplete, true);
    const read = summary._metadata.records_read as number;
    assert.ok(read > 0 && read < 4000, `partial: ${read}`);
    const coverage = summary._metadata.regions_coverage as Record<string, Record<string, unknown>>;
    for (const region of ["us-east-1", "eu-west-1"]) {
      assert.equal(coverage[region]!.status, "interrupted");
      assert.match(String(coverage[region]!.covered_from_timestamp), /^\d{14}$/);
    }
    const dumpDirectory = join(
      world.resultsDirectory,
      `account_activity_111122223333_${summary._metadata.run_timestamp}_raw_cloudtrail_data`,
    );
    let dumped = 0;
    for (const region of ["us-east-1", "eu-west-1"]) {
      dumped += (await Deno.readTextFile(join(dumpDirectory, `${region}.jsonl`))).split("\n").length - 1;
    }
    assert.equal(dumped, read, "the raw dump holds exactly what was counted");
  });
}

/** Installs a hook the emulator calls on each LookupEvents request. */
function setLookupHook(
  world: Awaited<ReturnType<typeof faultScenario>>["world"],
  hook: (region: string, requestNumber: number) => void,
) {
  world.emulator.onLookupEvents = hook;
}
