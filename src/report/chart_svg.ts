/** Bar charts as SVG text (no DOM): the portable form of a chart, and what the PNG renderer rasterises. */
import { CHART_FONT_FAMILY } from "./chart_font.ts";
import { type BarChart, type ChartDrawing, type DrawnText, layoutBarChart } from "./chart_layout.ts";

/** How {@link drawingSvg} writes. */
export interface DrawingSvgOptions {
  /**
   * Whether to include the text; the PNG renderer draws text itself from cached glyphs.
   * @default true
   */
  text?: boolean;
  /**
   * Whether to paint the background; resvg fills it faster as a render option.
   * @default true
   */
  background?: boolean;
}

/**
 * Renders `chart` as a 1600×800 SVG document: horizontal bars, largest on top.
 * Every string is XML-escaped, and characters a viewer could hide or reorder are
 * shown as escapes (see `chart_text.ts`).
 * @throws {RangeError} when a value is negative or not a finite number
 * @example
 * ```ts
 * const svg = barChartSvg({ title: "API calls by region summary", bars: [{ label: "us-east-1", value: 3 }] });
 * svg.startsWith("<svg"); // true
 * ```
 */
export function barChartSvg(chart: BarChart): string {
  return drawingSvg(layoutBarChart(chart));
}

/** Writes a laid-out chart as SVG text. */
export function drawingSvg(drawing: ChartDrawing, options: DrawingSvgOptions = {}): string {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${drawing.height}" ` +
    `viewBox="0 0 ${drawing.width} ${drawing.height}" font-family="${CHART_FONT_FAMILY}" xml:space="preserve">`,
    // Labels are shown in the order of their characters, whatever their script.
    `<style>text{direction:ltr;unicode-bidi:bidi-override}</style>`,
  ];
  if (options.background ?? true) {
    lines.push(`<rect width="${drawing.width}" height="${drawing.height}" fill="${drawing.background}"/>`);
  }
  for (const rectangle of drawing.rectangles) {
    lines.push(
      `<rect x="${number(rectangle.x)}" y="${number(rectangle.y)}" width="${number(rectangle.width)}" ` +
        `height="${number(rectangle.height)}" fill="${rectangle.fill}"/>`,
    );
  }
  if (options.text ?? true) lines.push(...drawing.texts.map(textElement));
  lines.push("</svg>");
  return lines.join("\n") + "\n";
}

function textElement(text: DrawnText): string {
  return `<text x="${number(text.x)}" y="${number(text.y)}" font-size="${number(text.size)}" ` +
    `text-anchor="${text.anchor}" fill="${text.fill}">${escapeXml(text.text)}</text>`;
}

/** Coordinates with at most two decimals, so the text stays short and stable. */
function number(value: number): string {
  return String(Math.round(value * 100) / 100);
}

const XML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

/** Escapes the five XML special characters. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ENTITIES[character] ?? character);
}
