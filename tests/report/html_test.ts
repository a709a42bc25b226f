import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { jsonForScriptBlock, MAX_KEY_CHARTS_PER_SECTION, renderHtmlReport } from "../../src/report/html.ts";
import { SECTION_NAMES, type Summary } from "../../src/summary/types.ts";
import { BrowserSession, chromiumPath } from "../support/browser.ts";
import { demoRun } from "../support/demo_summary.ts";
import { largeSummary } from "../support/large_summary.ts";
import { summaryWith } from "../support/summary_fixture.ts";

const HOSTILE_LABELS = [
  `<img src=x onerror="window.__pwned=1">`,
  `</script><script>window.__pwned=1</script>`,
  `"><svg onload="window.__pwned=1"><a href="javascript:window.__pwned=1">x</a>`,
  `<!--<script>window.__pwned=1</script>`,
  `evil\u202Egnp.exe\u202C and zero\u200Bwidth`,
  "x".repeat(100_000),
];

function hostileSummary(): Summary {
  const counts = Object.fromEntries(HOSTILE_LABELS.map((label, index) => [label, index + 1]));
  const summary = summaryWith({
    api_calls_by_principal: Object.fromEntries(HOSTILE_LABELS.map((label) => [label, counts])),
    api_calls_by_region: { [HOSTILE_LABELS[0]!]: counts },
    ip_addresses_by_principal: { [HOSTILE_LABELS[1]!]: counts },
    user_agents_by_principal: { [HOSTILE_LABELS[2]!]: counts },
    error_codes_by_principal: { [HOSTILE_LABELS[4]!]: counts },
  });
  summary._metadata = {
    account_id: HOSTILE_LABELS[0]!,
    account_principal: HOSTILE_LABELS[1]!,
    activity_type: "ALL",
    cloudtrail_data_analyzed: { from_timestamp: HOSTILE_LABELS[2]!, to_timestamp: "20250101000000" },
    invocation: HOSTILE_LABELS[3]!,
    regions_enabled: [HOSTILE_LABELS[0]!],
    regions_failed: { [HOSTILE_LABELS[0]!]: HOSTILE_LABELS[1]! },
    run_timestamp: "20250101000000",
    incomplete: true,
    accounts: {
      "111122223333": { name: HOSTILE_LABELS[0], status: "failed" },
      "444455556666": { name: HOSTILE_LABELS[1], status: "complete" },
    },
  };
  summary.principals = Object.fromEntries(HOSTILE_LABELS.map((label) => [label, { total_calls: 1, last_seen: label }]));
  summary.findings = HOSTILE_LABELS.map((label) => ({
    rule: label,
    severity: "critical",
    principal: label,
    api_call: label,
    description: label,
    count: 1,
    first_seen: label,
    last_seen: null,
  }));
  return summary;
}

/** A data block of the page, parsed. */
function dataBlock<T>(html: string, id: string): T {
  const match = new RegExp(`<script type="application/json" id="${id}">(.*?)</script>`, "s").exec(html);
  assert.ok(match, `the page has the data block ${id}`);
  return JSON.parse(match[1]!);
}

/** Waits until a JavaScript condition holds in the page. */
function waitUntil(browser: BrowserSession, condition: string): Promise<unknown> {
  return browser.evaluate(
    `new Promise((resolve) => {
      const check = () => (${condition}) ? resolve(true) : setTimeout(check, 20);
      check();
    })`,
  );
}

/** No uncaught error, no console message (CSP violations among them), no request. */
function assertQuietPage(browser: BrowserSession): void {
  const events = browser.events();
  assert.deepEqual(events.pageErrors, []);
  assert.deepEqual(events.console, []);
  assert.deepEqual(events.requests, []);
}

/** Waits until the page has built every table. */
const rendered = (browser: BrowserSession) =>
  waitUntil(browser, "document.documentElement.dataset.rendered === 'true'");

Deno.test("jsonForScriptBlock() leaves no '<' that could close the block or open a comment", () => {
  const text = jsonForScriptBlock({ label: "</script><!--<script>" });
  assert.ok(!text.includes("<"));
  assert.deepEqual(JSON.parse(text), { label: "</script><!--<script>" });
});

