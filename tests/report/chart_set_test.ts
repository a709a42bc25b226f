import assert from "node:assert/strict";
import { chartsForSummary } from "../../src/report/chart_set.ts";
import { summaryWith } from "../support/summary_fixture.ts";

const summary = summaryWith;

Deno.test("chartsForSummary() makes a summary chart and one chart per key for each section", () => {
  const jobs = chartsForSummary(summary({
    api_calls_by_principal: {
      "123456789012:user/bob": { "s3.amazonaws.com:ListBuckets": 3, "sts.amazonaws.com:X": 2 },
    },
    api_calls_by_region: { "us-east-1": { "s3.amazonaws.com:ListBuckets": 5 } },
    ip_addresses_by_principal: { "123456789012:user/bob": { "203.0.113.1": 4, "203.0.113.2": 1 } },
    user_agents_by_principal: { "123456789012:user/bob": { "aws-cli/2": 5 } },
    error_codes_by_principal: { "123456789012:user/bob": {} },
  }));
  assert.deepEqual(jobs.map((job) => [job.path, job.chart.title]), [
    ["api_calls_by_principal_summary.png", "API calls by principal summary"],
    ["api_calls_by_principal/123456789012_user_bob.png", "API calls by principal '123456789012:user/bob'"],
    ["api_calls_by_region_summary.png", "API calls by region summary"],
    ["api_calls_by_region/us-east-1.png", "API calls by region 'us-east-1'"],
    ["ip_addresses_by_principal_summary.png", "IP addresses by principal summary"],
    ["ip_addresses_by_principal/123456789012_user_bob.png", "IP addresses by principal '123456789012:user/bob'"],
    ["user_agents_by_principal_summary.png", "User agents by principal summary"],
    ["user_agents_by_principal/123456789012_user_bob.png", "User agents by principal '123456789012:user/bob'"],
    ["error_codes_by_principal_summary.png", "Error codes by principal summary"],
  ]);
  assert.deepEqual(jobs[0]!.chart.bars, [{ label: "123456789012:user/bob", value: 5 }]);
  assert.deepEqual(jobs[4]!.chart.bars, [{ label: "123456789012:user/bob", value: 2 }]);
  assert.deepEqual(jobs[8]!.chart.bars, [{ label: "123456789012:user/bob", value: 0 }]);
});

Deno.test("chartsForSummary() keeps file names distinct and titles short", () => {
  const long = "p".repeat(200);
  const jobs = chartsForSummary(summary({
    api_calls_by_principal: { "a/b": { x: 1 }, "a:b": { x: 1 }, [long]: { x: 1 } },
  }));
  const paths = jobs.map((job) => job.path);
  assert.equal(new Set(paths).size, paths.length);
  const longTitle = jobs.find((job) => job.chart.title.includes("ppp"))!.chart.title;
  assert.equal(longTitle, `API calls by principal '${"p".repeat(80)}[...]'`);
});

Deno.test("chartsForSummary() makes no chart for an empty summary", () => {
  assert.deepEqual(chartsForSummary(summary({})), []);
});
