import assert from "node:assert/strict";
import { join } from "node:path";
import { binaryName, binaryPermissions, embeddedFilesSize, hostTarget } from "../scripts/compile.ts";
import denoConfig from "../deno.json" with { type: "json" };

const PROJECT_DIRECTORY = new URL("../", import.meta.url).pathname;

Deno.test("deno compile packs the module graph, npm packages and included assets (packaging check: does not run the result)", async () => {
  const output = await Deno.makeTempDir({ prefix: "summarize-compile-" });
  try {
    // denort cannot be downloaded here; any executable stands in for it, since the result is not run.
    const { code, stderr } = await new Deno.Command("deno", {
      args: [
        "run",
        "--allow-read=.",
        `--allow-write=${output}`,
        "--allow-run",
        "scripts/compile.ts",
        "--output-dir",
        output,
        "--skip-smoke-test",
      ],
      cwd: PROJECT_DIRECTORY,
      env: { DENORT_BIN: Deno.execPath(), RUST_BACKTRACE: "0", NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const log = new TextDecoder().decode(stderr);
    assert.equal(code, 0, log);
    const binary = await Deno.stat(join(output, binaryName(hostTarget())));
    assert.ok(binary.size > 50_000_000, "a binary with the runtime and the module graph embedded");
    // The figure, for the record: what the binary carries besides the runtime.
    const embedded = /^embedded files: (.*)$/m.exec(log)?.[1] ?? "unknown";
    Deno.stdout.writeSync(new TextEncoder().encode(`packaging check: embedded files ${embedded}\n`));
    assert.ok(megabytes(embedded) <= 10, `only what the program loads is embedded: ${embedded}`);
    for (const neverLoaded of ["@duckdb", "dt-sql-parser", "dist-types", "DejaVuSerif.ttf", "README.md"]) {
      assert.ok(!new RegExp(`[─ ]${neverLoaded.replace(".", "\\.")}`).test(log), `${neverLoaded} is not embedded`);
    }
  } finally {
    await Deno.remove(output, { recursive: true });
  }
});

/** `8.98MB`, `950KB` → megabytes. */
function megabytes(size: string): number {
  const [, value, unit] = /^([\d.]+)\s?([KMG]?B)$/.exec(size) ?? [];
  return Number(value) * ({ B: 1e-6, KB: 1e-3, MB: 1, GB: 1e3 }[unit ?? ""] ?? Number.NaN);
}

Deno.test("embeddedFilesSize() reads the total of deno compile's Embedded Files listing", () => {
  assert.equal(
    embeddedFilesSize("Embedded Files\n\nx\n├── main.ts (1KB)\n\nFiles: 8.98MB\nMetadata: 15.71KB\n"),
    "8.98MB",
  );
  assert.equal(embeddedFilesSize("no listing"), undefined);
});

Deno.test("binaryPermissions() keeps the task's hosts and variables and never grants everything", () => {
  const flags = binaryPermissions(denoConfig.tasks.summarize);
  assert.ok(flags.some((flag) => flag.startsWith("--allow-net=") && flag.includes("*.amazonaws.com")));
  assert.ok(flags.some((flag) => flag.startsWith("--allow-env=AWS_*")));
  assert.ok(flags.includes("--allow-sys=osRelease"));
  assert.ok(flags.includes("--v8-flags=--max-semi-space-size=2"), "the binary keeps the task's V8 heap setting");
  assert.ok(
    !flags.some((flag) =>
      ["-A", "--allow-all", "--allow-run", "--allow-ffi", "--allow-net", "--allow-env"].includes(flag)
    ),
  );
  assert.deepEqual(flags.filter((flag) => /^--allow-(read|write)/.test(flag)), ["--allow-read", "--allow-write"]);
});

Deno.test("binaryName() names release assets per target", () => {
  assert.equal(binaryName("x86_64-pc-windows-msvc"), "aws-summarize-account-activity-x86_64-pc-windows-msvc.exe");
  assert.equal(binaryName("aarch64-apple-darwin"), "aws-summarize-account-activity-aarch64-apple-darwin");
});
