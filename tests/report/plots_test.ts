import assert from "node:assert/strict";
import { join } from "node:path";
import { writePlots } from "../../src/report/plots.ts";
import type { Summary } from "../../src/summary/types.ts";
import { summaryWith } from "../support/summary_fixture.ts";

function summary(principals: string[]): Summary {
  const counts = Object.fromEntries(principals.map((principal) => [principal, { "s3.amazonaws.com:ListBuckets": 2 }]));
  return summaryWith({
    api_calls_by_principal: counts,
    api_calls_by_region: { "us-east-1": { "s3.amazonaws.com:ListBuckets": 2 * principals.length } },
  });
}

/** Every file under `directory`, relative, sorted. */
async function listTree(directory: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    const relative = prefix + entry.name;
    if (entry.isDirectory) found.push(...await listTree(join(directory, entry.name), `${relative}/`));
    else found.push(relative);
  }
  return found.toSorted();
}

const HOSTILE = ["../../escape", "/etc/passwd", "a\\..\\b", "nul\u0000byte", "..", "x".repeat(10_000), "a/b", "a:b"];

Deno.test("writePlots() writes every chart inside the folder, whatever the principals", async () => {
  const root = await Deno.makeTempDir({ prefix: "plots_test_" });
  try {
    const plotsDirectory = join(root, "plots");
    const progress: number[] = [];
    const { files } = await writePlots(summary(HOSTILE), {
      plotsDirectory,
      workers: 2,
      onProgress: (done, total) => progress.push(done / total),
    });
    assert.equal(files.length, 2 + 1 + HOSTILE.length);
    assert.equal(progress.at(-1), 1);
    assert.deepEqual(await listTree(root), files.map((file) => file.slice(root.length + 1)).toSorted());
    for (const file of files) {
      assert.ok(file.startsWith(plotsDirectory + "/"));
      const bytes = await Deno.readFile(file);
      assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47]);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writePlots() refuses a folder that is not empty unless told to overwrite", async () => {
  const plotsDirectory = await Deno.makeTempDir({ prefix: "plots_test_" });
  try {
    await Deno.writeTextFile(join(plotsDirectory, "keep.txt"), "mine");
    await assert.rejects(
      writePlots(summary(["bob"]), { plotsDirectory, workers: 1 }),
      /not empty \(use --overwrite/,
    );
    const { files } = await writePlots(summary(["bob"]), { plotsDirectory, workers: 1, overwrite: true });
    assert.equal(files.length, 4);
    assert.equal(await Deno.readTextFile(join(plotsDirectory, "keep.txt")), "mine");
    const before = await listTree(plotsDirectory);
    await writePlots(summary(["carol"]), { plotsDirectory, workers: 1, overwrite: true });
    const after = await listTree(plotsDirectory);
    assert.ok(before.some((path) => path.includes("bob")), `bob's charts were there: ${before}`);
    assert.ok(!after.some((path) => path.includes("bob")), `bob's stale charts are gone: ${after}`);
    assert.ok(after.some((path) => path.includes("carol")) && after.includes("keep.txt"), `${after}`);
  } finally {
    await Deno.remove(plotsDirectory, { recursive: true });
  }
});

/** Deno.symlink() needs unscoped read and write permissions; with narrow grants the test is skipped. */
const CAN_SYMLINK = Deno.permissions.querySync({ name: "read" }).state === "granted" &&
  Deno.permissions.querySync({ name: "write" }).state === "granted";

Deno.test({
  name: "writePlots() refuses a section folder that is a symbolic link" +
    (CAN_SYMLINK ? "" : " (skipped: needs unscoped --allow-read and --allow-write)"),
  ignore: !CAN_SYMLINK,
}, async () => {
  const root = await Deno.makeTempDir({ prefix: "plots_test_" });
  try {
    const plotsDirectory = join(root, "plots");
    await Deno.mkdir(join(root, "elsewhere"));
    await Deno.mkdir(plotsDirectory);
    await Deno.symlink(join(root, "elsewhere"), join(plotsDirectory, "api_calls_by_principal"));
    await assert.rejects(
      writePlots(summary(["bob"]), { plotsDirectory, overwrite: true, workers: 1 }),
      /exists and is not a folder/,
    );
    assert.deepEqual(await listTree(join(root, "elsewhere")), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writePlots() refuses a plots path that is a file", async () => {
  const root = await Deno.makeTempDir({ prefix: "plots_test_" });
  try {
    const plotsDirectory = join(root, "file");
    await Deno.writeTextFile(plotsDirectory, "");
    await assert.rejects(writePlots(summary(["bob"]), { plotsDirectory }), /not a folder/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("writePlots() clears what a killed chart write left (temporary files, empty section folders)", async () => {
  const plotsDirectory = await Deno.makeTempDir({ prefix: "plots_test_" });
  const leftover = (name: string) => `${name}.0b7e6c2a-4a1e-4c8e-9d3f-1a2b3c4d5e6f.tmp`;
  try {
    await Deno.mkdir(join(plotsDirectory, "api_calls_by_principal"));
    await Deno.writeTextFile(join(plotsDirectory, "api_calls_by_principal", leftover("bob.png")), "half");
    await Deno.writeTextFile(join(plotsDirectory, leftover("api_calls_by_region_summary.png")), "half");
    // Without --overwrite: the folder holds no chart, so the rerun is not blocked.
    await writePlots(summary(["bob"]), { plotsDirectory, workers: 1 });
    assert.ok(!(await listTree(plotsDirectory)).some((path) => path.endsWith(".tmp")));
    // With --overwrite: temporary files do not survive either.
    await Deno.writeTextFile(join(plotsDirectory, "api_calls_by_principal", leftover("carol.png")), "half");
    await writePlots(summary(["bob"]), { plotsDirectory, workers: 1, overwrite: true });
    assert.ok(!(await listTree(plotsDirectory)).some((path) => path.endsWith(".tmp")));
  } finally {
    await Deno.remove(plotsDirectory, { recursive: true });
  }
});
