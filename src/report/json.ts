/** JSON with keys sorted by Unicode code point at every level, 2-space indent. Pure. */

/**
 * Orders strings by code point. JavaScript's default order compares UTF-16 code
 * units, which puts astral characters (surrogate pairs, U+D800–DFFF units) before
 * U+E000–FFFF; Python's `sort_keys` and doc/summary-rules.md order by code point.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.charCodeAt(index);
    const right = b.charCodeAt(index);
    if (left !== right) {
      if (left >= 0xd800 && right >= 0xd800) return codeUnitRank(left) - codeUnitRank(right);
      return left - right;
    }
  }
  return a.length - b.length;
}

/** Moves surrogate code units above U+E000–FFFF, which gives code point order at the first difference. */
function codeUnitRank(unit: number): number {
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

function write(value: unknown, indent: string, parts: string[]): void {
  if (value === null || typeof value !== "object") {
    parts.push(JSON.stringify(value) ?? "null");
    return;
  }
  const inner = indent + "  ";
  if (Array.isArray(value)) {
    if (value.length === 0) {
      parts.push("[]");
      return;
    }
    parts.push("[\n");
    value.forEach((item, index) => {
      parts.push(inner);
      write(item, inner, parts);
      parts.push(index < value.length - 1 ? ",\n" : "\n");
    });
    parts.push(indent, "]");
    return;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined).sort(compareCodePoints);
  if (keys.length === 0) {
    parts.push("{}");
    return;
  }
  parts.push("{\n");
  keys.forEach((key, index) => {
    parts.push(inner, JSON.stringify(key), ": ");
    write(record[key], inner, parts);
    parts.push(index < keys.length - 1 ? ",\n" : "\n");
  });
  parts.push(indent, "}");
}

/**
 * Serialises `value` as JSON with object keys sorted by code point at every level,
 * 2-space indent and a final newline.
 * @example
 * ```ts
 * stringifySorted({ b: 1, a: { d: 2, c: 3 } }); // '{\n  "a": {\n    "c": 3,\n    "d": 2\n  },\n  "b": 1\n}\n'
 * ```
 */
export function stringifySorted(value: unknown): string {
  const parts: string[] = [];
  write(value, "", parts);
  parts.push("\n");
  return parts.join("");
}
