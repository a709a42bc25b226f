import assert from "node:assert/strict";
import { join } from "node:path";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { scenario, syntheticEvents } from "./scenario.ts";

function assertSections(summary: Record<string, unknown>, expected: ReturnType<typeof referenceSections>) {
  for (const section of SECTION_NAMES) assert.deepEqual(summary[section], expected[section], section);
}

Deno.test("summarize writes the exact summary of several regions with paging, for every activity type", async (t) => {
  const now = Date.now();
  const east = syntheticEvents(1130, now - 60_000, 7_000);
  const west = syntheticEvents(75, now - 120_000, 60_000, 5000);
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1", "us-west-2"],
    events: { "us-east-1": east.events, "eu-west-1": west.events },
  });
  const labelled = [
    ...east.records.map((record) => ({ record, region: "us-east-1" })),
    ...west.records.map((record) => ({ record, region: "eu-west-1" })),
  ];
  for (const activityType of ["ALL", "SUCCESSFUL", "FAILED"] as const) {
    await t.step(activityType, async () => {
      await Deno.remove(world.resultsDirectory, { recursive: true }).catch(() => {});
      const result = await world.run(["--activity-type", activityType, "--lookup-rate", "20", "--past-hours", "24"]);
      assert.equal(result.code, 0, result.stderr);
      const summary = await world.summary();
      assertSections(summary, referenceSections(labelled, activityType));
      const metadata = summary._metadata;
      assert.equal(metadata.account_id, "111122223333");
      assert.equal(metadata.account_principal, "arn:aws:iam::111122223333:user/emulated-auditor");
      assert.equal(metadata.activity_type, activityType);
      assert.deepEqual(metadata.regions_enabled, ["eu-west-1", "us-east-1", "us-west-2"]);
      assert.deepEqual(metadata.regions_failed, {});
      assert.equal(metadata.records_read, 1205);
      assert.equal(metadata.records_unreadable, 0);
      assert.equal(metadata.records_with_unrecognized_identity, 241, "every fifth record has type Martian");
      assert.equal(metadata.incomplete, false);
      const analyzed = metadata.cloudtrail_data_analyzed as Record<string, string>;
      assert.equal(analyzed.to_timestamp, metadata.run_timestamp);
      assert.match(
        metadata.invocation as string,
        /^aws-summarize-account-activity --activity-type \w+ --lookup-rate 20/,
      );
      assert.equal(
        result.stdout.trim(),
        join(world.resultsDirectory, `account_activity_111122223333_${metadata.run_timestamp}.json`),
      );
    });
  }
  assert.ok(world.emulator.stats("us-east-1").pages >= 23, "1130 events take 23 pages");
});

Deno.test("summarize --dump-raw-cloudtrail-data writes every record exactly as served, mode 0600", async () => {
  const now = Date.now();
  const { events } = syntheticEvents(130, now - 1000, 1000);
  await using world = await scenario({ regions: ["us-east-1", "eu-west-1"], events: { "us-east-1": events } });
  const result = await world.run(["--dump-raw-cloudtrail-data", "--activity-type", "FAILED", "--lookup-rate", "20"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  const dumpDirectory = join(
    world.resultsDirectory,
    `account_activity_111122223333_${summary._metadata.run_timestamp}_raw_cloudtrail_data`,
  );
  const lines = (await Deno.readTextFile(join(dumpDirectory, "us-east-1.jsonl"))).split("\n");
  assert.equal(lines.pop(), "", "ends with a newline");
  assert.deepEqual(
    lines,
    events.map((event) => event.cloudTrailEvent),
    "every record, newest first, before the filter",
  );
  assert.equal((await Deno.stat(join(dumpDirectory, "us-east-1.jsonl"))).mode! & 0o777, 0o600);
  assert.deepEqual(await Deno.readTextFile(join(dumpDirectory, "eu-west-1.jsonl")).catch(() => "absent"), "absent");
});

Deno.test("summarize records a region that denies access in regions_failed, finishes the others and exits 3", async () => {
  const now = Date.now();
  const east = syntheticEvents(60, now - 1000, 1000);
  const west = syntheticEvents(10, now - 1000, 1000, 100);
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: { "us-east-1": east.events, "eu-west-1": west.events },
  });
  world.emulator.faults("eu-west-1").accessDenied = true;
  const result = await world.run(["--lookup-rate", "20"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /1 of 2 regions failed: eu-west-1/);
  const summary = await world.summary();
  assert.deepEqual(summary._metadata.regions_failed, { "eu-west-1": "AccessDeniedException" });
  assertSections(summary, referenceSections(east.records.map((record) => ({ record, region: "us-east-1" }))));
});

Deno.test("summarize rejects bad flags with exit 2 and writes nothing", async (t) => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const cases: [string[], RegExp][] = [
    [["--past-hours", "3000"], /error: Invalid value '3000' for --past-hours: use a whole number from 1 to 2160/],
    [["--activity-type", "some"], /--activity-type: use one of ALL, SUCCESSFUL, FAILED/],
    [["--nonsense"], /Unknown flag '--nonsense'/],
    [["--regions", "eu-central-1"], /Invalid value 'eu-central-1' for --regions: it is not enabled/],
    // Control characters in an error line are shown escaped, never sent raw to the terminal.
    [["--activity-type", "x\u001b[2J\u0007"], /Invalid value 'x\\u001B\[2J\\u0007' for --activity-type/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const result = await world.run(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /^usage: /m);
      assert.equal(result.stdout, "");
      await assert.rejects(Deno.stat(world.resultsDirectory), Deno.errors.NotFound);
    });
  }
});

