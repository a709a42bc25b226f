/**
 * Charts to PNG: resvg's WebAssembly build (no native code, no system fonts)
 * rasterises the chart's SVG from `chart_svg.ts`, the very document an SVG
 * output would hold, with the embedded font; `png_encode.ts` encodes the
 * pixels. Measured per chart of the chart bench on one core: rendering about
 * 30 ms, resvg's own encoder (`asPng()`) 35 ms, ours 4 ms.
 */
import { gunzipSync } from "node:zlib";
import { initWasm, Resvg, type ResvgRenderOptions } from "@resvg/resvg-wasm";
// The package's index_bg.wasm, gzipped (scripts/vendor_resvg_wasm.ts): the binary embeds 0.95 MB instead of 2.48 MB.
import gzippedWasm from "./vendor/resvg.wasm.gz" with { type: "bytes" };
import { CHART_FONT_BYTES, CHART_FONT_FAMILY } from "./chart_font.ts";
import type { BarChart } from "./chart_layout.ts";
import { barChartSvg } from "./chart_svg.ts";
import { encodePng } from "./png_encode.ts";

/** Renders charts to PNG bytes. */
export interface PngRenderer {
  /** A chart as a 1600×800 PNG file's bytes. */
  renderChart(chart: BarChart): Uint8Array<ArrayBuffer>;
  /** Any SVG document as PNG bytes, at its own size. */
  renderSvg(svg: string): Uint8Array<ArrayBuffer>;
}

/** Only the embedded font: the output is the same on every machine, fonts installed or not. */
const RENDER_OPTIONS: ResvgRenderOptions = {
  font: { fontBuffers: [CHART_FONT_BYTES], loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
};

let wasmReady: Promise<void> | undefined;

/**
 * Makes a renderer, initialising resvg's WebAssembly on the first call.
 * @example
 * ```ts
 * const renderer = await createPngRenderer();
 * const png = renderer.renderChart({ title: "API calls by region summary", bars: [{ label: "us-east-1", value: 3 }] });
 * ```
 */
export async function createPngRenderer(): Promise<PngRenderer> {
  wasmReady ??= initWasm(gunzipSync(gzippedWasm));
  await wasmReady;
  const renderSvg = (svg: string) => {
    const resvg = new Resvg(svg, RENDER_OPTIONS);
    try {
      const image = resvg.render();
      try {
        return encodePng(image.pixels, image.width, image.height);
      } finally {
        image.free();
      }
    } finally {
      resvg.free();
    }
  };
  return { renderSvg, renderChart: (chart) => renderSvg(barChartSvg(chart)) };
}
