/** How a Sigma field name finds values in a CloudTrail record. Pure. */

/**
 * The values a dotted field name reaches: `userIdentity.type` walks nested objects, and an array on
 * the way is entered element by element (`resources.ARN` reaches every resource's ARN). A field
 * that is absent gives nothing; a JSON `null` is a value (the field is there).
 */
export function fieldValues(record: unknown, path: readonly string[]): unknown[] {
  let current: unknown[] = [record];
  for (const key of path) {
    const next: unknown[] = [];
    for (const value of current) collect(value, key, next);
    if (next.length === 0) return next;
    current = next;
  }
  return current;
}

/** Several values a field reached through arrays (from {@link compileFieldReader}). */
export class ValuesReached {
  constructor(readonly values: unknown[]) {}
}

/**
 * A reader of one dotted field, compiled once. While no array is on the way (the usual CloudTrail
 * shape) it returns the value itself, allocating nothing; when an array is, it returns every value
 * reached as {@link ValuesReached}. A missing field is `undefined`.
 */
export function compileFieldReader(path: readonly string[]): (record: unknown) => unknown {
  return (record) => {
    let value: unknown = record;
    for (let index = 0; index < path.length; index++) {
      if (Array.isArray(value)) return new ValuesReached(fieldValues(value, path.slice(index)));
      if (typeof value !== "object" || value === null) return undefined;
      value = (value as Record<string, unknown>)[path[index]!];
    }
    // A parsed record holds no functions: one here is inherited (`toString`), so the field is missing.
    return typeof value === "function" ? undefined : value;
  };
}

function collect(value: unknown, key: string, into: unknown[]): void {
  if (Array.isArray(value)) {
    for (const element of value) collect(element, key, into);
  } else if (typeof value === "object" && value !== null && Object.hasOwn(value, key)) {
    const found = (value as Record<string, unknown>)[key];
    if (found !== undefined) into.push(found);
  }
}

/**
 * The scalar texts under a value: a string itself, a number or boolean as JSON writes it (so a rule's
 * `'true'` or `'443'` matches them), and for an object or array every leaf below it (so `contains`
 * searches a whole `requestParameters`). `null` has no text.
 */
export function leafTexts(value: unknown, into: string[] = []): string[] {
  if (typeof value === "string") into.push(value);
  else if (typeof value === "number" || typeof value === "boolean") into.push(String(value));
  else if (Array.isArray(value)) { for (const element of value) leafTexts(element, into); }
  else if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) leafTexts(child, into);
  }
  return into;
}