Deno.test("the page's only markup is ours: one script, summary strings only in the data blocks", () => {
  const html = renderHtmlReport(hostileSummary());
  assert.equal(html.match(/<script>/g)?.length, 1);
  assert.equal(html.match(/<script/g)?.length, 8, "the script and seven data blocks");
  const outsideData = html.replaceAll(/<script type="application\/json" id="[a-z_-]+">.*?<\/script>/gs, "");
  for (const label of HOSTILE_LABELS.slice(0, 4)) assert.ok(!outsideData.includes(label), label);
  assert.doesNotMatch(outsideData, /<(img|iframe|object|embed)[\s>]|<a href="(?!#)/i);
});

Deno.test("the Content-Security-Policy allows no network and exactly our inline script and styles", async () => {
  const html = renderHtmlReport(hostileSummary());
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(policy);
  assert.match(policy, /default-src 'none'/);
  assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|https?:|\*/);
  const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  assert.match(policy, new RegExp(`script-src ${hashOf(script).replace(/[+/]/g, "\\$&")};`));
  for (const style of html.matchAll(/<style>([^<]*)<\/style>/g)) assert.ok(policy.includes(hashOf(style[1]!)));
  // The SVG markup of the charts of principals and regions carries the same <style>.
  const charts = dataBlock<string[]>(html, "chart-data");
  const { inflateRawSync } = await import("node:zlib");
  const svg = inflateRawSync(Uint8Array.from(atob(charts[0]!), (c) => c.charCodeAt(0))).toString();
  for (const style of svg.matchAll(/<style>([^<]*)<\/style>/g)) assert.ok(policy.includes(hashOf(style[1]!)));
});

Deno.test("only the largest keys of a section get a chart; every key keeps its whole table", () => {
  const summary = largeSummary(MAX_KEY_CHARTS_PER_SECTION + 20);
  const keys = dataBlock<[string, number, unknown, number][]>(renderHtmlReport(summary), "keys-api_calls_by_principal");
  assert.equal(keys.length, MAX_KEY_CHARTS_PER_SECTION + 20);
  assert.equal(keys.filter((key) => key[3] >= 0).length, MAX_KEY_CHARTS_PER_SECTION);
  const values = keys.map((key) => key[1]);
  assert.deepEqual(values, [...values].sort((a, b) => b - a));
  assert.ok(keys.slice(0, MAX_KEY_CHARTS_PER_SECTION).every((key) => key[3] >= 0), "the largest have charts");
});

// ---- In a real browser ------------------------------------------------------------------------

const chromium = await chromiumPath();
/** A test in Chromium; without it, ignored with the reason in its name. */
const browserTest = (name: string, fn: (browser: BrowserSession) => Promise<void>) =>
  Deno.test({
    name: chromium === undefined
      ? `${name} (skipped: no Chromium at /usr/bin/chromium; apt-get install chromium)`
      : name,
    ignore: chromium === undefined,
    fn: async () => {
      await using browser = await BrowserSession.start(chromium!);
      await fn(browser);
    },
  });

async function writeReport(summary: Summary): Promise<{ url: string; folder: string }> {
  const folder = await Deno.makeTempDir({ prefix: "html-report-" });
  const path = join(folder, "report.html");
  await Deno.writeTextFile(path, renderHtmlReport(summary));
  return { url: pathToFileURL(path).href, folder };
}

const texts = (selector: string) =>
  `[...document.querySelectorAll(${JSON.stringify(selector)})].map((node) => node.textContent)`;

