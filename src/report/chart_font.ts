/**
 * The one font every chart uses, embedded in the program so the output is the
 * same on machines without fonts: DejaVu Sans (its licence ships with the
 * `dejavu-fonts-ttf` package).
 */
import fontBytes from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "bytes" };
import { type FontMetrics, parseFontMetrics } from "./font_metrics.ts";

/** The font family name the SVG refers to. */
export const CHART_FONT_FAMILY = "DejaVu Sans";

/** The TrueType file of {@link CHART_FONT_FAMILY}. */
export const CHART_FONT_BYTES: Uint8Array = fontBytes;

let metrics: FontMetrics | undefined;

/** The metrics of the chart font, parsed on first use (about 5 ms). */
export function chartFontMetrics(): FontMetrics {
  metrics ??= parseFontMetrics(CHART_FONT_BYTES);
  return metrics;
}
