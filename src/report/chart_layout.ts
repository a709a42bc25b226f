/**
 * Lays out a horizontal bar chart: where every bar, line and piece of text goes
 * on a 1600×800 canvas. Pure; the SVG and the PNG renderer both draw from it.
 */
// Only the two d3 modules the layout needs: the `d3` bundle would load (and the binary embed) all of d3.
// @ts-types="@types/d3-format"
import { format } from "d3-format";
// @ts-types="@types/d3-scale"
import { scaleBand, scaleLinear } from "d3-scale";
import { chartFontMetrics } from "./chart_font.ts";
import {
  compareCodePoints,
  cutToLength,
  cutToWidth,
  displayPieces,
  textWidthEm,
  TRUNCATION_MARK,
} from "./chart_text.ts";

/** One bar: its key and its count. */
export interface Bar {
  readonly label: string;
  readonly value: number;
}

/** A chart to draw: a title and bars in any order. */
export interface BarChart {
  readonly title: string;
  readonly bars: ReadonlyArray<Bar>;
}

/** An axis-aligned filled rectangle. */
export interface DrawnRectangle {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly fill: string;
}

/** A single line of text, already safe to show (see `chart_text.ts`). */
export interface DrawnText {
  /** Anchor point: start, middle or end of the text, per `anchor`. */
  readonly x: number;
  /** Baseline, on a whole pixel. */
  readonly y: number;
  readonly text: string;
  /** Font size in pixels. */
  readonly size: number;
  readonly anchor: "start" | "middle" | "end";
  readonly fill: string;
}

/** Everything a chart shows, back to front: rectangles first, then text. */
export interface ChartDrawing {
  readonly width: number;
  readonly height: number;
  readonly background: string;
  readonly rectangles: readonly DrawnRectangle[];
  readonly texts: readonly DrawnText[];
}

/** Chart size in pixels. */
export const CHART_WIDTH = 1600;
/** Chart size in pixels. */
export const CHART_HEIGHT = 800;
/** Bars shown at most; a `[...]` row follows when more were cut. */
export const MAX_BARS = 40;
/** Labels longer than this many characters are cut… */
export const MAX_LABEL_LENGTH = 85;
/** …to this many characters plus `[...]`. */
export const KEPT_LABEL_LENGTH = MAX_LABEL_LENGTH - TRUNCATION_MARK.length;
/** The colour of the bars. */
export const BAR_COLOR = "#e4af00";

const MARGIN = 16;
const TEXT_COLOR = "#1f1f1f";
const MUTED_TEXT_COLOR = "#666666";
const AXIS_COLOR = "#555555";
const GRID_COLOR = "#e6e6e6";
const TITLE_SIZE = 20;
const MIN_TEXT_SIZE = 8;
const TICK_LABEL_SIZE = 12;
const MAX_LABEL_SIZE = 13;
const MAX_ROW_STEP = 40;
const PLOT_TOP = 56;
const PLOT_BOTTOM = CHART_HEIGHT - 44;
const PLOT_RIGHT = CHART_WIDTH - 24;
/** Labels take at most this share of the width, so the bars keep room. */
const MAX_LABEL_COLUMN = CHART_WIDTH / 2 - MARGIN;
const LABEL_GAP = 8;
const COUNT_GAP = 5;
/** Baseline below the middle of a row, in ems: half the height of DejaVu's digits and capitals. */
const CENTERING_DROP_EM = 0.36;
const formatCount = format(",");

/**
 * Lays out `chart`: bars sorted largest first (ties by label, in code point
 * order), at most {@link MAX_BARS} then a `[...]` row, labels cut per doc/summary-rules.md
 * and to the label column, the count at the end of every bar, integer ticks.
 * @throws {RangeError} when a value is negative or not a finite number
 * @example
 * ```ts
 * const drawing = layoutBarChart({ title: "API calls by region summary", bars: [{ label: "us-east-1", value: 3 }] });
 * drawing.texts.some((text) => text.text === "us-east-1"); // true
 * ```
 */