browserTest(
  "the demo run's --html page: no console output, no requests, counts equal the summary's, sorting and filtering",
  async (browser) => {
    await using demo = await demoRun(["--html"]);
    const summary = demo.summary as unknown as Summary;
    const page = demo.stdout.split("\n").find((line) => line.endsWith(".html"));
    assert.equal(page, demo.summaryFile.replace(/\.json$/, ".html"));
    await browser.open(pathToFileURL(page!).href);
    await rendered(browser);
    if (Deno.env.get("UPDATE_SNAPSHOTS") === "1") {
      // The README's picture of the report.
      const picture = new URL("../../doc/html_report.png", import.meta.url).pathname;
      await browser.screenshot(picture, { x: 0, y: 0, width: 1280, height: 1000 });
    }
    const principals = Object.keys(summary.principals as object);
    const findings = summary.findings as { severity: string }[];
    assert.equal(await browser.evaluate("document.documentElement.dataset.rendered"), "true");
    // Both tables hold every row and show the first page of 100.
    for (const [table, rows] of [["principals", principals.length], ["findings", findings.length]] as const) {
      const selector = `[data-table-name="${table}"]`;
      assert.equal(
        await browser.evaluate(`document.querySelector('${selector} table').dataset.totalRows`),
        String(rows),
      );
      assert.equal(
        await browser.evaluate(`document.querySelectorAll('${selector} tbody tr').length`),
        Math.min(100, rows),
      );
    }
    for (const severity of ["critical", "high", "medium", "low"]) {
      const expected = findings.filter((finding) => finding.severity === severity).length;
      const shown = await browser.evaluate<string | null>(
        `document.querySelector('#finding-counts [data-severity="${severity}"]')?.textContent ?? null`,
      );
      assert.equal(shown, expected === 0 ? null : `${expected} ${severity}`);
    }
    for (const section of SECTION_NAMES) {
      const keys = Object.keys(summary[section]).length;
      const total = await browser.evaluate<string | null>(
        `document.querySelector('[data-table-name="${section}"] table')?.dataset.totalRows ?? null`,
      );
      assert.equal(total, keys === 0 ? null : String(keys), section);
      assert.equal(
        await browser.evaluate(`document.querySelectorAll('#${section} > figure svg').length`),
        keys === 0 ? 0 : 1,
      );
    }
    assert.equal(await browser.evaluate("document.querySelector('dl.facts dd').textContent"), "123456789012");

    // Sorting: a click on "Principal" sorts A to Z, Enter on it Z to A, Space on "Calls" largest first.
    const principalCells = texts('[data-table-name="principals"] tbody td:first-child');
    const headerButton = (column: number) => `[data-table-name="principals"] thead th:nth-child(${column}) button`;
    await browser.click(headerButton(1));
    const ascending = [...principals].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(await browser.evaluate(principalCells), ascending.slice(0, 100));
    assert.equal(
      await browser.evaluate(`document.querySelector('${headerButton(1)}').parentElement.getAttribute('aria-sort')`),
      "ascending",
    );
    await browser.press(headerButton(1), "Enter");
    assert.deepEqual(await browser.evaluate(principalCells), [...ascending].reverse().slice(0, 100));
    await browser.press(headerButton(4), "Space");
    const calls = await browser.evaluate<string[]>(texts('[data-table-name="principals"] tbody td:nth-child(4)'));
    const numbers = calls.map((text) => Number(text.replaceAll(",", "")));
    assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a));
    assert.equal(
      numbers[0],
      Math.max(
        ...Object.values(summary.principals as Record<string, { total_calls: number }>).map((row) => row.total_calls),
      ),
    );

    // Filtering by typing.
    await browser.type('[data-table-name="principals"] input[type="search"]', "ROOT");
    const matching = principals.filter((principal) => principal.toLowerCase().includes("root"));
    assert.ok(matching.length > 0);
    assert.deepEqual(
      (await browser.evaluate<string[]>(principalCells)).sort(),
      matching.sort(),
    );

    // Opening a principal by click draws its chart and its whole table.
    const firstKey = `[data-table-name="api_calls_by_principal"] tbody tr:first-child .expander`;
    await browser.click(firstKey);
    await waitUntil(browser, "document.querySelector('#api_calls_by_principal tr.detail svg')");
    const opened = await browser.evaluate<string>(`document.querySelector('${firstKey}').textContent`);
    assert.equal(
      await browser.evaluate(`document.querySelector('${firstKey}').getAttribute('aria-expanded')`),
      "true",
    );
    assert.equal(
      await browser.evaluate(`document.querySelectorAll('#api_calls_by_principal tr.detail tbody tr').length`),
      Object.keys(summary.api_calls_by_principal[opened]!).length,
    );

    assertQuietPage(browser);
  },
);