Deno.test("summarize exits 1 with a clear message without valid credentials or with an unknown profile", async (t) => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  await t.step("no credentials at all", async () => {
    const result = await world.run([], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: No AWS credentials found: set AWS_PROFILE or use --profile/m);
  });
  await t.step("credentials the account does not know", async () => {
    const result = await world.run([], { AWS_ACCESS_KEY_ID: "AKIAUNKNOWN000000000" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: AWS does not accept the credentials \(InvalidClientTokenId\)/m);
  });
  await t.step("a profile that does not exist", async () => {
    const result = await world.run(["--profile", "no-such-profile"]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: Cannot use profile 'no-such-profile': it is in neither the AWS config file/m);
  });
  await t.step("AWS_PROFILE naming a profile that does not exist", async () => {
    const result = await world.run([], { AWS_PROFILE: "typo" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: Cannot use profile 'typo' \(from AWS_PROFILE\): it is in neither the AWS config file '.*\/\.aws\/config'/m,
    );
  });
  await t.step("a profile whose source_profile is missing, and an SSO profile without a token", async () => {
    await Deno.mkdir(join(world.home, ".aws"), { recursive: true });
    await Deno.writeTextFile(
      join(world.home, ".aws", "config"),
      "[profile chained]\nrole_arn = arn:aws:iam::111122223333:role/Audit\nsource_profile = base\n\n" +
        "[profile sso]\nsso_start_url = https://example.awsapps.com/start\nsso_region = us-east-1\n" +
        "sso_account_id = 111122223333\nsso_role_name = Audit\n",
    );
    const chained = await world.run(["--profile", "chained"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    assert.equal(chained.code, 1, chained.stderr);
    assert.match(chained.stderr, /^error: Cannot use profile 'chained': it takes its keys from source_profile 'base'/m);
    const sso = await world.run([], { AWS_PROFILE: "sso", AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    assert.equal(sso.code, 1, sso.stderr);
    assert.match(
      sso.stderr,
      /^error: The SSO session of profile 'sso' \(from AWS_PROFILE\) has no valid token: run 'aws sso login --profile sso'/m,
    );
    await Deno.remove(join(world.home, ".aws"), { recursive: true });
  });
  await t.step("expired keys", async () => {
    world.emulator.expireAccessKey(world.credentials.accessKeyId);
    const result = await world.run([]);
    world.emulator.acceptAccessKey(world.credentials.accessKeyId);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: The AWS credentials have expired \(ExpiredToken(Exception)?\): renew them/m);
  });
  await t.step("a profile from ~/.aws/credentials works", async () => {
    await Deno.mkdir(join(world.home, ".aws"));
    await Deno.writeTextFile(
      join(world.home, ".aws", "credentials"),
      `[audit]\naws_access_key_id = ${world.credentials.accessKeyId}\naws_secret_access_key = ${world.credentials.secretAccessKey}\n`,
    );
    const result = await world.run(["--profile", "audit"], { AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" });
    assert.equal(result.code, 0, result.stderr);
  });
  await assert.rejects(Deno.stat(join(world.resultsDirectory, "nothing")), Deno.errors.NotFound);
});

Deno.test("summarize names itself in the SDK user agent", async () => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const result = await world.run(["--lookup-rate", "20"]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, / in 1 region, /, "one region is not 'regions'");
  assert.ok(
    [...world.emulator.userAgents].some((agent) => agent.includes("aws-summarize-account-activity/0.1.0")),
    [...world.emulator.userAgents].join("\n"),
  );
});

Deno.test("summarize --lookup-attribute filters LookupEvents and records the filter", async () => {
  const now = Date.now();
  const { events, records } = syntheticEvents(120, now - 1000, 1000);
  await using world = await scenario({ regions: ["us-east-1"], events: { "us-east-1": events } });
  const result = await world.run(["--lookup-rate", "20", "--lookup-attribute", "EventName=StopLogging"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  assert.deepEqual(summary._metadata.lookup_attribute, { EventName: "StopLogging" });
  const stopLogging = records.filter((record) => record.eventName === "StopLogging");
  assert.equal(summary._metadata.records_read, stopLogging.length);
  assertSections(summary, referenceSections(stopLogging.map((record) => ({ record, region: "us-east-1" }))));
});

Deno.test("summarize --output-dir writes where asked, relative to the caller's folder, and explains a folder it may not write", async (t) => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  await t.step("relative folder", async () => {
    const result = await world.run(["--lookup-rate", "20", "--output-dir", "out/nested"]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.startsWith(join(world.workingDirectory, "out", "nested", "account_activity_")));
  });
  await t.step("a folder outside the task's write permission", async () => {
    const result = await world.run(["--lookup-rate", "20", "--output-dir", "/proc/no-such-folder"]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: Cannot write to the output folder '\/proc\/no-such-folder': this command may write only/m,
    );
  });
});
