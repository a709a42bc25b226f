/**
 * The records of a CloudTrail log file (`{"Records":[…]}`), read a group at a time straight from the
 * file's bytes: one decode and one JSON.parse per group of about {@link GROUP_BYTES}, so no file-sized
 * string or object tree is built and memory stays flat whatever the file's size. Pure.
 *
 * A group ends at the next `},` followed by the opening of the file's first record (`{"eventVersion"`
 * in CloudTrail's files), found with the engine's own byte search: no byte-by-byte scan of the records.
 * Such a place may lie inside a string or a nested object; then the group's text is not JSON (it ends
 * inside a string, or with a brace left open), its parse fails, and that stretch is split again by an
 * exact scan that follows strings and nesting. So a group that parses holds exactly whole records.
 */

/**
 * Bytes of records parsed together: a group's text and objects are young and die young. 16 KB took a little less
 * CPU than 8 or 64 KB over the bench's million records (fewer objects alive at each young-generation collection).
 */
const GROUP_BYTES = 16 * 1024;
/** A group whose end is not found this far is split by the exact scan (records that do not open alike). */
const GROUP_BYTES_AT_MOST = 4 * GROUP_BYTES;

/** JSON's own whitespace only, so the match is ASCII and its length is a byte offset. */
const LOG_FILE_START = /^[ \t\n\r]*\{[ \t\n\r]*"Records"[ \t\n\r]*:[ \t\n\r]*\[/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const decoder = new TextDecoder("utf-8", { fatal: false });

function isSpace(code: number | undefined): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

/** The value of JSON text, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The index of the quote that closes the string opening at `open`, or -1 when it never closes. */
function closingQuote(bytes: Uint8Array, open: number): number {
  let quote = open;
  while (true) {
    quote = bytes.indexOf(QUOTE, quote + 1);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (bytes[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
}

/** The index just after the object opening at `open`, or -1 when it never closes. */
function objectEnd(bytes: Uint8Array, open: number, close: number): number {
  let depth = 0;
  for (let index = open; index < close; index++) {
    const code = bytes[index]!;
    if (code === QUOTE) {
      index = closingQuote(bytes, index);
      if (index < 0) return -1;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth++;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return index + 1;
    }
  }
  return -1;
}

/** The elements from `start` (a record's start, or the space before it) split exactly, up to about `budget` bytes. */
interface ExactSplit {
  /** Start and end of each element, in pairs. */
  bounds: number[];
  /** Where the next element starts (after the comma), or `close` at the array's end. */
  next: number;
}

/** {@link ExactSplit}; undefined where the file stops being an array of objects. */
function splitExactly(bytes: Uint8Array, start: number, close: number, budget: number): ExactSplit | undefined {
  const bounds: number[] = [];
  let index = start;
  while (true) {
    while (isSpace(bytes[index])) index++;
    if (bytes[index] !== OPEN_BRACE) return undefined;
    const end = objectEnd(bytes, index, close);
    if (end < 0) return undefined;
    bounds.push(index, end);
    index = end;
    while (isSpace(bytes[index])) index++;
    if (index === close) return { bounds, next: close };
    if (bytes[index] !== COMMA) return undefined;
    index++;
    if (index - start >= budget) return { bounds, next: index };
  }
}

/** Whether `bytes` holds `pattern` at `at`. */
function holdsAt(bytes: Uint8Array, at: number, pattern: Uint8Array): boolean {
  for (let offset = 0; offset < pattern.length; offset++) {
    if (bytes[at + offset] !== pattern[offset]) return false;
  }
  return true;
}

/**
 * Where the group starting at `start` likely ends: the comma of a `},` followed by `opening`, about
 * {@link GROUP_BYTES} on; `close` for the last group; undefined when none is near enough.
 */
function likelyGroupEnd(bytes: Uint8Array, start: number, close: number, opening: Uint8Array): number | undefined {
  const limit = Math.min(close, start + GROUP_BYTES_AT_MOST);
  let from = start + GROUP_BYTES;
  while (from < limit) {
    const brace = bytes.indexOf(OPEN_BRACE, from);
    if (brace < 0 || brace >= limit) break;
    if (holdsAt(bytes, brace, opening)) {
      let comma = brace - 1;
      while (isSpace(bytes[comma])) comma--;
      let previous = comma - 1;
      while (isSpace(bytes[previous])) previous--;
      if (bytes[comma] === COMMA && bytes[previous] === CLOSE_BRACE) return comma;
    }
    from = brace + 1;
  }
  return limit === close ? close : undefined;
}

/** The index of the `]` that closes `Records` when the file ends with `]}` (spaces allowed); else -1. */
function closingBracket(bytes: Uint8Array): number {
  let index = bytes.length - 1;
  while (isSpace(bytes[index])) index--;
  if (bytes[index] !== CLOSE_BRACE) return -1;
  index--;
  while (isSpace(bytes[index])) index--;
  return bytes[index] === CLOSE_BRACKET ? index : -1;
}

/**
 * The elements between `start` and `end` as one JSON array. The two bytes just outside them (a comma, a space or the
 * array's own bracket: never a record's) are lent to the array's brackets for the decode and put back, so the text is
 * decoded in one piece and never copied again by a concatenation.
 */
function parseSlice(bytes: Uint8Array, start: number, end: number): unknown {
  const before = bytes[start - 1]!;
  const after = bytes[end]!;
  bytes[start - 1] = OPEN_BRACKET;
  bytes[end] = CLOSE_BRACKET;
  try {
    return parseJson(decoder.decode(bytes.subarray(start - 1, end + 1)));
  } finally {
    bytes[start - 1] = before;
    bytes[end] = after;
  }
}

/**
 * The elements of a log file's `Records` array, a group at a time (each element as JSON.parse gave
 * it, or undefined for an element that is not JSON). Undefined when the file does not open as
 * `{"Records":[`, end as `]}`, or hold a record first: such a file is read whole instead.
 *
 * Where the array breaks off (a record cut short), the rest of the file is one undefined element,
 * unless the whole file is JSON after all (another key after `Records`): then the records not given yet.
 *
 * The bytes are borrowed while the groups are read: two of them change for the moment of each group's
 * decode and are put back, so they must not be shared with another thread meanwhile.
 */
export function logFileGroups(bytes: Uint8Array): Iterable<unknown[]> | undefined {
  // A plain view: a Node Buffer's own indexOf is a script loop, the typed array's is the engine's.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const opening = LOG_FILE_START.exec(decoder.decode(view.subarray(0, 64)));
  const close = closingBracket(view);
  if (opening === null || close < 0) return undefined;
  let first = opening[0].length;
  while (isSpace(view[first])) first++;
  if (first === close) return [];
  // The first record must split exactly: a file that does not start with an object is read whole.
  if (splitExactly(view, first, close, 0) === undefined) return undefined;
  return groups(view, first, close);
}

function* groups(bytes: Uint8Array, first: number, close: number): Generator<unknown[]> {
  let start = first;
  let given = 0;
  const recordOpening = openingOf(bytes, first);
  while (start < close) {
    const end = recordOpening === undefined ? undefined : likelyGroupEnd(bytes, start, close, recordOpening);
    const group = end === undefined ? undefined : parseSlice(bytes, start, end);
    if (Array.isArray(group)) {
      yield group;
      given += group.length;
      start = end === close ? close : end! + 1;
      continue;
    }
    const split = splitExactly(bytes, start, close, GROUP_BYTES);
    if (split === undefined) {
      yield rest(bytes, given);
      return;
    }
    const { bounds } = split;
    const exact = parseSlice(bytes, bounds[0]!, bounds[bounds.length - 1]!);
    if (Array.isArray(exact)) {
      yield exact;
    } else {
      // A broken record spoils its group's parse: parse that group record by record.
      const elements: unknown[] = [];
      for (let index = 0; index < bounds.length; index += 2) {
        elements.push(parseJson(decoder.decode(bytes.subarray(bounds[index], bounds[index + 1]))));
      }
      yield elements;
    }
    given += bounds.length / 2;
    start = split.next;
  }
}

/** The bytes that open the record at `start` up to its first key's closing quote; undefined without a key. */
function openingOf(bytes: Uint8Array, start: number): Uint8Array | undefined {
  let quote = start + 1;
  while (isSpace(bytes[quote])) quote++;
  if (bytes[quote] !== QUOTE) return undefined;
  const keyEnd = closingQuote(bytes, quote);
  return keyEnd < 0 ? undefined : bytes.slice(start, keyEnd + 1);
}

/** The elements after the first `given` when the array breaks off (see {@link logFileGroups}). */
function rest(bytes: Uint8Array, given: number): unknown[] {
  const whole = parseJson(decoder.decode(bytes)) as { Records?: unknown } | undefined;
  return Array.isArray(whole?.Records) ? whole.Records.slice(given) : [undefined];
}