browserTest("a hostile summary executes nothing and is shown as text", async (browser) => {
  const { url, folder } = await writeReport(hostileSummary());
  try {
    await browser.open(url);
    await rendered(browser);
    // Open every hostile principal, so its chart is drawn from its SVG too.
    const rows = await browser.evaluate<number>(
      `document.querySelectorAll('[data-table-name="api_calls_by_principal"] .expander').length`,
    );
    assert.equal(rows, HOSTILE_LABELS.length);
    for (let row = 1; row <= rows; row++) {
      await browser.click(
        `[data-table-name="api_calls_by_principal"] tbody tr:not(.detail):nth-child(${2 * row - 1}) .expander`,
      );
    }
    await waitUntil(browser, `document.querySelectorAll('#api_calls_by_principal tr.detail svg').length === ${rows}`);
    assert.equal(await browser.evaluate("window.__pwned === undefined"), true);
    assert.equal(
      await browser.evaluate("document.querySelectorAll('img, iframe, a[href^=javascript], main script').length"),
      0,
    );
    const principalCells = await browser.evaluate<string[]>(
      texts('[data-table-name="principals"] tbody td:first-child'),
    );
    for (const label of HOSTILE_LABELS.slice(0, 4)) assert.ok(principalCells.includes(label), label);
    assert.ok(principalCells.some((text) => text.length === 100_000), "the 100 KB label is shown whole");
    // Bidi and zero-width characters are shown as visible escapes.
    assert.ok(principalCells.includes("evil\\u202Egnp.exe\\u202C and zero\\u200Bwidth"));
    assert.ok(await browser.evaluate("document.querySelector('#incomplete-warning') !== null"));
    assert.ok(await browser.evaluate("document.querySelector('#regions-failed-warning') !== null"));
    assert.ok(await browser.evaluate("document.querySelector('#accounts-failed-warning') !== null"));
    const facts = await browser.evaluate<string>("document.querySelector('dl.facts').textContent");
    for (const label of HOSTILE_LABELS.slice(0, 2)) assert.ok(facts.includes(label), label);
    assertQuietPage(browser);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});

browserTest(
  "a large summary shows one page of rows at a time; the pager turns pages by click and key",
  async (browser) => {
    const summary = largeSummary(2_500);
    const { url, folder } = await writeReport(summary);
    try {
      await browser.open(url);
      await rendered(browser);
      const table = '[data-table-name="principals"]';
      assert.equal(await browser.evaluate(`document.querySelectorAll('${table} tbody tr').length`), 100);
      assert.equal(
        await browser.evaluate(`document.querySelector('${table} .status').textContent`),
        "Rows 1–100 of 2,500",
      );
      await browser.click(`${table} .pager .next`);
      assert.equal(
        await browser.evaluate(`document.querySelector('${table} .status').textContent`),
        "Rows 101–200 of 2,500",
      );
      await browser.press(`${table} .pager .previous`, "Enter");
      assert.equal(
        await browser.evaluate(`document.querySelector('${table} .status').textContent`),
        "Rows 1–100 of 2,500",
      );
      await browser.type(`${table} input[type="search"]`, "user1");
      const expected = Object.keys(summary.principals as object).filter((principal) =>
        principal.includes("user1")
      ).length;
      assert.equal(
        await browser.evaluate(`document.querySelector('${table} .status').textContent`),
        `Rows 1–100 of ${expected.toLocaleString("en-US")} (filtered from 2,500)`,
      );
      // Keys past the chart limit: page 3 of 50 rows starts at rank 101; its table is there, its chart is not.
      const keys = '[data-table-name="api_calls_by_principal"]';
      await browser.click(`${keys} .pager .next`);
      await browser.click(`${keys} .pager .next`);
      assert.equal(
        await browser.evaluate(`document.querySelector('${keys} .status').textContent`),
        "Rows 101–150 of 2,500",
      );
      await browser.click(`${keys} tbody tr:first-child .expander`);
      assert.match(
        await browser.evaluate<string>(`document.querySelector('${keys} tr.detail p.empty').textContent`),
        /^No chart/,
      );
      assert.equal(await browser.evaluate(`document.querySelectorAll('${keys} tr.detail svg').length`), 0);
      assert.equal(await browser.evaluate(`document.querySelectorAll('${keys} tr.detail tbody tr').length`), 5);
      assertQuietPage(browser);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
);

browserTest("dark mode follows the system setting", async (browser) => {
  const { url, folder } = await writeReport(largeSummary(3));
  try {
    const background = "getComputedStyle(document.body).backgroundColor";
    await browser.open(url, { colorScheme: "light" });
    assert.equal(await browser.evaluate(background), "rgb(255, 255, 255)");
    await browser.open(url, { colorScheme: "dark" });
    assert.equal(await browser.evaluate(background), "rgb(22, 22, 22)");
    assertQuietPage(browser);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
});
