import assert from "node:assert/strict";
import { barChartSvg } from "../../src/report/chart_svg.ts";
import { assertSnapshot } from "../support/snapshot.ts";

/** U+202D … U+202C, the left-to-right override every text is wrapped in. */
const OVERRIDE = /^\u202D([^\u202C\u202D]*)\u202C$/;

/**
 * The texts of an SVG chart with the given anchor (labels: `end`), in document order, each checked to be wrapped
 * in exactly one left-to-right override and returned without it.
 */
function texts(svg: string, anchor: "start" | "middle" | "end"): string[] {
  return [...svg.matchAll(new RegExp(`<text [^>]*text-anchor="${anchor}"[^>]*>([^<]*)</text>`, "g"))].map((match) => {
    const inner = OVERRIDE.exec(match[1]!);
    assert.ok(inner, `not wrapped in U+202D…U+202C: ${JSON.stringify(match[1])}`);
    return inner[1]!;
  });
}

/** The label texts of an SVG chart (anchored at the end), top to bottom. */
function labels(svg: string): string[] {
  return texts(svg, "end");
}

function bars(count: number, value = (index: number) => count - index) {
  return Array.from(
    { length: count },
    (_, index) => ({ label: `key-${String(index).padStart(2, "0")}`, value: value(index) }),
  );
}

Deno.test("barChartSvg() draws one bar per key, largest on top, ties in code point order", () => {
  const svg = barChartSvg({
    title: "t",
    bars: [
      { label: "b", value: 2 },
      { label: "\u{1F600}", value: 5 },
      { label: "\uFF5E", value: 5 },
      { label: "a", value: 2 },
      { label: "c", value: 9 },
    ],
  });
  // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
  assert.deepEqual(labels(svg), ["c", "\\uFF5E", "\u{1F600}", "a", "b"]);
  assert.equal(svg.match(/fill="#e4af00"/g)?.length, 5);
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="1600" height="800"/);
});

Deno.test("barChartSvg() shows 40 bars then a [...] row when more were cut", async (t) => {
  await t.step("41 keys: 40 bars and [...]", () => {
    const svg = barChartSvg({ title: "t", bars: bars(41) });
    const shown = labels(svg);
    assert.equal(shown.length, 41);
    assert.equal(shown.at(-1), "[...]");
    assert.equal(shown.at(-2), "key-39");
    assert.equal(svg.match(/fill="#e4af00"/g)?.length, 40);
  });
  await t.step("40 keys: no [...] row", () => {
    const shown = labels(barChartSvg({ title: "t", bars: bars(40) }));
    assert.equal(shown.length, 40);
    assert.ok(!shown.includes("[...]"));
  });
});

Deno.test("barChartSvg() writes the count at the end of every bar with integer ticks", () => {
  const svg = barChartSvg({ title: "t", bars: [{ label: "a", value: 3 }, { label: "b", value: 1234 }] });
  assert.deepEqual(texts(svg, "start"), ["t", "1,234", "3"]);
  const ticks = texts(svg, "middle");
  assert.ok(ticks.length >= 2 && ticks.every((tick) => /^[\d,]+$/.test(tick)));
  const small = barChartSvg({ title: "t", bars: [{ label: "a", value: 1 }] });
  assert.deepEqual(texts(small, "middle"), ["0", "1"]);
});

Deno.test("barChartSvg() cuts labels longer than 85 characters to 80 plus [...]", async (t) => {
  await t.step("85 characters stay", () => {
    assert.deepEqual(labels(barChartSvg({ title: "t", bars: [{ label: "x".repeat(85), value: 1 }] })), [
      "x".repeat(85),
    ]);
  });
  await t.step("86 characters are cut", () => {
    const [label] = labels(barChartSvg({ title: "t", bars: [{ label: "y".repeat(86), value: 1 }] }));
    assert.equal(label, "y".repeat(80) + "[...]");
  });
  await t.step("10 kB of wide characters fit the label column", () => {
    const svg = barChartSvg({ title: "W".repeat(10_000), bars: [{ label: "W".repeat(10_000), value: 1 }] });
    const [label] = labels(svg);
    assert.ok(label!.endsWith("[...]") && label!.length <= 85);
    assert.ok(svg.length < 20_000);
  });
  await t.step("an escape is never split", () => {
    const [label] = labels(
      barChartSvg({ title: "t", bars: [{ label: "a".repeat(78) + "\u202E".repeat(3), value: 1 }] }),
    );
    assert.equal(label, "a".repeat(78) + "[...]");
  });
});

