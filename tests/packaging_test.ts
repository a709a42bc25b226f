import assert from "node:assert/strict";
import { join } from "node:path";
import { binaryName, binaryPermissions, hostTarget } from "../scripts/compile.ts";
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
    assert.equal(code, 0, new TextDecoder().decode(stderr));
    const binary = await Deno.stat(join(output, binaryName(hostTarget())));
    assert.ok(binary.size > 50_000_000, "a binary with the runtime and the module graph embedded");
  } finally {
    await Deno.remove(output, { recursive: true });
  }
});

Deno.test("binaryPermissions() keeps the task's hosts and variables and never grants everything", () => {
  const flags = binaryPermissions(denoConfig.tasks.summarize);
  assert.ok(flags.some((flag) => flag.startsWith("--allow-net=") && flag.includes("*.amazonaws.com")));
  assert.ok(flags.some((flag) => flag.startsWith("--allow-env=AWS_*")));
  assert.ok(flags.includes("--allow-sys=osRelease"));
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
