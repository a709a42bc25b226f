import assert from "node:assert/strict";
import { join } from "node:path";
import { htmlReportPath } from "../../src/cli/html_report.ts";
import { scenario, syntheticEvents } from "./scenario.ts";

/** The principals and the API-call keys a page carries in its data blocks. */
function pageCounts(html: string): { principals: number; apiCallKeys: number } {
  const block = (id: string) =>
    JSON.parse(new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(html)![1]!);
  return {
    principals: block("report-data").principals.length,
    apiCallKeys: block("keys-api_calls_by_principal").length,
  };
}

Deno.test("htmlReportPath() keeps the summary's stem", () => {
  assert.equal(
    htmlReportPath("/r/account_activity_123456789012_20250101000000.json"),
    "/r/account_activity_123456789012_20250101000000.html",
  );
  assert.equal(
    htmlReportPath("/r/account_activity_123456789012_20250101000000_2.json"),
    "/r/account_activity_123456789012_20250101000000_2.html",
  );
});

Deno.test("summarize --html writes the page next to the summary, with its stem, and announces it", async () => {
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(30, Date.now() - 1000, 1000).events },
  });
  const result = await world.run(["--lookup-rate", "20", "--quiet", "--html"]);
  assert.equal(result.code, 0, result.stderr);
  const [summaryFile, htmlFile] = result.stdout.trim().split("\n");
  assert.match(summaryFile!, /account_activity_111122223333_\d{14}\.json$/);
  assert.equal(htmlFile, summaryFile!.replace(/\.json$/, ".html"));
  const summary = await world.summary();
  const counts = pageCounts(await Deno.readTextFile(htmlFile!));
  assert.equal(counts.principals, Object.keys(summary.principals as object).length);
  assert.equal(counts.apiCallKeys, Object.keys(summary.api_calls_by_principal as object).length);
});

Deno.test("report FILE --html writes the page of an existing summary; --output chooses where", async () => {
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(12, Date.now() - 1000, 1000).events },
  });
  const run = await world.run(["--lookup-rate", "20", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const summaryFile = run.stdout.trim();
  const offline = { AWS_ACCESS_KEY_ID: "", AWS_ENDPOINT_URL: "http://127.0.0.1:9" };

  const nextToIt = await world.run(["report", summaryFile, "--html"], offline);
  assert.equal(nextToIt.code, 0, nextToIt.stderr);
  assert.equal(nextToIt.stdout.trim(), summaryFile.replace(/\.json$/, ".html"));
  assert.match(await Deno.readTextFile(nextToIt.stdout.trim()), /^<!DOCTYPE html>/);

  const chosen = join(world.workingDirectory, "page.html");
  const elsewhere = await world.run(["report", summaryFile, "--html", "--output", "page.html"], offline);
  assert.equal(elsewhere.code, 0, elsewhere.stderr);
  assert.equal(elsewhere.stdout.trim(), chosen);
  assert.equal(
    pageCounts(await Deno.readTextFile(chosen)).principals,
    pageCounts(await Deno.readTextFile(nextToIt.stdout.trim())).principals,
  );
});

Deno.test("report --html refuses to write over the summary and reads only real summaries", async () => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const summaryFile = join(world.workingDirectory, "account_activity_111122223333_20250101000000.json");
  await Deno.writeTextFile(summaryFile, '{"not": "a summary"}');
  const overwrite = await world.run(["report", summaryFile, "--html", "--output", summaryFile]);
  assert.equal(overwrite.code, 2, overwrite.stderr);
  assert.match(overwrite.stderr, /--output.*summary file itself/);
  assert.equal(await Deno.readTextFile(summaryFile), '{"not": "a summary"}');

  const notSummary = await world.run(["report", summaryFile, "--html"]);
  assert.equal(notSummary.code, 1);
  assert.match(notSummary.stderr, /Cannot read the summary file/);
  await assert.rejects(Deno.stat(summaryFile.replace(/\.json$/, ".html")), Deno.errors.NotFound);

  const outputWithoutHtml = await world.run(["report", summaryFile, "--output", "x.html"]);
  assert.equal(outputWithoutHtml.code, 2);
  assert.match(outputWithoutHtml.stderr, /--output/);
});

Deno.test("an organization run with --html writes the roll-up's page, its header listing the accounts", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(10, now - 1000, 1000).events },
    quota: null,
    accounts: {
      "222233334444": {
        regions: ["us-east-1"],
        events: { "us-east-1": syntheticEvents(10, now - 1000, 1000, 100).events },
        name: "member",
      },
    },
  });
  const result = await world.run(["--accounts", "all", "--lookup-rate", "20", "--quiet", "--html"]);
  assert.equal(result.code, 0, result.stderr);
  const written = result.stdout.trim().split("\n");
  const rollup = written.find((line) => /organization_activity_111122223333_\d{14}\.json$/.test(line));
  assert.ok(rollup, result.stdout);
  assert.ok(written.includes(rollup.replace(/\.json$/, ".html")), result.stdout);
  const html = await Deno.readTextFile(rollup.replace(/\.json$/, ".html"));
  const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
  assert.deepEqual(data.header.accounts.map((account: string[]) => account[0]).sort(), [
    "111122223333",
    "222233334444",
  ]);
});
