import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { scenario, syntheticEvents } from "./scenario.ts";

async function filesUnder(directory: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string) => {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if (entry.isDirectory) await walk(path);
      else found.push(relative(directory, path));
    }
  };
  await walk(directory);
  return found.sort();
}

/** The spec's character rule, written here again on purpose: the expectation must not come from our code. */
const specName = (key: string) => key.replace(/[^A-Za-z0-9_+=,.@-]/g, "_");

Deno.test("summarize --plot-results writes exactly the expected chart files, all 1600x800 PNGs", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: {
      "us-east-1": syntheticEvents(90, now - 1000, 1000).events,
      "eu-west-1": syntheticEvents(10, now - 1000, 1000, 500).events,
    },
  });
  const result = await world.run(["--lookup-rate", "20", "--plot-results"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  const plots = join(world.resultsDirectory, `account_activity_111122223333_${summary._metadata.run_timestamp}_plots`);
  assert.ok(result.stdout.includes(plots), "the plots folder is announced on stdout");
  const expected = SECTION_NAMES.flatMap((section) => {
    const keys = Object.keys(summary[section] as object);
    return keys.length === 0 ? [] : [`${section}_summary.png`, ...keys.map((key) => `${section}/${specName(key)}.png`)];
  }).sort();
  assert.deepEqual(await filesUnder(plots), expected);
  for (const file of expected) {
    const bytes = await Deno.readFile(join(plots, file));
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], `${file} is a PNG`);
    const header = new DataView(bytes.buffer, bytes.byteOffset + 16, 8);
    assert.deepEqual([header.getUint32(0), header.getUint32(4)], [1600, 800], file);
  }
});

Deno.test("plot FILE charts an existing summary without AWS and will not overwrite unless asked", async () => {
  const now = Date.now();
  await using world = await scenario({
    regions: ["us-east-1"],
    events: { "us-east-1": syntheticEvents(20, now - 1000, 1000).events },
  });
  const run = await world.run(["--lookup-rate", "20", "--quiet"]);
  assert.equal(run.code, 0, run.stderr);
  const file = run.stdout.trim();
  const plotsFolder = file.replace(/\.json$/, "_plots");
  const first = await world.run(["plot", file], { AWS_ACCESS_KEY_ID: "", AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout.trim(), plotsFolder);
  assert.ok((await filesUnder(plotsFolder)).includes("api_calls_by_principal_summary.png"));
  const again = await world.run(["plot", file]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^error: Cannot write the charts to '.*_plots': .*--overwrite/m);
  const overwritten = await world.run(["plot", file, "--overwrite"]);
  assert.equal(overwritten.code, 0, overwritten.stderr);
});
