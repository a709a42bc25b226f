import assert from "node:assert/strict";
import { logFileGroups } from "../../src/sources/log_file_records.ts";
import { CORPUS_FILES, CORPUS_MISSING, corpusAvailable, corpusLines } from "../support/real_corpus.ts";

/** A small seeded generator, so a failure names a case that can be run again. */
function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Strings that look like the places a group may end, inside values and nested objects. */
const TRICKY = [
  '},{"eventVersion":"1.08"',
  '}, {"eventVersion"',
  "\\",
  '\\"},{\\"eventVersion\\"',
  "ünïcödé ✓ 🔑",
  "]}",
  "",
];

function recordOf(random: () => number, index: number): Record<string, unknown> {
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  return {
    eventVersion: "1.08",
    eventTime: `2026-11-01T10:${String(index % 60).padStart(2, "0")}:00Z`,
    eventSource: "iam.amazonaws.com",
    eventName: pick(["ListUsers", "CreateAccessKey", "GetObject"]),
    requestParameters: random() < 0.3 ? null : {
      text: pick(TRICKY),
      // `},{"eventVersion"` inside a record: a group end that is not one.
      nested: [{ eventVersion: pick(TRICKY) }, { eventVersion: "x", list: [1, 2, { eventVersion: "y" }] }],
      padding: "x".repeat(Math.floor(random() * 3000)),
    },
    index,
  };
}

/** A log file's text as JSON.stringify writes it, or pretty-printed, or with spaces between records. */
function fileText(records: readonly unknown[], style: "compact" | "pretty" | "spaced"): string {
  if (style === "pretty") return JSON.stringify({ Records: records }, null, 2);
  if (style === "spaced") {
    return `{ "Records" : [\n${records.map((record) => JSON.stringify(record)).join(" ,\n ")}\n] }\n`;
  }
  return JSON.stringify({ Records: records });
}

/** The file's elements; its bytes must be as they were afterwards (groups lend the bytes around them to brackets). */
function elementsOf(text: string): unknown[] {
  const bytes = new TextEncoder().encode(text);
  const groups = logFileGroups(bytes);
  assert.ok(groups !== undefined, "read as a log file");
  const elements = [...groups].flat();
  assert.equal(new TextDecoder().decode(bytes), text, "the file's bytes are unchanged");
  return elements;
}

Deno.test("groups hold exactly the file's records, whatever their strings and nesting look like", () => {
  for (let seed = 1; seed <= 12; seed++) {
    const random = randomOf(seed);
    const records = Array.from({ length: 200 + Math.floor(random() * 300) }, (_, index) => recordOf(random, index));
    for (const style of ["compact", "pretty", "spaced"] as const) {
      assert.deepEqual(elementsOf(fileText(records, style)), records, `seed ${seed}, ${style}`);
    }
  }
});

Deno.test("records that do not open alike are split exactly", () => {
  const random = randomOf(99);
  const records = Array.from({ length: 400 }, (_, index) => {
    const record = recordOf(random, index);
    return index % 2 === 0 ? record : { index, ...record };
  });
  assert.deepEqual(elementsOf(fileText(records, "compact")), records);
});

Deno.test("a broken record far into a file is one unreadable element; the records around it are kept", () => {
  const random = randomOf(7);
  const records = Array.from({ length: 300 }, (_, index) => recordOf(random, index));
  const texts = records.map((record) => JSON.stringify(record));
  texts[250] = '{"eventVersion": tru, "eventName": "Broken"}';
  const elements = elementsOf(`{"Records":[${texts.join(",")}]}`);
  assert.equal(elements.length, 300);
  assert.equal(elements[250], undefined);
  assert.deepEqual(elements.slice(251), records.slice(251));
});

Deno.test("a file cut off inside a record keeps the records before the cut and counts the rest as one unreadable", () => {
  const random = randomOf(8);
  const records = Array.from({ length: 300 }, (_, index) => recordOf(random, index));
  const texts = records.map((record) => JSON.stringify(record));
  const cut = `{"Records":[${texts.slice(0, 250).join(",")},${texts[250]!.slice(0, 40)}]}`;
  const elements = elementsOf(cut);
  assert.deepEqual(elements.slice(0, -1), records.slice(0, elements.length - 1));
  assert.ok(elements.length >= 2 && elements.length <= 251, `${elements.length} elements`);
  assert.equal(elements.at(-1), undefined);
});

Deno.test("another key after Records: every record is still read, once", () => {
  const random = randomOf(9);
  const records = Array.from({ length: 300 }, (_, index) => recordOf(random, index));
  const text = `{"Records":${JSON.stringify(records)},"next":[{"a":1}]}`;
  assert.deepEqual(elementsOf(text), records);
});

Deno.test("files that do not open as Records, end as ]}, or hold a record first are read whole instead", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.equal(logFileGroups(encode('{"logFiles":[]}')), undefined);
  assert.equal(logFileGroups(encode('{"Records":[{"a":1}],"x":1}')), undefined);
  assert.equal(logFileGroups(encode('{"Records":[1,{"a":1}]}')), undefined);
  assert.deepEqual([...logFileGroups(encode('{"Records":[ ]}'))!], []);
});

Deno.test({
  name: "the real corpus as log files: every record read exactly as JSON.parse reads it" +
    (corpusAvailable() ? "" : ` ${CORPUS_MISSING}`),
  ignore: !corpusAvailable(),
  async fn() {
    for (const name of CORPUS_FILES) {
      const lines = await corpusLines(name);
      // The records' own text, so every odd shape of the wild (escapes, Unicode, deep nesting) is met as it came.
      assert.deepEqual(elementsOf(`{"Records":[${lines.join(",")}]}`), lines.map((line) => JSON.parse(line)), name);
    }
  },
});