export function layoutBarChart(chart: BarChart): ChartDrawing {
  const metrics = chartFontMetrics();
  for (const bar of chart.bars) {
    if (!Number.isFinite(bar.value) || bar.value < 0) {
      throw new RangeError(`Cannot chart the value ${bar.value} of '${bar.label}': counts are finite and not negative`);
    }
  }
  const sorted = [...chart.bars].sort((left, right) =>
    right.value - left.value || compareCodePoints(left.label, right.label)
  );
  const shown = sorted.slice(0, MAX_BARS);
  const cut = sorted.length > MAX_BARS;
  const rowCount = shown.length + (cut ? 1 : 0);

  const labels = shown.map((bar) =>
    cutToLength(displayPieces(bar.label, metrics), MAX_LABEL_LENGTH, KEPT_LABEL_LENGTH)
  );
  const rows = scaleBand<number>()
    .domain(Array.from({ length: rowCount }, (_, index) => index))
    .range([PLOT_TOP, PLOT_TOP + Math.min(MAX_ROW_STEP * rowCount, PLOT_BOTTOM - PLOT_TOP)])
    .paddingInner(0.2)
    .paddingOuter(0.4);
  const widestLabelEm = Math.max(0, ...labels.map((label) => textWidthEm(label, metrics)));
  const labelSize = fitSize(
    Math.min(MAX_LABEL_SIZE, rows.step() * 0.75),
    MAX_LABEL_COLUMN / Math.max(widestLabelEm, 1),
  );
  const fittedLabels = labels.map((label) => cutToWidth(label, MAX_LABEL_COLUMN / labelSize, metrics));
  const labelColumn = Math.ceil(Math.max(0, ...fittedLabels.map((label) => textWidthEm(label, metrics))) * labelSize);
  const plotLeft = MARGIN + Math.max(labelColumn, 24) + LABEL_GAP;

  const largest = Math.max(0, ...shown.map((bar) => bar.value));
  const countReserve = textWidthEm(formatCount(largest), metrics) * labelSize + COUNT_GAP + 4;
  const x = scaleLinear().domain([0, Math.max(largest, 1)]).range([plotLeft, PLOT_RIGHT - countReserve]).nice();
  const ticks = x.ticks(10).filter(Number.isInteger);

  const rectangles: DrawnRectangle[] = [];
  const texts: DrawnText[] = [titleText(chart.title)];
  for (const tick of ticks) {
    const tickX = Math.round(x(tick));
    rectangles.push({ x: tickX, y: PLOT_TOP, width: 1, height: PLOT_BOTTOM - PLOT_TOP, fill: GRID_COLOR });
    rectangles.push({ x: tickX, y: PLOT_BOTTOM, width: 1, height: 6, fill: AXIS_COLOR });
    texts.push({
      x: tickX + 0.5,
      y: PLOT_BOTTOM + 8 + Math.round(TICK_LABEL_SIZE * 0.93),
      text: formatCount(tick),
      size: TICK_LABEL_SIZE,
      anchor: "middle",
      fill: TEXT_COLOR,
    });
  }
  shown.forEach((bar, index) => {
    const top = Math.round(rows(index) ?? 0);
    const height = Math.max(1, Math.round(rows.bandwidth()));
    const baseline = Math.round(top + height / 2 + CENTERING_DROP_EM * labelSize);
    const end = x(bar.value);
    // A count above zero stays visible however long the largest bar is.
    const width = bar.value > 0 ? Math.max(1, end - plotLeft) : 0;
    rectangles.push({ x: plotLeft, y: top, width, height, fill: BAR_COLOR });
    texts.push({
      x: plotLeft - LABEL_GAP,
      y: baseline,
      text: fittedLabels[index] ?? "",
      size: labelSize,
      anchor: "end",
      fill: TEXT_COLOR,
    });
    texts.push({
      x: end + COUNT_GAP,
      y: baseline,
      text: formatCount(bar.value),
      size: labelSize,
      anchor: "start",
      fill: TEXT_COLOR,
    });
  });
  if (cut) {
    const top = rows(shown.length) ?? 0;
    texts.push({
      x: plotLeft - LABEL_GAP,
      y: Math.round(top + rows.bandwidth() / 2 + CENTERING_DROP_EM * labelSize),
      text: TRUNCATION_MARK,
      size: labelSize,
      anchor: "end",
      fill: MUTED_TEXT_COLOR,
    });
  }
  if (shown.length === 0) {
    texts.push({
      x: Math.round((plotLeft + PLOT_RIGHT) / 2),
      y: Math.round((PLOT_TOP + PLOT_BOTTOM) / 2),
      text: "No data",
      size: 16,
      anchor: "middle",
      fill: MUTED_TEXT_COLOR,
    });
  }
  rectangles.push({ x: plotLeft - 1, y: PLOT_TOP, width: 1, height: PLOT_BOTTOM - PLOT_TOP + 1, fill: AXIS_COLOR });
  rectangles.push({ x: plotLeft - 1, y: PLOT_BOTTOM, width: PLOT_RIGHT - plotLeft + 1, height: 1, fill: AXIS_COLOR });
  return { width: CHART_WIDTH, height: CHART_HEIGHT, background: "#ffffff", rectangles, texts };
}

/** The title, left-aligned; smaller (down to a minimum) then cut when it is too wide. */
function titleText(title: string): DrawnText {
  const metrics = chartFontMetrics();
  const display = displayPieces(title, metrics).join("");
  const available = CHART_WIDTH - 2 * MARGIN;
  const size = fitSize(TITLE_SIZE, available / Math.max(textWidthEm(display, metrics), 1));
  return {
    x: MARGIN,
    y: MARGIN + Math.round(TITLE_SIZE * 0.93),
    text: cutToWidth(display, available / size, metrics),
    size,
    anchor: "start",
    fill: TEXT_COLOR,
  };
}

/** The largest size up to `preferred`, in half pixels, that fits `fitting`. */
function fitSize(preferred: number, fitting: number): number {
  return Math.max(MIN_TEXT_SIZE, Math.floor(Math.min(preferred, fitting) * 2) / 2);
}
