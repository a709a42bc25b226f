import assert from "node:assert/strict";
import { compareCodePoints, stringifySorted } from "../../src/report/json.ts";

Deno.test("stringifySorted() sorts keys at every level with a 2-space indent", () => {
  assert.equal(
    stringifySorted({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: "x" }, e: {}, f: [] }),
    '{\n  "a": {\n    "c": "x",\n    "d": [\n      1,\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n' +
      '  "b": 1,\n  "e": {},\n  "f": []\n}\n',
  );
});

Deno.test("stringifySorted() orders keys by code point: astral characters after U+E000-FFFF", () => {
  const keys = ["\u{1F600}", "\uFF5E", "a", "\uE000", "Z", "\u{10000}", "é"];
  const parsed = JSON.parse(stringifySorted(Object.fromEntries(keys.map((key) => [key, 1]))));
  assert.deepEqual(Object.keys(parsed), ["Z", "a", "é", "\uE000", "\uFF5E", "\u{10000}", "\u{1F600}"]);
});

Deno.test("compareCodePoints() agrees with comparing code point arrays", () => {
  const samples = ["", "a", "ab", "\uFFFF", "\u{10000}", "\u{1F600}x", "\uD7FF", "a\u{1F600}", "a\uFF5E"];
  const byCodePoints = (a: string, b: string) => {
    const left = [...a].map((character) => character.codePointAt(0)!);
    const right = [...b].map((character) => character.codePointAt(0)!);
    for (let index = 0; index < Math.min(left.length, right.length); index++) {
      if (left[index] !== right[index]) return left[index]! - right[index]!;
    }
    return left.length - right.length;
  };
  for (const a of samples) {
    for (const b of samples) {
      assert.equal(Math.sign(compareCodePoints(a, b)), Math.sign(byCodePoints(a, b)), `${a} vs ${b}`);
    }
  }
});

Deno.test("stringifySorted() escapes like JSON.stringify and round-trips hostile keys", () => {
  const value = { '\u0000\n"\\': "\u202e<script>", __proto__x: null };
  assert.deepEqual(JSON.parse(stringifySorted(value)), value);
  const proto = JSON.parse('{"__proto__": {"a": 1}}');
  assert.deepEqual(JSON.parse(stringifySorted(proto)), proto);
});
