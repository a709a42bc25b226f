/**
 * Athena's result file: CSV with every value in double quotes (a quote doubled inside), NULL as an
 * empty unquoted field, the header as the first row. Pure.
 */

/**
 * The rows of a result file, header first; undefined for NULL.
 * @throws {RangeError} for text that is not such a file (a quote left open)
 * @example
 * ```ts
 * parseResultCsv('"a","b"\n"x",\n'); // [["a", "b"], ["x", undefined]]
 * ```
 */
export function parseResultCsv(text: string): (string | undefined)[][] {
  const rows: (string | undefined)[][] = [];
  let row: (string | undefined)[] = [];
  let index = 0;
  const length = text.length;
  while (index < length) {
    let value: string | undefined;
    if (text[index] === '"') {
      // A quoted value runs to the next quote that is not doubled.
      let start = index + 1;
      let parts = "";
      while (true) {
        const quote = text.indexOf('"', start);
        if (quote < 0) throw new RangeError("A quoted value is not closed: not an Athena result file");
        if (text[quote + 1] === '"') {
          parts += text.slice(start, quote + 1);
          start = quote + 2;
          continue;
        }
        value = parts + text.slice(start, quote);
        index = quote + 1;
        break;
      }
    } else {
      let end = index;
      while (end < length && text[end] !== "," && text[end] !== "\n" && text[end] !== "\r") end++;
      value = end === index ? undefined : text.slice(index, end);
      index = end;
    }
    row.push(value);
    if (text[index] === ",") {
      index += 1;
      if (index === length) row.push(undefined);
      continue;
    }
    if (text[index] === "\r") index += 1;
    if (text[index] === "\n") index += 1;
    rows.push(row);
    row = [];
  }
  return rows;
}
