import assert from "node:assert/strict";
import { type ModuleGraphInfo, reachablePackages, resolvedTargets } from "../scripts/embedded_files.ts";

Deno.test("resolvedTargets() follows main and exports under Deno's conditions, never types", () => {
  // The AWS SDK's shape: "node" comes before "import", so Deno loads dist-cjs for both.
  assert.deepEqual(
    resolvedTargets({
      main: "./dist-cjs/index.js",
      exports: {
        ".": {
          types: "./dist-types/index.d.ts",
          module: "./dist-es/index.js",
          node: "./dist-cjs/index.js",
          import: "./dist-es/index.js",
          require: "./dist-cjs/index.js",
        },
        "./package.json": "./package.json",
      },
    }),
    ["dist-cjs/index.js", "dist-cjs/index.js", "dist-cjs/index.js", "package.json", "package.json"],
  );
  assert.deepEqual(
    resolvedTargets({ main: "index.js", exports: { ".": { import: "./index.mjs", default: "./index.js" } } }),
    ["index.js", "index.mjs", "index.js"],
  );
  assert.deepEqual(resolvedTargets({ exports: { umd: "./dist/d3.min.js", default: "./src/index.js" } }), [
    "src/index.js",
    "src/index.js",
  ]);
  assert.deepEqual(resolvedTargets({ main: "./dist-cjs/index.js" }), ["dist-cjs/index.js"]);
});

Deno.test("reachablePackages() keeps what the graph reaches, without type packages, files only when taken as files", () => {
  const graph: ModuleGraphInfo = {
    modules: [
      { kind: "npm", specifier: "npm:/client@1.0.0", npmPackage: "client@1.0.0" },
      { kind: "npm", specifier: "npm:/fonts@2.0.0/ttf/Sans.ttf", npmPackage: "fonts@2.0.0" },
      { kind: "npm", specifier: "npm:/@types/client@1.0.0", npmPackage: "@types/client@1.0.0" },
      { kind: "esm", specifier: "file:///main.ts" },
    ],
    npmPackages: {
      "client@1.0.0": { name: "client", dependencies: ["core@1.0.0", "@types/node@20.0.0"] },
      "core@1.0.0": { name: "core", dependencies: ["tslib@2.0.0"] },
      "tslib@2.0.0": { name: "tslib", dependencies: [] },
      "fonts@2.0.0": { name: "fonts", dependencies: [] },
      "@types/client@1.0.0": { name: "@types/client", dependencies: [] },
      "test-only@1.0.0": { name: "test-only", dependencies: [] },
    },
  };
  assert.deepEqual(
    reachablePackages([graph]),
    new Map([["client@1.0.0", []], ["fonts@2.0.0", ["ttf/Sans.ttf"]], ["core@1.0.0", []], ["tslib@2.0.0", []]]),
  );
});
