// deno-lint-ignore-file no-console -- a build script: it reports on the console.
/**
 * Writes `src/report/vendor/resvg.wasm.gz`: resvg's WebAssembly from the pinned `@resvg/resvg-wasm` package,
 * gzipped (2.48 MB → 0.95 MB), which `png.ts` imports and unzips; the binary embeds it instead of the package's
 * `index_bg.wasm`. Run it after changing the package's version: `deno run --allow-read=. --allow-write=src/report/vendor
 * scripts/vendor_resvg_wasm.ts` (a test checks that the copy matches the package).
 */
import { gzipSync } from "node:zlib";
import wasmBytes from "@resvg/resvg-wasm/index_bg.wasm" with { type: "bytes" };

/** Where the gzipped copy lives, relative to the project. */
export const VENDORED_RESVG_WASM = "src/report/vendor/resvg.wasm.gz";

/** The package file the vendored copy replaces in the binary, relative to the package's folder. */
export const REPLACED_PACKAGE_FILE = { packageName: "@resvg/resvg-wasm", file: "index_bg.wasm" };

if (import.meta.main) {
  const gzipped = gzipSync(wasmBytes, { level: 9 });
  await Deno.writeFile(new URL(`../${VENDORED_RESVG_WASM}`, import.meta.url), gzipped);
  console.error(`${VENDORED_RESVG_WASM}: ${wasmBytes.length} bytes gzipped to ${gzipped.length}`);
}
