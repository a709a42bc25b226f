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
