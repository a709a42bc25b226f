/**
 * Checking a summary file read back from disk (`plot`, `report`): every field is untrusted, so each one
 * the reports read is checked for its type, and the first wrong one is named. Pure.
 */
import { ACTIVITY_TYPES, SECTION_NAMES, type Summary } from "./types.ts";

/** The severities a finding may carry in a summary file. */
const FINDING_SEVERITIES = ["critical", "high", "medium", "low"];

type Json = unknown;

function kindOf(value: Json): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return `${typeof value} ${String(value)}`;
}

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

class ShapeCheck {
  fail(path: string, expected: string, value: Json): never {
    throw new TypeError(`${path} must be ${expected} (found ${kindOf(value)})`);
  }
  object(path: string, value: Json): Record<string, Json> {
    return isObject(value) ? value : this.fail(path, "an object", value);
  }
  string(path: string, value: Json): string {
    return typeof value === "string" ? value : this.fail(path, "a string", value);
  }
  count(path: string, value: Json): number {
    return Number.isSafeInteger(value) && (value as number) >= 0 ? value as number : this.fail(path, "a count", value);
  }
  optional<T>(record: Record<string, Json>, key: string, path: string, check: (path: string, value: Json) => T) {
    if (key in record && record[key] !== undefined) check(`${path}.${key}`, record[key]);
  }
  list(path: string, value: Json): Json[] {
    return Array.isArray(value) ? value : this.fail(path, "a list", value);
  }
  stringList(path: string, value: Json): void {
    this.list(path, value).forEach((item, index) => this.string(`${path}[${index}]`, item));
  }
  stringOrNull(path: string, value: Json): void {
    if (value !== null) this.string(path, value);
  }
}

/**
 * Checks that `value` (a parsed summary file) has the shape the reports read, and returns it typed.
 * Sections that are absent read as empty.
 * @throws {TypeError} naming the first wrong field, e.g. `_metadata.account_id must be a string (found null)`
 */
export function checkSummaryShape(value: Json): Summary {
  const check = new ShapeCheck();
  const root = check.object("the file", value);
  const metadata = check.object("_metadata", root._metadata);
  check.string("_metadata.account_id", metadata.account_id);
  check.string("_metadata.run_timestamp", metadata.run_timestamp);
  check.optional(metadata, "account_principal", "_metadata", check.string.bind(check));
  check.optional(metadata, "invocation", "_metadata", check.string.bind(check));
  check.optional(metadata, "activity_type", "_metadata", (path, type) => {
    if (!ACTIVITY_TYPES.includes(type as never)) check.fail(path, ACTIVITY_TYPES.join(", "), type);
  });
  check.optional(metadata, "cloudtrail_data_analyzed", "_metadata", (path, analyzed) => {
    const window = check.object(path, analyzed);
    check.string(`${path}.from_timestamp`, window.from_timestamp);
    check.string(`${path}.to_timestamp`, window.to_timestamp);
  });
  for (const key of ["regions_enabled", "regions_read"]) {
    check.optional(metadata, key, "_metadata", check.stringList.bind(check));
  }
  check.optional(metadata, "regions_failed", "_metadata", (path, failed) => {
    for (const [region, code] of Object.entries(check.object(path, failed))) check.string(`${path}.${region}`, code);
  });
  for (const key of ["records_read", "records_counted", "records_unreadable", "records_with_unrecognized_identity"]) {
    check.optional(metadata, key, "_metadata", check.count.bind(check));
  }
  check.optional(metadata, "incomplete", "_metadata", (path, flag) => {
    if (typeof flag !== "boolean") check.fail(path, "true or false", flag);
  });

  for (const section of SECTION_NAMES) {
    if (root[section] === undefined) {
      root[section] = {};
      continue;
    }
    for (const [key, counts] of Object.entries(check.object(section, root[section]))) {
      for (const [subKey, count] of Object.entries(check.object(`${section}[${JSON.stringify(key)}]`, counts))) {
        check.count(`${section}[${JSON.stringify(key)}][${JSON.stringify(subKey)}]`, count);
      }
    }
  }
  check.optional(root, "principals", "", (_path, principals) => {
    for (const [principal, row] of Object.entries(check.object("principals", principals))) {
      const rowPath = `principals[${JSON.stringify(principal)}]`;
      const fields = check.object(rowPath, row);
      for (const key of ["total_calls", "failed_calls", "distinct_regions", "distinct_source_ips"]) {
        check.optional(fields, key, rowPath, check.count.bind(check));
      }
      for (const key of ["first_seen", "last_seen"]) {
        check.optional(fields, key, rowPath, check.stringOrNull.bind(check));
      }
    }
  });
  check.optional(root, "findings", "", (_path, findings) => {
    check.list("findings", findings).forEach((finding, index) => {
      const path = `findings[${index}]`;
      const fields = check.object(path, finding);
      if (!FINDING_SEVERITIES.includes(fields.severity as string)) {
        check.fail(`${path}.severity`, FINDING_SEVERITIES.join(", "), fields.severity);
      }
      check.string(`${path}.rule`, fields.rule);
      check.string(`${path}.principal`, fields.principal);
      check.count(`${path}.count`, fields.count);
      for (const key of ["api_call", "first_seen", "last_seen"]) {
        check.optional(fields, key, path, check.stringOrNull.bind(check));
      }
      check.optional(fields, "description", path, check.string.bind(check));
    });
  });
  check.optional(root, "risk", "", (_path, risk) => {
    check.list("risk", risk).forEach((entry, index) => {
      const fields = check.object(`risk[${index}]`, entry);
      check.string(`risk[${index}].principal`, fields.principal);
      if (typeof fields.score !== "number") check.fail(`risk[${index}].score`, "a number", fields.score);
    });
  });
  return root as Summary;
}
