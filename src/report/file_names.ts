/**
 * File names for chart files, from any principal or region string: only
 * letters, digits and `_+=,.@-` (others become `_`, as the Python tool did),
 * never empty, `.` or `..`, at most 200 bytes, unique within a folder even on
 * case-insensitive file systems, and never a name Windows reserves.
 */
import { compareCodePoints } from "./chart_text.ts";

/** Longest base name, in bytes (ASCII only), leaving room for `.png` under the usual 255-byte limit. */
export const MAX_FILE_NAME_LENGTH = 200;

/** One match per code point (`u`), so an emoji becomes one `_`, as in Python. */
const DISALLOWED = /[^A-Za-z0-9_+=,.@-]/gu;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
const HASH_LENGTH = 8;

/**
 * The character rule of doc/summary-rules.md: characters other than ASCII letters, digits and `_+=,.@-` become `_`.
 * @example
 * ```ts
 * sanitizeFileName("arn:aws:iam::123456789012:user/Administrator"); // "arn_aws_iam__123456789012_user_Administrator"
 * ```
 */
export function sanitizeFileName(name: string): string {
  return name.replace(DISALLOWED, "_");
}

/**
 * A safe base name (no extension) for one key: sanitized, `_` when empty or only
 * dots, `_` put before Windows device names, cut to {@link MAX_FILE_NAME_LENGTH}
 * with a hash of the whole key when longer.
 */
export function safeFileName(key: string): string {
  let name = sanitizeFileName(key);
  if (/^\.*$/.test(name)) name = name.replaceAll(".", "_") || "_";
  if (WINDOWS_RESERVED.test(name)) name = `_${name}`;
  if (name.length > MAX_FILE_NAME_LENGTH) {
    name = `${name.slice(0, MAX_FILE_NAME_LENGTH - HASH_LENGTH - 1)}-${fnv1aHex(key)}`;
  }
  return name;
}

/**
 * Safe, distinct base names for all `keys` of one folder. Keys are taken in code
 * point order, so each gets the same name whatever order they come in; a key
 * whose name is taken (ignoring case) gets `-2`, `-3`, ….
 * @returns key → base name (without `.png`)
 * @example
 * ```ts
 * uniqueFileNames(["a/b", "a:b"]); // Map { "a/b" => "a_b", "a:b" => "a_b-2" }
 * ```
 */
export function uniqueFileNames(keys: Iterable<string>): Map<string, string> {
  const sorted = [...new Set(keys)].sort(compareCodePoints);
  const taken = new Set<string>();
  const names = new Map<string, string>();
  for (const key of sorted) {
    const base = safeFileName(key);
    let name = base;
    for (let counter = 2; taken.has(name.toLowerCase()); counter++) {
      const suffix = `-${counter}`;
      name = base.slice(0, MAX_FILE_NAME_LENGTH - suffix.length) + suffix;
    }
    taken.add(name.toLowerCase());
    names.set(key, name);
  }
  return names;
}

/** 32-bit FNV-1a of the key's UTF-8 bytes, as 8 hex digits: a short, stable tell-apart for cut names. */
function fnv1aHex(key: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(HASH_LENGTH, "0");
}
