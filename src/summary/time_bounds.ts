/** Earliest and latest of two optional epoch-millisecond times (undefined: not known). Pure. */

/** The earlier of two times; a known time wins over an unknown one. */
export function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** The later of two times; a known time wins over an unknown one. */
export function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}
