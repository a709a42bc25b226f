/** Unicode case folding for Sigma's case-insensitive matching (the spec's default). Pure. */

const NON_ASCII = /[\u0080-\uffff]/;

/**
 * One character folded. Upper then lower case, twice, gives full case folding for nearly every
 * character: ß → SS → ss, ẞ → ß → ss, final ς → Σ → σ, ſ → S → s, the Kelvin sign → k, ﬀ → ff. The
 * dotless ı is its own folding (only Turkish rules map it to i), so it is left as it is.
 */
function foldCharacter(character: string): string {
  if (character === "ı") return character;
  return character.toUpperCase().toLowerCase().toUpperCase().toLowerCase();
}

/** Whether a text is ASCII only (its folding is its lower case, of the same length). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/**
 * Text folded so that two texts that differ only in case are equal.
 * @example
 * ```ts
 * caseFold("STRASSE") === caseFold("straße"); // true
 * ```
 */
export function caseFold(text: string): string {
  if (isAscii(text)) return text.toLowerCase();
  let folded = "";
  for (const character of text) folded += foldCharacter(character);
  return folded;
}
