/**
 * The HTML report: one self-contained page (inline CSS, inline script, inline SVG charts, no
 * network) with the header, the findings, the principals and the five sections. Pure: returns text.
 *
 * Safety: the page's only markup is ours. Every string from events travels in a JSON data block
 * (`<` written as `\u003c`, so nothing in it can close the block) and is put on the page by the
 * client script as text nodes; the charts are SVG whose text chart_svg.ts escaped. A
 * Content-Security-Policy meta tag allows no network at all and only our own script and styles
 * (by their SHA-256 hashes).
 *
 * Speed: tables are built in the browser one page at a time, the sections' after the first paint;
 * the chart of a principal or region is stored compressed and drawn when its row is opened, and
 * only the largest keys of each section get one ({@link MAX_KEY_CHARTS_PER_SECTION}); their
 * tables are always complete.
 */
import { createHash } from "node:crypto";
import { deflateRawSync } from "node:zlib";
import { riskScores, type Severity } from "../findings/findings.ts";
import type { CountSection, SectionName, Summary } from "../summary/types.ts";
import { keyChart, SECTION_CHARTS, sectionSummaryChart } from "./chart_set.ts";
import { barChartSvg, escapeXml } from "./chart_svg.ts";
import { compareCodePoints } from "./chart_text.ts";
import clientScript from "./html_client.js" with { type: "text" };
import styleSheet from "./html_report.css" with { type: "text" };

/** Keys of one section that get a chart of their own, largest first; the others show their table only. */
export const MAX_KEY_CHARTS_PER_SECTION = 100;

/** Column names of one section's tables. */
interface SectionHeadings {
  /** What a key is: "Principal" or "Region". */
  key: string;
  /** What the summary chart's value of a key is. */
  value: string;
  /** What a sub key is. */
  subKey: string;
}

const SECTION_HEADINGS: Record<SectionName, SectionHeadings> = {
  api_calls_by_principal: { key: "Principal", value: "Calls", subKey: "API call" },
  api_calls_by_region: { key: "Region", value: "Calls", subKey: "API call" },
  ip_addresses_by_principal: { key: "Principal", value: "IP addresses", subKey: "IP address" },
  user_agents_by_principal: { key: "Principal", value: "User agents", subKey: "User agent" },
  error_codes_by_principal: { key: "Principal", value: "Error codes", subKey: "Error code" },
};

/**
 * The page's first data block (`report-data`), read as the page opens. Each section's keys come in a
 * block of their own (`keys-<section>`) and the charts of keys in `chart-data`, after the script:
 * the browser shows the header, findings and principals before it has even read them.
 * Rows are arrays to keep the file small.
 */
export interface HtmlReportData {
  header: {
    account: string;
    principal: string;
    /** ISO 8601 UTC, or the text as found. */
    from: string;
    to: string;
    activityType: string;
    source: string;
    regionsRead: string[];
    /** `[region, error code]`. */
    regionsFailed: [string, string][];
    incomplete: boolean;
    /** `[label, count]`, e.g. `["read", 2647]`. */
    records: [string, number][];
    /** A multi-account roll-up's accounts: `[account id, name, status]`; empty for one account. */
    accounts: [string, string, string][];
  };
  /** Null when the summary has no findings section (an older file). */
  findings: FindingCells[] | null;
  principals: PrincipalCells[];
  /** Whether the principals rows carry more than their calls (summaries with a `principals` section). */
  principalDetails: boolean;
  sections: SectionData[];
  /** {@link MAX_KEY_CHARTS_PER_SECTION}, for the note on keys without a chart. */
  keyChartLimit: number;
}

/** severity, rule, principal, API call, description, count, first seen, last seen. */
type FindingCells = [Severity, string, string, string, string, number, string, string];
/** principal, first seen, last seen, calls, failed calls, regions, IP addresses, risk score. */
type PrincipalCells = [string, string, string, number, number | null, number | null, number | null, number];

/** One of the five sections. */
export interface SectionData {
  id: SectionName;
  title: string;
  headings: SectionHeadings;
}

/**
 * A section's keys, largest first: key, chart value, `[sub key, count][]`, and the index of its
 * chart in `chart-data` (deflate-raw compressed SVG, base64) or -1.
 */
export type SectionKeys = [string, number, [string, number][], number][];

interface PrincipalRow {
  first_seen?: unknown;
  last_seen?: unknown;
  total_calls?: unknown;
  failed_calls?: unknown;
  distinct_regions?: unknown;
  distinct_source_ips?: unknown;
}

