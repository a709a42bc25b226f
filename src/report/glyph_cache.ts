/**
 * Anti-aliased glyph masks, rasterised by resvg once per character, size and
 * quarter-pixel offset and then reused. Profiling showed resvg spending about
 * 17 ms shaping and 50 ms rasterising the text of one 40-bar chart, against
 * 5 ms for everything else; chart text repeats, so drawing it from cached masks
 * takes about 2 ms instead.
 */
import { Resvg } from "@resvg/resvg-wasm";
import { CHART_FONT_BYTES, CHART_FONT_FAMILY, chartFontMetrics } from "./chart_font.ts";
import { escapeXml } from "./chart_svg.ts";

/** Sub-pixel positions a glyph is rasterised at: 0, ¼, ½ and ¾ of a pixel. */
export const GLYPH_PHASES = 4;

/** The coverage of one glyph, placed relative to its pen position (whole pixel) and baseline. */
export interface GlyphMask {
  /** Columns from the pen position to the mask's left edge. */
  readonly left: number;
  /** Rows from the baseline to the mask's top edge (negative: above the baseline). */
  readonly top: number;
  readonly width: number;
  readonly height: number;
  /** `width × height` coverage values, 0–255, row by row. */
  readonly coverage: Uint8Array;
}

/** One glyph to rasterise. */
export interface GlyphKey {
  readonly character: string;
  /** Font size in pixels. */
  readonly size: number;
  /** Sub-pixel offset, 0 to {@link GLYPH_PHASES} − 1. */
  readonly phase: number;
}

const ATLAS_WIDTH = 2048;
const EMPTY_MASK: GlyphMask = { left: 0, top: 0, width: 0, height: 0, coverage: new Uint8Array() };

interface AtlasCell {
  readonly key: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Pen position inside the cell (whole pixels; the phase is added in the SVG). */
  readonly penX: number;
  readonly baseline: number;
}

/** Glyph masks of the chart font; needs resvg's WebAssembly initialised. */
export class GlyphCache {
  #masks = new Map<string, GlyphMask>();

  /** The mask of `key`; {@link prepare} must have seen it. */
  get(key: GlyphKey): GlyphMask {
    return this.#masks.get(cacheKey(key)) ?? EMPTY_MASK;
  }