Deno.test("barChartSvg() escapes XML and shows control and bidi characters as escapes", async (t) => {
  const cases: [string, string][] = [
    [`<b>&"'`, "&lt;b&gt;&amp;&quot;&apos;"],
    ["evil\u202Egnp.exe", "evil\\u202Egnp.exe"],
    ["a\u2066b\u2069c\u200E\u200F\u061C", "a\\u2066b\\u2069c\\u200E\\u200F\\u061C"],
    ["nul\u0000tab\tnl\ndel\u007Fc1\u0085", "nul\\u0000tab\\u0009nl\\u000Adel\\u007Fc1\\u0085"],
    ["zero\u200Bwidth\uFEFF", "zero\\u200Bwidth\\uFEFF"],
    ["lone \uD800 surrogate", "lone \\uD800 surrogate"],
    ["no glyph \u4E00 \u{E0041}", "no glyph \\u4E00 \\u{E0041}"],
    ["e\u0301 stacked", "e\\u0301 stacked"],
  ];
  for (const [label, shown] of cases) {
    await t.step(shown, () => {
      const svg = barChartSvg({ title: label, bars: [{ label, value: 1 }] });
      assert.deepEqual(labels(svg), [shown]);
      assert.ok(svg.includes(`>\u202D${shown}\u202C</text>`));
      // Only newlines between elements and our own override around each text; no other control or bidi character.
      const unwrapped = svg.replaceAll("\n", "").replaceAll(">\u202D", ">").replaceAll("\u202C</text>", "</text>");
      assert.doesNotMatch(unwrapped, /[\p{Cc}\p{Cf}]/u);
    });
  }
});

Deno.test("barChartSvg() draws a chart with zero data or one bar", () => {
  const empty = barChartSvg({ title: "Nothing", bars: [] });
  assert.equal(texts(empty, "middle").at(-1), "No data");
  assert.equal(empty.match(/fill="#e4af00"/g), null);
  const zero = barChartSvg({ title: "Zero", bars: [{ label: "a", value: 0 }] });
  assert.deepEqual(labels(zero), ["a"]);
  const one = barChartSvg({ title: "One", bars: [{ label: "only", value: 7 }] });
  const bar = one.match(/<rect [^>]*height="(\d+)" fill="#e4af00"/);
  assert.ok(Number(bar?.[1]) <= 40, "a single bar stays a bar, not a block");
});

Deno.test("barChartSvg() refuses negative and non-finite values", () => {
  for (const value of [-1, Number.NaN, Infinity]) {
    assert.throws(() => barChartSvg({ title: "t", bars: [{ label: "a", value }] }), RangeError);
  }
});

Deno.test("barChartSvg() matches the snapshot of a fixed chart", async () => {
  const svg = barChartSvg({
    title: "API calls by principal '123456789012:user/bob'",
    bars: [
      { label: "lambda.amazonaws.com:GetFunction20150331v2", value: 69 },
      { label: "health.amazonaws.com:DescribeEventAggregates", value: 66 },
      { label: "iam.amazonaws.com:GetRole", value: 8 },
      { label: "iam.amazonaws.com:GetPolicy", value: 8 },
      { label: "ec2.amazonaws.com:DescribeRegions", value: 5 },
    ],
  });
  await assertSnapshot(svg, "chart_api_calls_by_principal.svg");
});
