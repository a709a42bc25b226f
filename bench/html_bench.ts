/**
 * The HTML report: file size, time to write it, and in headless Chromium the time to first
 * contentful paint and until the tables are built, for the demo
 * summary and a generated one with 10,000 principals (about 100,000 keys). Times are from the start
 * of navigation, by Chromium's paint timing and the page's own marks; median of three loads.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderHtmlReport } from "../src/report/html.ts";
import type { Summary } from "../src/summary/types.ts";
import { BrowserSession, chromiumPath } from "../tests/support/browser.ts";
import { demoRun } from "../tests/support/demo_summary.ts";
import { largeSummary } from "../tests/support/large_summary.ts";

const LOADS = 3;

/** Paint and mark times of the open page, in ms since navigation start. */
const PAGE_TIMES = `new Promise((resolve) => {
  const report = (paint) => {
    const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
    resolve({
      firstContentfulPaint: paint ? paint.startTime : null,
      firstTables: mark("report-first-tables"),
      allTables: mark("report-rendered"),
    });
  };
  // Paint timing arrives after the frame is presented, the sections' tables a few tasks after the
  // load: wait for both (a few seconds at most).
  const started = performance.now();
  let paint;
  new PerformanceObserver((list) => {
    paint ??= list.getEntriesByName("first-contentful-paint")[0];
  }).observe({ type: "paint", buffered: true });
  const check = () => {
    const done = paint && document.documentElement.dataset.rendered === "true";
    if (done || performance.now() - started > 5000) report(paint);
    else setTimeout(check, 10);
  };
  check();
})`;

interface PageTimes {
  firstContentfulPaint: number | null;
  /** Header, findings and principals built. */
  firstTables: number | null;
  /** Every section's table built too. */
  allTables: number | null;
}

export async function htmlBench(print: (line: string) => void): Promise<void> {
  const chromium = await chromiumPath();
  if (chromium === undefined) {
    print("html: skipped, no Chromium at /usr/bin/chromium (apt-get install chromium)");
    return;
  }
  const folder = await Deno.makeTempDir({ prefix: "html-bench-" });
  try {
    await using browser = await BrowserSession.start(chromium);
    const demo = await (async () => {
      await using run = await demoRun();
      return run.summary as unknown as Summary;
    })();
    for (const [name, summary] of [["demo", demo], ["10,000 principals", largeSummary(10_000)]] as const) {
      const started = performance.now();
      const html = renderHtmlReport(summary);
      const writeMs = performance.now() - started;
      const path = join(folder, "report.html");
      await Deno.writeTextFile(path, html);
      const times: PageTimes[] = [];
      for (let load = 0; load < LOADS; load++) {
        await browser.open(pathToFileURL(path).href);
        times.push(await browser.evaluate<PageTimes>(PAGE_TIMES));
      }
      const median = (pick: (time: PageTimes) => number | null) => {
        const values = times.map(pick).filter((value): value is number => value !== null).sort((a, b) => a - b);
        return values.length === 0 ? "n/a" : `${Math.round(values[Math.floor(values.length / 2)]!)} ms`;
      };
      const bytes = new TextEncoder().encode(html).length;
      print(
        `html ${name}: ${(bytes / 1_000_000).toFixed(2)} MB written in ${Math.round(writeMs)} ms; ` +
          `first contentful paint ${median((time) => time.firstContentfulPaint)}, ` +
          `findings and principals built ${median((time) => time.firstTables)}, ` +
          `all tables ${median((time) => time.allTables)} (median of ${LOADS} loads)`,
      );
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}
