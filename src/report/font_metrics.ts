/** Reads what chart layout needs from a TrueType font: which characters it draws and how wide they are. */

/** Horizontal metrics of one font, in font units. */
export interface FontMetrics {
  /** Font units per em (2048 for DejaVu Sans). */
  readonly unitsPerEm: number;
  /** Height above the baseline, in font units (`hhea` ascender). */
  readonly ascender: number;
  /** Advance width of the character, or undefined when the font has no glyph for it. */
  advance(codePoint: number): number | undefined;
}

interface TableDirectory {
  view: DataView;
  tables: Map<string, number>;
}

/**
 * Parses the `head`, `hhea`, `hmtx` and `cmap` tables of a TrueType/OpenType font.
 * @throws {SyntaxError} when a table is missing or no Unicode character map is found
 * @example
 * ```ts
 * import font from "dejavu-fonts-ttf/ttf/DejaVuSans.ttf" with { type: "bytes" };
 * const metrics = parseFontMetrics(font);
 * metrics.advance(0x41); // 1401
 * ```
 */
export function parseFontMetrics(font: Uint8Array): FontMetrics {
  const directory = readTableDirectory(font);
  const view = directory.view;
  const head = tableOffset(directory, "head");
  const hhea = tableOffset(directory, "hhea");
  const hmtx = tableOffset(directory, "hmtx");
  const unitsPerEm = view.getUint16(head + 18);
  const ascender = view.getInt16(hhea + 4);
  const horizontalMetricCount = view.getUint16(hhea + 34);
  const glyphIds = readUnicodeCharacterMap(view, tableOffset(directory, "cmap"));
  const advanceOfGlyph = (glyphId: number) => view.getUint16(hmtx + 4 * Math.min(glyphId, horizontalMetricCount - 1));
  return {
    unitsPerEm,
    ascender,
    advance(codePoint) {
      const glyphId = glyphIds.get(codePoint);
      return glyphId === undefined ? undefined : advanceOfGlyph(glyphId);
    },
  };
}

function readTableDirectory(font: Uint8Array): TableDirectory {
  const view = new DataView(font.buffer, font.byteOffset, font.byteLength);
  const tableCount = view.getUint16(4);
  const tables = new Map<string, number>();
  for (let index = 0; index < tableCount; index++) {
    const record = 12 + 16 * index;
    const tag = String.fromCharCode(...font.subarray(record, record + 4));
    tables.set(tag, view.getUint32(record + 8));
  }
  return { view, tables };
}

function tableOffset(directory: TableDirectory, tag: string): number {
  const offset = directory.tables.get(tag);
  if (offset === undefined) throw new SyntaxError(`Cannot read the font: no '${tag}' table`);
  return offset;
}

/** Code point → glyph id, from the best Unicode subtable (format 12 covers all planes, format 4 the BMP). */
function readUnicodeCharacterMap(view: DataView, cmap: number): Map<number, number> {
  const subtableCount = view.getUint16(cmap + 2);
  let format4: number | undefined;
  for (let index = 0; index < subtableCount; index++) {
    const record = cmap + 4 + 8 * index;
    const platform = view.getUint16(record);
    const encoding = view.getUint16(record + 2);
    const subtable = cmap + view.getUint32(record + 4);
    const format = view.getUint16(subtable);
    if (format === 12 && (platform === 0 || (platform === 3 && encoding === 10))) {
      return readFormat12(view, subtable);
    }
    if (format === 4 && (platform === 0 || (platform === 3 && encoding === 1))) format4 ??= subtable;
  }
  if (format4 === undefined) throw new SyntaxError("Cannot read the font: no Unicode character map");
  return readFormat4(view, format4);
}

function readFormat12(view: DataView, subtable: number): Map<number, number> {
  const glyphIds = new Map<number, number>();
  const groupCount = view.getUint32(subtable + 12);
  for (let index = 0; index < groupCount; index++) {
    const group = subtable + 16 + 12 * index;
    const first = view.getUint32(group);
    const last = view.getUint32(group + 4);
    const firstGlyph = view.getUint32(group + 8);
    for (let codePoint = first; codePoint <= last; codePoint++) {
      const glyphId = firstGlyph + codePoint - first;
      if (glyphId !== 0) glyphIds.set(codePoint, glyphId);
    }
  }
  return glyphIds;
}

function readFormat4(view: DataView, subtable: number): Map<number, number> {
  const glyphIds = new Map<number, number>();
  const segmentCount = view.getUint16(subtable + 6) / 2;
  const ends = subtable + 14;
  const starts = ends + 2 * segmentCount + 2;
  const deltas = starts + 2 * segmentCount;
  const rangeOffsets = deltas + 2 * segmentCount;
  for (let segment = 0; segment < segmentCount; segment++) {
    const start = view.getUint16(starts + 2 * segment);
    const end = view.getUint16(ends + 2 * segment);
    const delta = view.getUint16(deltas + 2 * segment);
    const rangeOffsetPosition = rangeOffsets + 2 * segment;
    const rangeOffset = view.getUint16(rangeOffsetPosition);
    for (let codePoint = start; codePoint <= end && codePoint !== 0xffff; codePoint++) {
      let glyphId: number;
      if (rangeOffset === 0) {
        glyphId = (codePoint + delta) & 0xffff;
      } else {
        const stored = view.getUint16(rangeOffsetPosition + rangeOffset + 2 * (codePoint - start));
        glyphId = stored === 0 ? 0 : (stored + delta) & 0xffff;
      }
      if (glyphId !== 0) glyphIds.set(codePoint, glyphId);
    }
  }
  return glyphIds;
}
