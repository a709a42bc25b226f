/**
 * `--accounts`: several accounts in one run through the real SDK and the emulator's STS AssumeRole
 * and Organizations ListAccounts; each account's summary exact, the roll-up the sum of the parts,
 * accounts read side by side.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { type EmulatorEvent, emulatorEventFromRecord } from "../support/aws_emulator.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { scenario, syntheticRecord } from "./scenario.ts";

const MANAGEMENT = "111122223333";
const MEMBER = "222233334444";
const DENIED = "333344445555";
const SUSPENDED = "444455556666";
const REGIONS = ["eu-west-1", "us-east-1"];

type Json = Record<string, unknown>;
type Labelled = { record: Json; region: string };

/** Synthetic records of one account: the identities carry that account's id. */
function accountEvents(accountId: string, counts: Record<string, number>, firstIndex: number) {
  const now = Date.now();
  const labelled: Labelled[] = [];
  const events: Record<string, EmulatorEvent[]> = {};
  let index = firstIndex;
  for (const [region, count] of Object.entries(counts)) {
    events[region] = [];
    for (let offset = 0; offset < count; offset++, index++) {
      const record = JSON.parse(JSON.stringify(syntheticRecord(index)).replaceAll(MANAGEMENT, accountId));
      labelled.push({ record, region });
      events[region].push(emulatorEventFromRecord(record, now - 1000 - offset * 1000, `${accountId}-${index}`));
    }
  }
  return { labelled, events };
}

async function readJson(path: string): Promise<Json & { _metadata: Json }> {
  return JSON.parse(await Deno.readTextFile(path));
}

function assertSections(summary: Json, expected: ReturnType<typeof referenceSections>, label: string) {
  for (const [section, counts] of Object.entries(expected)) assert.deepEqual(summary[section], counts, label + section);
}

