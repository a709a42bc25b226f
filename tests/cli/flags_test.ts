import assert from "node:assert/strict";
import { parseFlags, type SummarizeOptions } from "../../src/cli/flags.ts";
import { UsageError } from "../../src/errors.ts";

function summarizeOptions(args: string[]): SummarizeOptions {
  const options = parseFlags(args);
  assert.equal(options.command, "summarize");
  return options as SummarizeOptions;
}

Deno.test("parseFlags() gives the documented defaults", () => {
  assert.deepEqual(summarizeOptions([]), {
    command: "summarize",
    trailFiles: undefined,
    trailBucket: undefined,
    startTime: undefined,
    endTime: undefined,
    pastHoursGiven: false,
    lateSlackMinutes: 60,
    includeDataEvents: false,
    workers: undefined,
    activityType: "ALL",
    dumpRawCloudtrailData: false,
    pastHours: 336,
    profile: undefined,
    outputDir: undefined,
    cacheDir: undefined,
    region: undefined,
    regions: undefined,
    plotResults: false,
    html: false,
    lookupAttribute: undefined,
    failOn: undefined,
    jsonStdout: false,
    quiet: false,
    verbose: false,
    lookupRate: 2,
    lookupBurst: 1,
    requestTimeoutSeconds: 30,
    thresholds: { callsPerMinute: 300, sourceIps: 10, userAgents: 10, deniedPerTenMinutes: 20 },
    sigma: { rulePaths: [], builtin: true, statuses: undefined },
    accounts: undefined,
    roleName: "OrganizationAccountAccessRole",
    externalId: undefined,
    skipAccounts: [],
    accountConcurrency: 10,
    athena: undefined,
  });
});

Deno.test("parseFlags() reads every flag", () => {
  const options = summarizeOptions([
    "--activity-type=FAILED",
    "--dump-raw-cloudtrail-data",
    "--past-hours",
    "2160",
    "--profile",
    "audit",
    "--output-dir",
    "out",
    "--cache-dir",
    "cache",
    "--region",
    "eu-west-1",
    "--regions",
    "us-east-1, eu-west-1,us-east-1",
    "--plot-results",
    "--html",
    "--lookup-attribute",
    "EventName=ConsoleLogin",
    "--fail-on",
    "high",
    "--json-stdout",
    "--quiet",
    "--lookup-rate",
    "1.5",
    "--lookup-burst",
    "2",
    "--request-timeout",
    "5",
    "--rate-threshold",
    "50",
    "--ip-threshold",
    "3",
    "--user-agent-threshold",
    "4",
    "--denied-threshold",
    "5",
  ]);
  assert.deepEqual(options, {
    command: "summarize",
    trailFiles: undefined,
    trailBucket: undefined,
    startTime: undefined,
    endTime: undefined,
    pastHoursGiven: true,
    lateSlackMinutes: 60,
    includeDataEvents: false,
    workers: undefined,
    activityType: "FAILED",
    dumpRawCloudtrailData: true,
    pastHours: 2160,
    profile: "audit",
    outputDir: "out",
    cacheDir: "cache",
    region: "eu-west-1",
    regions: ["eu-west-1", "us-east-1"],
    plotResults: true,
    html: true,
    lookupAttribute: { key: "EventName", value: "ConsoleLogin" },
    failOn: "high",
    jsonStdout: true,
    quiet: true,
    verbose: false,
    lookupRate: 1.5,
    lookupBurst: 2,
    requestTimeoutSeconds: 5,
    thresholds: { callsPerMinute: 50, sourceIps: 3, userAgents: 4, deniedPerTenMinutes: 5 },
    sigma: { rulePaths: [], builtin: true, statuses: undefined },
    accounts: undefined,
    roleName: "OrganizationAccountAccessRole",
    externalId: undefined,
    skipAccounts: [],
    accountConcurrency: 10,
    athena: undefined,
  });
});

