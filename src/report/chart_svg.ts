/** Bar charts as SVG text (no DOM): the portable form of a chart, and what the PNG renderer rasterises. */
import { CHART_FONT_FAMILY } from "./chart_font.ts";
import { type BarChart, type ChartDrawing, type DrawnText, layoutBarChart } from "./chart_layout.ts";

/**
 * Left-to-right override … pop directional formatting around every text: labels show their characters in typed
 * order, whatever their script, in resvg (which ignores CSS `unicode-bidi`) and in browsers alike. Label text
 * never holds bidi controls itself (`chart_text.ts` shows them as escapes), so nothing inside can end the override.
 */
const LEFT_TO_RIGHT_OVERRIDE = "\u202D";
const POP_DIRECTIONAL_FORMATTING = "\u202C";

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
function drawingSvg(drawing: ChartDrawing): string {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${drawing.width}" height="${drawing.height}" ` +
    `viewBox="0 0 ${drawing.width} ${drawing.height}" font-family="${CHART_FONT_FAMILY}" xml:space="preserve">`,
    `<rect width="${drawing.width}" height="${drawing.height}" fill="${drawing.background}"/>`,
  ];
  for (const rectangle of drawing.rectangles) {
    lines.push(
      `<rect x="${number(rectangle.x)}" y="${number(rectangle.y)}" width="${number(rectangle.width)}" ` +
        `height="${number(rectangle.height)}" fill="${rectangle.fill}"/>`,
    );
  }
  lines.push(...drawing.texts.map(textElement));
  lines.push("</svg>");
  return lines.join("\n") + "\n";
}

function textElement(text: DrawnText): string {
  return `<text x="${number(text.x)}" y="${number(text.y)}" font-size="${number(text.size)}" ` +
    `text-anchor="${text.anchor}" fill="${text.fill}">` +
    `${LEFT_TO_RIGHT_OVERRIDE}${escapeXml(text.text)}${POP_DIRECTIONAL_FORMATTING}</text>`;
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