interface FindingRow {
  severity?: unknown;
  rule?: unknown;
  principal?: unknown;
  api_call?: unknown;
  description?: unknown;
  count?: unknown;
  first_seen?: unknown;
  last_seen?: unknown;
  /** Sigma findings: the rule's author, shown as the rule's licence asks. */
  author?: unknown;
}

/**
 * Renders the report of `summary` as one HTML document.
 * @param summary a summary as written by this tool (older files without findings or principals too)
 * @example
 * ```ts
 * const html = renderHtmlReport(summary);
 * await Deno.writeTextFile("account_activity_123456789012_20250105140755.html", html);
 * ```
 */
export function renderHtmlReport(summary: Summary): string {
  const charts: string[] = [];
  const figures: string[] = [];
  const keys: SectionKeys[] = [];
  const sections = SECTION_CHARTS.map((section): SectionData => {
    const counts: CountSection = isRecord(summary[section.section]) ? summary[section.section] : {};
    const summaryChart = sectionSummaryChart(section, counts);
    figures.push(summaryChart.bars.length === 0 ? "" : barChartSvg(summaryChart));
    // The summary chart's order: largest first, ties by code point.
    const largestFirst = summaryChart.bars.map((bar) => [bar.label, bar.value] as const)
      .sort((left, right) => right[1] - left[1] || compareCodePoints(left[0], right[0]));
    keys.push(largestFirst.map(([key, value], rank) => {
      const subCounts = isRecord(counts[key]) ? counts[key] : {};
      const rows = Object.entries(subCounts).map(([subKey, count]): [string, number] => [subKey, Number(count)])
        .sort((left, right) => right[1] - left[1]);
      let chart = -1;
      if (rank < MAX_KEY_CHARTS_PER_SECTION && rows.length > 0) {
        chart = charts.push(compressedSvg(barChartSvg(keyChart(section, key, subCounts)))) - 1;
      }
      return [key, value, rows, chart];
    }));
    return { id: section.section, title: section.subject, headings: SECTION_HEADINGS[section.section] };
  });
  const data: HtmlReportData = {
    header: headerData(summary),
    ...principalsData(summary),
    findings: findingsData(summary),
    sections,
    keyChartLimit: MAX_KEY_CHARTS_PER_SECTION,
  };
  const laterBlocks = [
    ...sections.map((section, index) => dataBlock(`keys-${section.id}`, keys[index])),
    dataBlock("chart-data", charts),
  ];
  return page(data, figures, laterBlocks, summary);
}

function dataBlock(id: string, value: unknown): string {
  return `<script type="application/json" id="${id}">${jsonForScriptBlock(value)}</script>`;
}

