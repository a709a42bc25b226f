/** Pure parts of the Athena path: flags, cost, poll delays, one-line reasons. */
import { deepStrictEqual, equal, throws } from "node:assert/strict";
import { queryCostUsd } from "../../src/athena/cost.ts";
import { parseResultCsv } from "../../src/athena/result_csv.ts";
import { GROUPING_SETS, groupingId, RESULT_COLUMNS } from "../../src/athena/summary_query.ts";
import { SummaryRows } from "../../src/athena/summary_rows.ts";
import { oneLine, pollDelay } from "../../src/athena/query_run.ts";
import { athenaSettings, athenaTableOptions, organizationId, tableName } from "../../src/cli/athena_flags.ts";
import { UsageError } from "../../src/errors.ts";
import { TEST_ATHENA_SETTINGS } from "./test_records.ts";
import { athenaReportLines } from "../../src/report/athena_report.ts";

Deno.test("athena flags: defaults, and every setting as given", () => {
  deepStrictEqual(athenaSettings({}), undefined);
  deepStrictEqual(athenaSettings({ "athena-table": "security.cloudtrail" }), TEST_ATHENA_SETTINGS);
  deepStrictEqual(
    athenaSettings({
      "athena-table": "my-db.trail_org",
      "athena-workgroup": "audit",
      "athena-output": "s3://results-bucket/athena/",
      "athena-catalog": "OtherCatalog",
      "athena-reuse-minutes": "0",
      "athena-max-scanned-gb": "2.5",
    }),
    {
      database: "my-db",
      table: "trail_org",
      workgroup: "audit",
      outputLocation: "s3://results-bucket/athena/",
      catalog: "OtherCatalog",
      reuseMinutes: 0,
      maxScannedBytes: 2_500_000_000,
    },
  );
});

Deno.test("athena flags: bad values are usage errors naming the flag", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ "athena-table": "cloudtrail" }, /--athena-table: use DATABASE\.TABLE/],
    [{ "athena-table": "a.b.c" }, /--athena-table/],
    [{ "athena-table": "a.b;DROP" }, /--athena-table/],
    [{ "athena-table": "a.b", "athena-output": "https://x" }, /--athena-output: use s3:\/\/BUCKET\/PREFIX\//],
    [{ "athena-table": "a.b", "athena-max-scanned-gb": "0" }, /--athena-max-scanned-gb/],
    [{ "athena-table": "a.b", "athena-max-scanned-gb": "-1" }, /--athena-max-scanned-gb/],
    [{ "athena-table": "a.b", "athena-reuse-minutes": "10081" }, /--athena-reuse-minutes/],
    [{ "athena-table": "a.b", "athena-workgroup": "a b" }, /--athena-workgroup/],
    [{ "athena-workgroup": "audit" }, /Flag --athena-workgroup applies to --athena-table only/],
  ];
  for (const [values, message] of cases) {
    throws(() => athenaSettings(values), (error: Error) => error instanceof UsageError && message.test(error.message));
  }
  deepStrictEqual(tableName("db.t"), ["db", "t"]);
  equal(organizationId(undefined), undefined);
  throws(() => organizationId("org-1"), UsageError);
});

Deno.test("athena-table options: table, bucket, accounts and regions are required", () => {
  const input = {
    values: { "athena-table": "security.cloudtrail_org", "organization-id": "o-a1b2c3d4e5", create: true },
    bucket: { bucket: "trail-bucket", prefix: "" },
    accounts: ["111122223333"],
    regions: ["us-east-1"],
    profile: undefined,
    region: undefined,
    quiet: false,
  };
  const options = athenaTableOptions(input);
  deepStrictEqual(
    [options.database, options.table, options.organizationId, options.create, options.workgroup],
    ["security", "cloudtrail_org", "o-a1b2c3d4e5", true, "primary"],
  );
  throws(() => athenaTableOptions({ ...input, accounts: "all" }), /needs --accounts/);
  throws(() => athenaTableOptions({ ...input, regions: undefined }), /needs --regions/);
  throws(() => athenaTableOptions({ ...input, bucket: undefined }), /needs --trail-bucket/);
  throws(() => athenaTableOptions({ ...input, values: {} }), /needs --athena-table/);
});

Deno.test("athena cost: $5 per TB, whole MB, 10 MB minimum, nothing for a reused result", () => {
  equal(queryCostUsd(0), 0);
  equal(queryCostUsd(2 ** 40), 5);
  equal(queryCostUsd(1), (10 * 2 ** 20) / 2 ** 40 * 5);
  equal(queryCostUsd(10 * 2 ** 20 + 1), (11 * 2 ** 20) / 2 ** 40 * 5);
});

Deno.test("athena polling: 0.5 s doubling to 5 s; reasons on one line", () => {
  deepStrictEqual([0, 1, 2, 3, 4, 5, 9].map(pollDelay), [500, 1000, 2000, 4000, 5000, 5000, 5000]);
  equal(
    oneLine("SYNTAX_ERROR: line 1:8\n  Column 'x' cannot be resolved\r\n"),
    "SYNTAX_ERROR: line 1:8 Column 'x' cannot be resolved",
  );
});

Deno.test("athena report line: query, bytes, cost, engine time; nothing for other sources or wrong types", () => {
  deepStrictEqual(
    athenaReportLines({
      query_ids: ["1a2b"],
      bytes_scanned: 8.2e9,
      cost_usd: 0.0373,
      engine_execution_milliseconds: 12345,
      reused_previous_result: true,
    }),
    ["Athena: query 1a2b, 8.20 GB scanned, about $0.0373, engine 12.3 s, result reused"],
  );
  deepStrictEqual(athenaReportLines(undefined), []);
  deepStrictEqual(athenaReportLines({ query_ids: ["\u001b[31mx"], bytes_scanned: "9" }), [
    "Athena: query \\u001B[31mx",
  ]);
});

Deno.test("athena result file: quoted values, doubled quotes, NULL as an empty field, newlines inside values", () => {
  deepStrictEqual(parseResultCsv('"a","b","c"\n"x",,"y ""q"""\n"line\nbreak","",\n'), [
    ["a", "b", "c"],
    ["x", undefined, 'y "q"'],
    ["line\nbreak", "", undefined],
  ]);
  deepStrictEqual(parseResultCsv(""), []);
  throws(() => parseResultCsv('"open'), RangeError);
});

Deno.test("athena rows: a NULL time spelled '' (a result file) reads as no time", () => {
  const rows = new SummaryRows();
  const row = RESULT_COLUMNS.map((column): string | undefined =>
    column === "grouping_id"
      ? String(groupingId(GROUPING_SETS.principal))
      : column === "principal"
      ? "111122223333:root"
      : column.endsWith("_first") || column.endsWith("_last") || column.endsWith("_seen")
      ? ""
      : column.endsWith("calls")
      ? "1"
      : undefined
  );
  rows.add(row);
  const section = rows.summary({}).principals.section();
  deepStrictEqual(section["111122223333:root"]!.first_seen, null);
  deepStrictEqual(section["111122223333:root"]!.total_calls, 1);
});
