/**
 * The HTML report: file size, time to write it, and in headless Chromium the time to first
 * contentful paint and until the tables are built (the page's own performance marks), for the demo
 * summary and a generated one with 10,000 principals (about 100,000 keys). Median of three loads.
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
    const rendered = performance.getEntriesByName("report-rendered")[0];
    const navigation = performance.getEntriesByType("navigation")[0];
    resolve({
      firstContentfulPaint: paint ? paint.startTime : null,
      tablesRendered: rendered ? rendered.startTime : null,
      domContentLoaded: navigation.domContentLoadedEventEnd,
    });
  };
  // Paint timing arrives after the frame is presented: wait for it (a few seconds at most).
  const timeout = setTimeout(() => report(null), 5000);
  new PerformanceObserver((list) => {
    const paint = list.getEntriesByName("first-contentful-paint")[0];
    if (paint) {
      clearTimeout(timeout);
      report(paint);
    }
  }).observe({ type: "paint", buffered: true });
})`;

interface PageTimes {
  firstContentfulPaint: number | null;
  tablesRendered: number | null;
  domContentLoaded: number;
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
          `tables built ${median((time) => time.tablesRendered)}, ` +
          `DOMContentLoaded ${median((time) => time.domContentLoaded)} (median of ${LOADS} loads)`,
      );
    }
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}