function page(data: HtmlReportData, figures: string[], laterBlocks: string[], summary: Summary): string {
  const styleHashes = new Set([hash(styleSheet)]);
  // The charts carry a <style> of their own; the policy must allow it wherever a chart is drawn.
  for (const svg of [...figures, barChartSvg({ title: "", bars: [] })]) {
    for (const match of svg.matchAll(/<style>([^<]*)<\/style>/g)) styleHashes.add(hash(match[1]!));
  }
  const policy = [
    "default-src 'none'",
    `script-src '${hash(clientScript)}'`,
    `style-src ${[...styleHashes].map((value) => `'${value}'`).join(" ")}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  const account = escapeXml(String(summary._metadata?.account_id ?? ""));
  const sectionParts = data.sections.map((section, index) => {
    const figure = figures[index]
      ? `<figure class="chart" aria-label="${escapeXml(section.title)} summary chart">${figures[index]}</figure>`
      : `<p class="empty">No data in this section.</p>`;
    return `<section id="${section.id}" aria-labelledby="${section.id}-heading">` +
      `<h2 id="${section.id}-heading">${escapeXml(section.title)}</h2>${figure}` +
      `<div class="table-slot" data-section="${section.id}"></div></section>`;
  });
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>AWS account activity ${account}</title>
<style>${styleSheet}</style>
</head>
<body>
<header id="report-header"><h1>AWS account activity</h1>
<noscript><p class="warning">This report needs JavaScript to show its tables; the charts below show without it.</p>
</noscript>
</header>
<nav aria-label="Contents"><ul>
<li><a href="#findings">Findings</a></li><li><a href="#principals">Principals</a></li>
${data.sections.map((section) => `<li><a href="#${section.id}">${escapeXml(section.title)}</a></li>`).join("")}
</ul></nav>
<main>
<section id="findings" aria-labelledby="findings-heading"><h2 id="findings-heading">Findings</h2>
<div class="table-slot" data-table="findings"></div></section>
<section id="principals" aria-labelledby="principals-heading"><h2 id="principals-heading">Principals</h2>
<div class="table-slot" data-table="principals"></div></section>
${sectionParts.join("\n")}
</main>
${dataBlock("report-data", data)}
<script>${clientScript}</script>
${laterBlocks.join("\n")}
</body>
</html>
`;
}

function headerData(summary: Summary): HtmlReportData["header"] {
  const metadata = isRecord(summary._metadata) ? summary._metadata : {} as Summary["_metadata"];
  const analyzed: Record<string, unknown> = isRecord(metadata.cloudtrail_data_analyzed)
    ? metadata.cloudtrail_data_analyzed
    : {};
  const enabled = Array.isArray(metadata.regions_enabled) ? metadata.regions_enabled.map(String) : [];
  const records = (["read", "counted", "unreadable", "with_unrecognized_identity"] as const)
    .map((name) => [name.replaceAll("_", " "), metadata[`records_${name}`]] as const)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number");
  return {
    account: String(metadata.account_id ?? ""),
    principal: String(metadata.account_principal ?? ""),
    from: isoFromCompact(analyzed.from_timestamp),
    to: isoFromCompact(analyzed.to_timestamp),
    activityType: String(metadata.activity_type ?? ""),
    source: typeof metadata.source === "string" ? metadata.source : "CloudTrail event history (LookupEvents)",
    regionsRead: Array.isArray(metadata.regions_read) ? metadata.regions_read.map(String) : enabled,
    regionsFailed: Object.entries(isRecord(metadata.regions_failed) ? metadata.regions_failed : {})
      .map(([region, code]) => [region, String(code)]),
    incomplete: metadata.incomplete === true,
    records,
    accounts: Object.entries(isRecord(metadata.accounts) ? metadata.accounts : {}).map(([id, outcome]) => {
      const fields: Record<string, unknown> = isRecord(outcome) ? outcome : {};
      return [id, String(fields.name ?? ""), String(fields.status ?? "")];
    }),
  };
}

function findingsData(summary: Summary): FindingCells[] | null {
  if (!Array.isArray(summary.findings)) return null;
  return (summary.findings as FindingRow[]).map((finding) => [
    String(finding.severity) as Severity,
    String(finding.rule ?? ""),
    String(finding.principal ?? ""),
    String(finding.api_call ?? ""),
    String(finding.description ?? "") +
    (typeof finding.author === "string" ? ` (Sigma rule by ${finding.author})` : ""),
    Number(finding.count ?? 0),
    String(finding.first_seen ?? ""),
    String(finding.last_seen ?? ""),
  ]);
}

function principalsData(summary: Summary): Pick<HtmlReportData, "principals" | "principalDetails"> {
  const findings = Array.isArray(summary.findings) ? summary.findings : [];
  const risk = new Map(riskScores(findings).map((score) => [score.principal, score.score]));
  const orNull = (value: unknown) => (typeof value === "number" ? value : null);
  if (isRecord(summary.principals)) {
    const rows = summary.principals as Record<string, PrincipalRow>;
    return {
      principalDetails: true,
      principals: Object.entries(rows).map(([principal, row]) => [
        principal,
        String(row?.first_seen ?? ""),
        String(row?.last_seen ?? ""),
        Number(row?.total_calls ?? 0),
        orNull(row?.failed_calls),
        orNull(row?.distinct_regions),
        orNull(row?.distinct_source_ips),
        risk.get(principal) ?? 0,
      ]),
    };
  }
  // Summaries from before the principals section: the calls are all there is.
  const calls = isRecord(summary.api_calls_by_principal) ? summary.api_calls_by_principal : {};
  return {
    principalDetails: false,
    principals: Object.entries(calls).map(([principal, counts]) => [
      principal,
      "",
      "",
      Object.values(isRecord(counts) ? counts : {}).reduce((sum: number, count) => sum + Number(count), 0),
      null,
      null,
      null,
      risk.get(principal) ?? 0,
    ]),
  };
}

/** `YYYYMMDDHHMMSS` as `YYYY-MM-DDTHH:MM:SSZ` (the findings' format); anything else as it is. */
function isoFromCompact(compact: unknown): string {
  const text = String(compact ?? "");
  const parts = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text);
  return parts ? `${parts[1]}-${parts[2]}-${parts[3]}T${parts[4]}:${parts[5]}:${parts[6]}Z` : text;
}

/**
 * JSON that is safe inside `<script type="application/json">`: `<` as `\u003c`, so neither
 * `</script>` nor `<!--` in a label can end or change the block.
 */
export function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

function compressedSvg(svg: string): string {
  return deflateRawSync(new TextEncoder().encode(svg), { level: 9 }).toString("base64");
}

/** A CSP source expression for inline text. */
function hash(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