Deno.test("parseFlags() rejects bad values with a message naming the flag and the allowed values", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--activity-type", "SOME"], /--activity-type: use one of ALL, SUCCESSFUL, FAILED/],
    [["--past-hours", "0"], /--past-hours: use a whole number from 1 to 2160/],
    [["--past-hours", "-1"], /^Invalid value '-1' for --past-hours: use a whole number from 1 to 2160$/],
    [["--past-hours", "2161"], /--past-hours/],
    [["--past-hours", "1.5"], /--past-hours/],
    [["--past-hours", "abc"], /--past-hours/],
    [["--past-hours"], /'--past-hours' needs a value/],
    [["--bogus"], /Unknown flag '--bogus'/],
    [["--region", "Mars"], /--region: use a region name/],
    [["--regions", "us-east-1,,x"], /Invalid value 'x' for --regions/],
    [["--regions", ","], /--regions/],
    [["--lookup-attribute", "Foo=bar"], /KEY one of EventId, EventName/],
    [["--lookup-attribute", "EventName="], /must not be empty/],
    [["--lookup-attribute", "ReadOnly=yes"], /ReadOnly takes true or false/],
    [["--fail-on", "severe"], /--fail-on: use one of critical, high, medium, low/],
    [["--rate-threshold", "0"], /--rate-threshold: use a whole number from 1/],
    [["--lookup-rate", "0"], /--lookup-rate/],
    [["--profile", ""], /--profile: it must not be empty/],
    [["--overwrite"], /--overwrite applies only to 'plot'/],
    [["unknown-command"], /Unknown command 'unknown-command'/],
    [["plot"], /'plot' takes one summary file/],
    [["plot", "a.json", "--past-hours", "3"], /--past-hours does not apply to 'plot'/],
    [["--dump-raw-cloudtrail-data=yes"], /takes no value/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" ") || "(none)", () => {
      assert.throws(() => parseFlags(args), (error: unknown) => {
        assert.ok(error instanceof UsageError, `not a UsageError: ${error}`);
        assert.match(error.message, message);
        assert.equal(error.exitCode, 2);
        assert.ok(!error.message.includes("\n"), "one line");
        return true;
      });
    });
  }
});

Deno.test("parseFlags() knows the plot, report, help and version commands", () => {
  assert.deepEqual(parseFlags(["plot", "x.json", "--overwrite", "--output-dir", "o"]), {
    command: "plot",
    file: "x.json",
    outputDir: "o",
    overwrite: true,
    quiet: false,
    verbose: false,
  });
  assert.deepEqual(parseFlags(["report", "x.json"]), {
    command: "report",
    file: "x.json",
    verbose: false,
    html: false,
    output: undefined,
  });
  assert.deepEqual(parseFlags(["report", "x.json", "--html", "--output", "x.html"]), {
    command: "report",
    file: "x.json",
    verbose: false,
    html: true,
    output: "x.html",
  });
  assert.throws(() => parseFlags(["report", "x.json", "--output", "x.html"]), /--output needs --html/);
  assert.throws(() => parseFlags(["plot", "x.json", "--html"]), /--html does not apply to 'plot'/);
  assert.throws(() => parseFlags(["--output", "x.html"]), /--output applies only to 'report FILE --html'/);
  assert.deepEqual(parseFlags(["--help", "--bogus-value-ignored=no"].slice(0, 1)), { command: "help" });
  assert.deepEqual(parseFlags(["--version"]), { command: "version" });
});

Deno.test("parseFlags(): --athena-table with the window and filters; athena-table command; misplaced flags", () => {
  const options = parseFlags([
    "--athena-table",
    "security.cloudtrail",
    "--start-time",
    "2026-11-01T00:00:00Z",
    "--late-slack",
    "30",
    "--include-data-events",
    "--accounts",
    "111122223333",
    "--athena-max-scanned-gb",
    "5",
  ]);
  assert.equal(options.command, "summarize");
  if (options.command !== "summarize") return;
  assert.deepEqual(
    [options.athena?.database, options.athena?.table, options.athena?.maxScannedBytes, options.lateSlackMinutes],
    ["security", "cloudtrail", 5e9, 30],
  );
  assert.equal(options.includeDataEvents, true);
  const table = parseFlags([
    "athena-table",
    "--trail-bucket",
    "s3://trail-bucket/logs",
    "--athena-table",
    "security.org",
    "--accounts",
    "111122223333",
    "--regions",
    "us-east-1",
    "--create",
  ]);
  assert.equal(table.command, "athena-table");
  if (table.command !== "athena-table") return;
  assert.deepEqual([table.bucket, table.prefix, table.create], ["trail-bucket", "logs", true]);
  const refused: [string[], RegExp][] = [
    [["--athena-table", "a.b", "--trail-bucket", "s3://x-bucket"], /cannot be used together/],
    [
      ["--athena-table", "a.b", "--lookup-attribute", "EventName=X"],
      /--lookup-attribute does not apply to --athena-table/,
    ],
    [["--athena-table", "a.b", "--create"], /--create applies only to 'athena-table'/],
    [["--athena-workgroup", "w"], /--athena-workgroup applies to --athena-table only/],
    [["athena-table", "--athena-table", "a.b", "--past-hours", "3"], /--past-hours does not apply to 'athena-table'/],
    [["report", "x.json", "--athena-table", "a.b"], /--athena-table does not apply to 'report'/],
  ];
  for (const [args, message] of refused) assert.throws(() => parseFlags(args), message);
});
