/** Which charts a summary gets, with their titles and file paths (the Python tool's set). */
import type { CountSection, SectionName, Summary } from "../summary/types.ts";
import { type BarChart, KEPT_LABEL_LENGTH, MAX_LABEL_LENGTH } from "./chart_layout.ts";
import { cutToLength } from "./chart_text.ts";
import { uniqueFileNames } from "./file_names.ts";

/** One chart to render and where it goes. */
export interface ChartJob {
  /** Path relative to the plots folder, `/`-separated: `<section>_summary.png` or `<section>/<name>.png`. */
  readonly path: string;
  readonly chart: BarChart;
}

/** How one section is charted. */
export interface SectionCharts {
  readonly section: SectionName;
  /** Title words, e.g. "API calls by principal". */
  readonly subject: string;
  /** How the summary chart sizes a key's bar: total calls, or number of distinct sub keys. */
  readonly summaryValue: (counts: Record<string, number>) => number;
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);
const distinct = (counts: Record<string, number>) => Object.keys(counts).length;

/** The sections in the order the Python tool drew them. */
export const SECTION_CHARTS: readonly SectionCharts[] = [
  { section: "api_calls_by_principal", subject: "API calls by principal", summaryValue: total },
  { section: "api_calls_by_region", subject: "API calls by region", summaryValue: total },
  { section: "ip_addresses_by_principal", subject: "IP addresses by principal", summaryValue: distinct },
  { section: "user_agents_by_principal", subject: "User agents by principal", summaryValue: distinct },
  { section: "error_codes_by_principal", subject: "Error codes by principal", summaryValue: distinct },
];

/**
 * Every chart of `summary`: per section a `<section>_summary` chart (one bar per
 * principal or region) and one chart per principal or region with its keys.
 * Like the Python tool, a chart with nothing to show is left out.
 * @example
 * ```ts
 * chartsForSummary(summary).map((job) => job.path);
 * // ["api_calls_by_principal_summary.png", "api_calls_by_principal/123456789012_user_bob.png", …]
 * ```
 */
export function chartsForSummary(summary: Summary): ChartJob[] {
  const jobs: ChartJob[] = [];
  for (const charts of SECTION_CHARTS) {
    const counts = summary[charts.section] ?? {};
    const summaryChart = sectionSummaryChart(charts, counts);
    if (summaryChart.bars.length > 0) jobs.push({ path: `${charts.section}_summary.png`, chart: summaryChart });
    const fileNames = uniqueFileNames(Object.keys(counts));
    for (const [key, fileName] of fileNames) {
      const chart = keyChart(charts, key, counts[key] ?? {});
      if (chart.bars.length === 0) continue;
      jobs.push({ path: `${charts.section}/${fileName}.png`, chart });
    }
  }
  return jobs;
}

/** The `<section>_summary` chart: one bar per principal or region. */
export function sectionSummaryChart(charts: SectionCharts, counts: CountSection): BarChart {
  const bars = Object.keys(counts).map((key) => ({ label: key, value: charts.summaryValue(counts[key] ?? {}) }));
  return { title: `${charts.subject} summary`, bars };
}

/** The chart of one principal or region of a section: one bar per sub key. */
export function keyChart(charts: SectionCharts, key: string, counts: Record<string, number>): BarChart {
  return {
    title: `${charts.subject} '${cutToLength([...key], MAX_LABEL_LENGTH, KEPT_LABEL_LENGTH)}'`,
    bars: Object.entries(counts).map(([label, value]) => ({ label, value })),
  };
}