  /**
   * Rasterises, in one resvg call, the glyphs of `keys` that are not cached yet:
   * each character and size once, at offset 0; the quarter-pixel offsets are
   * derived from that mask by shifting its coverage, which cut a worker's first
   * chart from ~350 ms (every offset through resvg) to about a quarter of that.
   */
  prepare(keys: Iterable<GlyphKey>): void {
    const shifted = new Map<string, GlyphKey>();
    const missing = new Map<string, GlyphKey>();
    for (const key of keys) {
      const name = cacheKey(key);
      if (this.#masks.has(name)) continue;
      const base = { ...key, phase: 0 };
      if (!this.#masks.has(cacheKey(base))) missing.set(cacheKey(base), base);
      if (key.phase !== 0) shifted.set(name, key);
    }
    if (missing.size > 0) this.#rasterise(missing);
    for (const [name, key] of shifted) {
      this.#masks.set(name, shiftMask(this.#masks.get(cacheKey({ ...key, phase: 0 })) ?? EMPTY_MASK, key.phase));
    }
  }

  #rasterise(missing: Map<string, GlyphKey>): void {
    const { cells, svg } = atlasSvg(missing);
    const renderer = new Resvg(svg, {
      font: { fontBuffers: [CHART_FONT_BYTES], defaultFontFamily: CHART_FONT_FAMILY },
    });
    const image = renderer.render();
    const pixels = image.pixels;
    for (const cell of cells) this.#masks.set(cell.key, cutMask(pixels, image.width, cell));
    image.free();
    renderer.free();
  }
}

/**
 * The mask of a glyph drawn `phase` quarter pixels further right: each column's
 * coverage spreads over it and its right neighbour in proportion (one more column).
 */
function shiftMask(mask: GlyphMask, phase: number): GlyphMask {
  if (mask.width === 0) return mask;
  const fraction = phase / GLYPH_PHASES;
  const width = mask.width + 1;
  const coverage = new Uint8Array(width * mask.height);
  for (let row = 0; row < mask.height; row++) {
    let previous = 0;
    for (let column = 0; column < width; column++) {
      const current = column < mask.width ? mask.coverage[row * mask.width + column]! : 0;
      coverage[row * width + column] = Math.round(current * (1 - fraction) + previous * fraction);
      previous = current;
    }
  }
  return { ...mask, width, coverage };
}

function cacheKey(key: GlyphKey): string {
  return `${key.size}|${key.phase}|${key.character}`;
}

/**
 * Lays the glyphs out in rows of cells roomy enough for accents and overhangs,
 * one row per font size at a time. A row is one `<text>` with a position per
 * character: as many glyphs, 4–7× faster to lay out than one `<text>` each.
 */
function atlasSvg(glyphs: Map<string, GlyphKey>): { cells: AtlasCell[]; svg: string } {
  const metrics = chartFontMetrics();
  const cells: AtlasCell[] = [];
  const texts: string[] = [];
  let y = 0;
  const bySize = Map.groupBy(glyphs, ([, glyph]) => glyph.size);
  for (const [size, sized] of bySize) {
    const padding = Math.ceil(size * 0.5) + 2;
    const above = Math.ceil(size * 1.3) + 2;
    const height = above + Math.ceil(size * 0.5) + 2;
    let row: { characters: string; positions: number[] } = { characters: "", positions: [] };
    let x = 0;
    const endRow = () => {
      if (row.positions.length > 0) {
        texts.push(
          `<text x="${row.positions.join(" ")}" y="${y + above}" font-size="${size}">${
            escapeXml(row.characters)
          }</text>`,
        );
      }
      row = { characters: "", positions: [] };
      x = 0;
      y += height;
    };
    for (const [key, glyph] of sized) {
      const advance = (metrics.advance(glyph.character.codePointAt(0) ?? 0) ?? 0) / metrics.unitsPerEm;
      const width = Math.ceil(advance * size) + 2 * padding;
      if (x + width > ATLAS_WIDTH) endRow();
      const cell = { key, x, y, width, height, penX: x + padding, baseline: y + above };
      cells.push(cell);
      if (glyph.character.length > 1) {
        // Above U+FFFF: its own element, as positions may count UTF-16 units.
        texts.push(
          `<text x="${cell.penX + glyph.phase / GLYPH_PHASES}" y="${cell.baseline}" font-size="${size}">` +
            `${escapeXml(glyph.character)}</text>`,
        );
      } else {
        row.characters += glyph.character;
        row.positions.push(cell.penX + glyph.phase / GLYPH_PHASES);
      }
      x += width;
    }
    endRow();
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${ATLAS_WIDTH}" height="${y}" ` +
    `font-family="${CHART_FONT_FAMILY}" fill="#000" xml:space="preserve">${texts.join("")}</svg>`;
  return { cells, svg };
}

/** The alpha of one cell, trimmed to the rows and columns that have ink. */
function cutMask(pixels: Uint8Array, atlasWidth: number, cell: AtlasCell): GlyphMask {
  let minX = cell.width, minY = cell.height, maxX = -1, maxY = -1;
  for (let row = 0; row < cell.height; row++) {
    for (let column = 0; column < cell.width; column++) {
      if (pixels[((cell.y + row) * atlasWidth + cell.x + column) * 4 + 3] === 0) continue;
      minX = Math.min(minX, column);
      maxX = Math.max(maxX, column);
      minY = Math.min(minY, row);
      maxY = Math.max(maxY, row);
    }
  }
  if (maxX < 0) return EMPTY_MASK;
  const width = maxX - minX + 1;
  const height = maxY - minY + 1;
  const coverage = new Uint8Array(width * height);
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      coverage[row * width + column] = pixels[((cell.y + minY + row) * atlasWidth + cell.x + minX + column) * 4 + 3]!;
    }
  }
  return { left: cell.x + minX - cell.penX, top: cell.y + minY - cell.baseline, width, height, coverage };
}
