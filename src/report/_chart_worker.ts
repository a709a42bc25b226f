/**
 * A Web Worker that renders charts to PNG for `plots.ts`: receives
 * `{ index, chart }`, answers `{ index, png }` (the bytes transferred) or
 * `{ index, error }`. resvg's WebAssembly is initialised as soon as the worker starts, before the first chart.
 */
/// <reference lib="deno.worker" />
import type { BarChart } from "./chart_layout.ts";
import { createPngRenderer } from "./png.ts";

/** A chart to render. */
export interface ChartRequest {
  readonly index: number;
  readonly chart: BarChart;
}

/** The rendered chart, or why it failed. */
export type ChartResponse =
  | { readonly index: number; readonly png: Uint8Array }
  | { readonly index: number; readonly error: string };

const renderer = createPngRenderer();

self.onmessage = async (event: MessageEvent<ChartRequest>) => {
  const { index, chart } = event.data;
  try {
    const png = (await renderer).renderChart(chart);
    self.postMessage({ index, png } satisfies ChartResponse, [png.buffer]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    self.postMessage({ index, error: message } satisfies ChartResponse);
  }
};
