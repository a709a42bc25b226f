import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalTrailLister } from "../../src/sources/local_trail_lister.ts";
import { TrailTally } from "../../src/sources/trail_tally.ts";

/** Lists `paths` (relative to `root`): the names yielded, relative to `root`, and the tally. */
async function listed(root: string, paths: readonly string[]) {
  const lister = new LocalTrailLister(paths.map((path) => join(root, path)), 0, 0);
  const tally = new TrailTally();
  const names: string[] = [];
  for await (const file of lister.files(tally, new AbortController().signal)) {
    names.push(file.name.slice(root.length + 1));
  }
  return { names, tally, partitions: lister.partitions };
}

Deno.test("links are followed and what they reach is listed once; pipes, devices and broken links are counted", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const root = await Deno.makeTempDir({ prefix: "local-trail-lister-" });
  try {
    await Deno.mkdir(join(root, "export/a/deep"), { recursive: true });
    await Deno.mkdir(join(root, "export/b"));
    await Deno.mkdir(join(root, "elsewhere"));
    for (const path of ["export/a/1.json", "export/a/deep/2.json", "export/b/3.json", "elsewhere/4.json"]) {
      await Deno.writeTextFile(join(root, path), "{}");
    }
    await Deno.symlink("1.json", join(root, "export/a/also-1.json"));
    await Deno.symlink("..", join(root, "export/a/deep/loop"));
    await Deno.symlink("../../elsewhere", join(root, "export/b/linked-folder"));
    await Deno.symlink("../b/3.json", join(root, "export/a/0-link-to-3.json"));
    await Deno.symlink("../a/deep/2.json", join(root, "export/b/0-link-to-2.json"));
    await Deno.symlink("no-such-file.json", join(root, "export/b/broken.json"));
    await Deno.symlink("/dev/null", join(root, "export/b/device"));
    const fifo = await new Deno.Command("mkfifo", { args: [join(root, "export/b/pipe.json")] }).output();
    assert.ok(fifo.success, new TextDecoder().decode(fifo.stderr));

    const { names, tally, partitions } = await listed(root, ["export", "export/a/1.json", "elsewhere"]);
    assert.deepEqual(names, [
      // Reached through a link before its own folder: listed at the link's path, not again as b/3.json.
      "export/a/0-link-to-3.json",
      "export/a/1.json",
      // Its folder was entered already: the link to it in b, the loop back to a and the path given again add nothing.
      "export/a/deep/2.json",
      "export/b/linked-folder/4.json",
    ]);
    assert.deepEqual(partitions.map((partition) => partition.status), ["reading", "reading", "reading"]);
    assert.deepEqual(tally.skipped, { not_regular_file: 2 });
    assert.deepEqual(tally.failed, { [join(root, "export/b/broken.json")]: "NotFound" });
    assert.equal(tally.filesListed, 3, "the pipe, the device and the broken link, tallied by the lister itself");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
