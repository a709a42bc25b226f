import assert from "node:assert/strict";
import { gunzipSync, inflateSync } from "node:zlib";
import packagedWasm from "@resvg/resvg-wasm/index_bg.wasm" with { type: "bytes" };
import { createPngRenderer } from "../../src/report/png.ts";
import { encodePng } from "../../src/report/png_encode.ts";

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface DecodedPng {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel. */
  pixels: Uint8Array;
}

/** Decodes the PNGs `encodePng()` writes: 8-bit RGBA, filter 0 on every row. */
function decodePng(png: Uint8Array): DecodedPng {
  assert.deepEqual([...png.subarray(0, 8)], SIGNATURE);
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let width = 0, height = 0;
  const data: Uint8Array[] = [];
  for (let offset = 8; offset < png.length;) {
    const length = view.getUint32(offset);
    const type = new TextDecoder().decode(png.subarray(offset + 4, offset + 8));
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = view.getUint32(offset + 8);
      height = view.getUint32(offset + 12);
      assert.deepEqual([...body.subarray(8, 10)], [8, 6], "8-bit RGBA");
    }
    if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  const rows = inflateSync(Uint8Array.from(data.flatMap((part) => [...part])));
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    assert.equal(rows[y * (width * 4 + 1)], 0, "filter 0");
    pixels.set(rows.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  }
  return { width, height, pixels };
}

function countPixels(image: DecodedPng, matches: (red: number, green: number, blue: number) => boolean): number {
  let count = 0;
  for (let index = 0; index < image.pixels.length; index += 4) {
    if (matches(image.pixels[index]!, image.pixels[index + 1]!, image.pixels[index + 2]!)) count++;
  }
  return count;
}

const CHART = {
  title: "API calls by principal '123456789012:user/bob'",
  bars: [
    { label: "lambda.amazonaws.com:GetFunction20150331v2", value: 69 },
    { label: "iam.amazonaws.com:GetRole", value: 8 },
    { label: "evil\u202Egnp.exe", value: 3 },
  ],
};

Deno.test("encodePng() writes RGBA rows that decode to the input", () => {
  const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, index) => (index % 4 === 3 ? 255 - index : index * 9));
  const image = decodePng(encodePng(rgba, 3, 2));
  assert.equal(image.width, 3);
  assert.equal(image.height, 2);
  assert.deepEqual(image.pixels, rgba);
  assert.throws(() => encodePng(rgba, 4, 2), RangeError);
  const unaligned = new Uint8Array(rgba.length + 1).subarray(1);
  unaligned.set(rgba);
  assert.deepEqual(decodePng(encodePng(unaligned, 3, 2)).pixels, image.pixels, "pixels at any byte offset");
});

Deno.test("createPngRenderer() renders a 1600×800 chart with bars and text", async () => {
  const renderer = await createPngRenderer();
  const image = decodePng(renderer.renderChart(CHART));
  assert.equal(image.width, 1600);
  assert.equal(image.height, 800);
  const total = image.width * image.height;
  const white = countPixels(image, (red, green, blue) => red === 255 && green === 255 && blue === 255);
  const gold = countPixels(image, (red, green, blue) => red === 0xe4 && green === 0xaf && blue === 0x00);
  const dark = countPixels(image, (red, green, blue) => red < 100 && green < 100 && blue < 100);
  assert.ok(white > total * 0.5 && white < total * 0.99, `white ${white}`);
  assert.ok(gold > 20_000, `bar pixels ${gold}`);
  assert.ok(dark > 1_500, `text pixels ${dark}`);
  assert.ok(
    image.pixels.every((value, index) => index % 4 !== 3 || value === 255),
    "opaque: the background is painted",
  );
});

Deno.test("createPngRenderer() writes the same bytes for the same chart", async () => {
  const first = (await createPngRenderer()).renderChart(CHART);
  const renderer = await createPngRenderer();
  renderer.renderChart({ title: "another chart first", bars: [{ label: "other", value: 1 }] });
  const second = renderer.renderChart(CHART);
  assert.deepEqual(second, first);
});

Deno.test("createPngRenderer() renders an empty chart and hostile labels", async () => {
  const renderer = await createPngRenderer();
  for (
    const chart of [
      { title: "", bars: [] },
      { title: "\u0000".repeat(10_000), bars: [{ label: "\u{1F600}\u05D0\u0627 \uFDFD".repeat(500), value: 1e9 }] },
    ]
  ) {
    const image = decodePng(renderer.renderChart(chart));
    assert.equal(image.width * image.height, 1600 * 800);
  }
});

Deno.test("createPngRenderer() keeps text in typed order inside U+202D…U+202C, as chart SVGs wrap it", async () => {
  const renderer = await createPngRenderer();
  const image = (text: string) =>
    decodePng(renderer.renderSvg(
      `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#fff"/>` +
        `<text x="10" y="30" font-size="20">${text}</text></svg>`,
    ));
  const hebrew = "\u05D0\u05D1\u05D2";
  const reversed = [...hebrew].reverse().join("");
  // Left to right in typed order looks exactly like the reversed letters laid out right to left.
  assert.deepEqual(image(`\u202D${hebrew}\u202C`).pixels, image(reversed).pixels);
  assert.notDeepEqual(image(`\u202D${hebrew}\u202C`).pixels, image(hebrew).pixels);
});

Deno.test("the vendored resvg WebAssembly is the pinned package's (rerun scripts/vendor_resvg_wasm.ts after an update)", async () => {
  const vendored = gunzipSync(await Deno.readFile(new URL("../../src/report/vendor/resvg.wasm.gz", import.meta.url)));
  assert.equal(vendored.length, packagedWasm.length);
  assert.ok(vendored.every((byte, index) => byte === packagedWasm[index]), "same bytes");
});