Deno.test("summarize --accounts all reads every active account side by side, reports a denied role per account and rolls up the rest", async () => {
  // The member account is the busiest (21 pages in us-east-1 at the real quota: about 10 s); the others are small.
  const management = accountEvents(MANAGEMENT, { "us-east-1": 300, "eu-west-1": 40 }, 0);
  const member = accountEvents(MEMBER, { "us-east-1": 1020, "eu-west-1": 60 }, 10_000);
  const denied = accountEvents(DENIED, { "us-east-1": 30 }, 20_000);
  await using world = await scenario({
    regions: REGIONS,
    events: management.events,
    quota: { ratePerSecond: 2, burst: 1 },
    accounts: {
      [MEMBER]: { regions: REGIONS, events: member.events, name: "member" },
      [DENIED]: { regions: REGIONS, events: denied.events, name: "invited", denyAssumeRole: true },
      [SUSPENDED]: { regions: REGIONS, events: {}, name: "old", state: "SUSPENDED" },
    },
    organization: { pageSize: 2, emptyPages: 2 },
  });
  const result = await world.run(["--accounts", "all", "--past-hours", "24"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /Account 333344445555 failed: AccessDenied \(sts:AssumeRole\)/);
  assert.match(result.stderr, /OrganizationAccountAccessRole is made automatically only in accounts created through/);

  const written = result.stdout.trim().split("\n");
  assert.equal(written.length, 3, result.stdout);
  const [managementFile, memberFile, rollupFile] = written as [string, string, string];
  assert.match(managementFile, /account_activity_111122223333_\d{14}\.json$/);
  assert.match(memberFile, /account_activity_222233334444_\d{14}\.json$/);
  assert.match(rollupFile, /organization_activity_111122223333_\d{14}\.json$/);

  const managementSummary = await readJson(managementFile);
  const memberSummary = await readJson(memberFile);
  assertSections(managementSummary, referenceSections(management.labelled), "management ");
  assertSections(memberSummary, referenceSections(member.labelled), "member ");
  assert.equal(managementSummary._metadata.account_principal, `arn:aws:iam::${MANAGEMENT}:user/emulated-auditor`);
  assert.equal(
    memberSummary._metadata.account_principal,
    `arn:aws:sts::${MEMBER}:assumed-role/OrganizationAccountAccessRole/aws-summarize-account-activity`,
  );
  assert.deepEqual(memberSummary._metadata.regions_failed, {});

  const rollup = await readJson(rollupFile);
  assertSections(rollup, referenceSections([...management.labelled, ...member.labelled]), "roll-up ");
  const metadata = rollup._metadata;
  assert.equal(metadata.account_id, MANAGEMENT);
  assert.equal(metadata.records_read, 300 + 40 + 1020 + 60);
  assert.equal(metadata.run_timestamp, managementSummary._metadata.run_timestamp);
  assert.deepEqual(metadata.regions_failed, {});
  assert.deepEqual(
    metadata.regions_read,
    REGIONS.flatMap((region) => [`${MANAGEMENT}:${region}`]).concat(
      REGIONS.map((region) => `${MEMBER}:${region}`),
    ),
  );
  const accounts = metadata.accounts as Record<string, Json>;
  assert.deepEqual(Object.keys(accounts), [MANAGEMENT, MEMBER, DENIED, SUSPENDED]);
  assert.deepEqual(
    { ...accounts[MANAGEMENT], summary_file: undefined },
    {
      name: `account-${MANAGEMENT}`,
      status: "complete",
      read_as: "caller",
      regions_failed: {},
      records_read: 340,
      records_counted: 340,
      summary_file: undefined,
    },
  );
  assert.equal(accounts[MEMBER]!.status, "complete");
  assert.equal(accounts[MEMBER]!.read_as, `arn:aws:iam::${MEMBER}:role/OrganizationAccountAccessRole`);
  assert.equal(accounts[MEMBER]!.records_read, 1080);
  assert.equal(accounts[DENIED]!.status, "failed");
  assert.equal(accounts[DENIED]!.error_code, "AccessDenied");
  assert.equal(accounts[DENIED]!.failed_call, "sts:AssumeRole");
  assert.deepEqual(accounts[SUSPENDED], { name: "old", status: "skipped", skip_reason: "SUSPENDED" });

  // The roll-up's principals and findings are the parts' added up (principal keys carry the account).
  const principals = rollup.principals as Record<string, { total_calls: number }>;
  for (const part of [managementSummary, memberSummary]) {
    for (const [principal, row] of Object.entries(part.principals as Record<string, { total_calls: number }>)) {
      assert.ok(principal in principals, principal);
      if (principal.startsWith(MEMBER) || principal.startsWith(MANAGEMENT)) {
        assert.deepEqual(principals[principal], row);
      }
    }
  }
  const totalCalls = (summary: Json) =>
    Object.values(summary.principals as Record<string, { total_calls: number }>)
      .reduce((sum, row) => sum + row.total_calls, 0);
  assert.equal(totalCalls(rollup), totalCalls(managementSummary) + totalCalls(memberSummary));
  const findingCount = (summary: Json, rule: string) =>
    (summary.findings as { rule: string; count: number }[]).filter((finding) => finding.rule === rule)
      .reduce((sum, finding) => sum + finding.count, 0);
  assert.equal(
    findingCount(rollup, "cloudtrail-stop-logging"),
    findingCount(managementSummary, "cloudtrail-stop-logging") + findingCount(memberSummary, "cloudtrail-stop-logging"),
  );
  assert.ok(Array.isArray(rollup.risk) && rollup.risk.length > 0);

  // AssumeRole: never for the caller's own account, never for a suspended one, with the tool's session name.
  const calls = world.emulator.assumeRoleCalls;
  assert.deepEqual(calls.map((call) => call.accountId).sort(), [MEMBER, DENIED]);
  assert.ok(calls.every((call) => call.sessionName === "aws-summarize-account-activity"));
  assert.equal(world.emulator.stats("us-east-1", SUSPENDED).requests, 0);
  assert.equal(world.emulator.stats("us-east-1", DENIED).requests, 0);

  // Side by side: each account's LookupEvents span overlaps the other's (one after the other, they could not).
  const span = (accountId: string) => {
    const times = REGIONS.flatMap((region) => world.emulator.stats(region, accountId).requestTimes);
    return { first: Math.min(...times), last: Math.max(...times) };
  };
  const busiest = span(MEMBER);
  const small = span(MANAGEMENT);
  assert.ok(small.first < busiest.last && busiest.first < small.last, JSON.stringify({ busiest, small }));
  // One bucket per account and region: a bucket shared by two accounts pacing at the quota would refuse about half.
  for (const region of REGIONS) {
    const stats = world.emulator.stats(region, MEMBER);
    assert.ok(stats.throttled * 4 < stats.requests, `${region}: ${stats.throttled} of ${stats.requests} throttled`);
  }
});

Deno.test("summarize --accounts ID,ID reads the named accounts with --role-name and --external-id, leaves out --skip-accounts and renews role credentials before they expire", async () => {
  const member = accountEvents(MEMBER, { "us-east-1": 400 }, 0);
  const other = accountEvents(DENIED, { "eu-west-1": 20 }, 5000);
  await using world = await scenario({
    regions: REGIONS,
    events: {},
    quota: { ratePerSecond: 2, burst: 1 },
    accounts: {
      [MEMBER]: { regions: REGIONS, events: member.events, roleName: "audit/Reader", externalId: "ext-42" },
      [DENIED]: { regions: REGIONS, events: other.events, roleName: "audit/Reader", externalId: "ext-42" },
    },
    // Keys that have 301 s to live must be renewed after 1 s: the run takes about 4 s.
    assumedRoleSeconds: 301,
  });
  const result = await world.run([
    "--accounts",
    `${MEMBER},${DENIED}`,
    "--skip-accounts",
    DENIED,
    "--role-name",
    "audit/Reader",
    "--external-id",
    "ext-42",
    "--quiet",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const [memberFile, rollupFile] = result.stdout.trim().split("\n") as [string, string];
  assertSections(await readJson(memberFile), referenceSections(member.labelled), "member ");
  const rollup = await readJson(rollupFile);
  assert.match(
    rollupFile,
    /organization_activity_111122223333_\d{14}\.json$/,
    "named after the caller without --accounts all",
  );
  const accounts = rollup._metadata.accounts as Record<string, Json>;
  assert.deepEqual(accounts[DENIED], { name: "", status: "skipped", skip_reason: "--skip-accounts" });
  const calls = world.emulator.assumeRoleCalls;
  assert.ok(calls.length >= 2, `renewed: ${calls.length} AssumeRole calls`);
  assert.ok(calls.every((call) => call.granted && call.externalId === "ext-42" && call.accountId === MEMBER));
  const coverage = (await readJson(memberFile))._metadata.regions_coverage as Record<string, { retries: number }>;
  assert.equal(coverage["us-east-1"]!.retries, 0, "no request was ever refused for expired keys");
});

Deno.test("summarize --accounts and its companion flags reject bad values with exit 2", async (t) => {
  await using world = await scenario({ regions: REGIONS, events: {} });
  const cases: [string[], RegExp][] = [
    [["--accounts", "12345"], /Invalid value '12345' for --accounts: an account id is 12 digits/],
    [["--role-name", "Reader"], /Flag --role-name applies only with --accounts/],
    [["--accounts", "all", "--account-concurrency", "0"], /--account-concurrency: use a whole number from 1 to 100/],
    [["--accounts", "all", "--skip-accounts", "x"], /Invalid value 'x' for --skip-accounts/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      const result = await world.run(args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
    });
  }
});

Deno.test("summarize --accounts --plot-results charts the roll-up; report and plot FILE read the roll-up", async () => {
  const member = accountEvents(MEMBER, { "us-east-1": 30 }, 0);
  const management = accountEvents(MANAGEMENT, { "eu-west-1": 20 }, 1000);
  await using world = await scenario({
    regions: REGIONS,
    events: management.events,
    accounts: { [MEMBER]: { regions: REGIONS, events: member.events, name: "member" } },
  });
  const result = await world.run(["--accounts", "all", "--plot-results", "--lookup-rate", "20"]);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split("\n");
  const rollupFile = lines.find((line) => /organization_activity_111122223333_\d{14}\.json$/.test(line))!;
  const plots = rollupFile.replace(/\.json$/, "_plots");
  assert.equal(lines.at(-1), plots, "the roll-up's charts folder is announced last");
  assert.ok((await Deno.stat(join(plots, "api_calls_by_principal_summary.png"))).isFile);
  assert.match(result.stderr, /^Organization roll-up, management account 111122223333/m);
  assert.match(result.stderr, /^Accounts: 2 \(2 complete\)$/m);

  const report = await world.run(["report", rollupFile]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /^Accounts: 2 \(2 complete\)$/m);
  await Deno.remove(plots, { recursive: true });
  const plotted = await world.run(["plot", rollupFile]);
  assert.equal(plotted.code, 0, plotted.stderr);
  assert.equal(plotted.stdout.trim(), plots, "plot FILE names the roll-up's charts after the roll-up");
});

Deno.test("summarize --accounts stops on SIGINT: every account's summary and the roll-up marked incomplete, exit 130", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const member = accountEvents(MEMBER, { "us-east-1": 2000 }, 0);
  const management = accountEvents(MANAGEMENT, { "us-east-1": 2000 }, 5000);
  await using world = await scenario({
    regions: REGIONS,
    events: management.events,
    accounts: { [MEMBER]: { regions: REGIONS, events: member.events } },
  });
  let pages = 0;
  let interrupt: () => void = () => {};
  const interrupted = new Promise<void>((resolve) => (interrupt = resolve));
  world.emulator.onLookupEvents = () => {
    pages += 1;
    if (pages === 12) interrupt();
  };
  const child = world.spawn(["--accounts", "all", "--lookup-rate", "5"]);
  await interrupted;
  child.kill("SIGINT");
  const output = await child.output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 130, new TextDecoder().decode(output.stderr));
  const files = stdout.trim().split("\n");
  assert.equal(files.length, 3, stdout);
  const rollup = await readJson(files.at(-1)!);
  assert.equal(rollup._metadata.incomplete, true);
  const accounts = rollup._metadata.accounts as Record<string, Json>;
  assert.deepEqual([accounts[MANAGEMENT]!.status, accounts[MEMBER]!.status], ["interrupted", "interrupted"]);
  let read = 0;
  for (const file of files.slice(0, 2)) {
    const part = await readJson(file);
    assert.equal(part._metadata.incomplete, true);
    read += part._metadata.records_read as number;
  }
  assert.equal(rollup._metadata.records_read, read, "the roll-up holds exactly what the accounts counted");
  assert.ok(read > 0 && read < 4000, `partial: ${read}`);
});

Deno.test("summarize --accounts --regions: an account without the region fails on its own; one window for every account", async () => {
  const management = accountEvents(MANAGEMENT, { "eu-west-1": 30 }, 0);
  await using world = await scenario({
    regions: REGIONS,
    events: management.events,
    accounts: { [MEMBER]: { regions: ["us-east-1"], events: {} } },
  });
  const start = new Date(Date.now() - 3600_000).toISOString().slice(0, 19) + "Z";
  const result = await world.run(["--accounts", "all", "--regions", "eu-west-1", "--start-time", start, "--quiet"]);
  assert.equal(result.code, 3, result.stderr);
  const [managementFile, rollupFile] = result.stdout.trim().split("\n") as [string, string];
  const rollup = await readJson(rollupFile);
  const accounts = rollup._metadata.accounts as Record<string, Json>;
  assert.equal(accounts[MANAGEMENT]!.status, "complete");
  assert.deepEqual(
    [accounts[MEMBER]!.status, accounts[MEMBER]!.error_code, accounts[MEMBER]!.failed_call],
    ["failed", "RegionNotEnabled", "--regions"],
  );
  const part = await readJson(managementFile);
  assert.deepEqual(rollup._metadata.cloudtrail_data_analyzed, part._metadata.cloudtrail_data_analyzed);
  assert.equal((part._metadata.cloudtrail_data_analyzed as Json).from_timestamp, start.replace(/[-:TZ]/g, ""));
  assert.equal(rollup._metadata.records_read, 30);
});
