/**
 * Local trail files end to end, the cases a folder on disk brings: Ctrl-C typed on a terminal
 * while files are counted, a named pipe among the files, and a file too large for one string.
 * Counts are asserted against the independent reference (tests/support/reference_summary.ts).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { SECTION_NAMES } from "../../src/summary/types.ts";
import { referenceSections } from "../support/reference_summary.ts";
import { trailFiles, writeTrailFiles } from "../support/trail_fixture.ts";
import { scenario, syntheticRecord } from "./scenario.ts";

const ACCOUNT = "111122223333";
const REGIONS = ["eu-west-1", "us-east-1"];

type Json = Record<string, unknown>;
type Section = Record<string, Record<string, number>>;

/** `count` records in both regions, a minute apart from `newestMs` back. */
function records(count: number, newestMs: number, firstIndex = 0): Json[] {
  return Array.from({ length: count }, (_, offset) => ({
    ...syntheticRecord(firstIndex + offset),
    eventID: `local-${firstIndex + offset}`,
    eventTime: new Date(newestMs - offset * 60_000).toISOString().slice(0, 19) + "Z",
    awsRegion: REGIONS[offset % REGIONS.length],
    recipientAccountId: ACCOUNT,
  }));
}

function reference(list: readonly Json[]) {
  return referenceSections(list.map((record) => ({ record, region: String(record.awsRegion) })));
}

function sections(summary: Json) {
  return Object.fromEntries(SECTION_NAMES.map((name) => [name, summary[name]]));
}

/** Every count of `sections` times `factor`. */
function scaled(sections: Record<string, Section>, factor: number) {
  return Object.fromEntries(
    Object.entries(sections).map(([name, section]) => [
      name,
      Object.fromEntries(
        Object.entries(section).map(([key, counts]) => [
          key,
          Object.fromEntries(Object.entries(counts).map(([subKey, count]) => [subKey, count * factor])),
        ]),
      ),
    ]),
  );
}

/** Collects a stream's text; `reached` settles once `condition` holds for the text so far (or the stream ends). */
function watch(stream: ReadableStream<Uint8Array>, condition: (text: string) => boolean) {
  let text = "";
  let markReached: (met: boolean) => void = () => {};
  const reached = new Promise<boolean>((resolve) => (markReached = resolve));
  const whole = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      text += decoder.decode(chunk, { stream: true });
      if (condition(text)) markReached(true);
    }
    markReached(false);
    return text;
  })();
  return { reached, whole };
}

/** The most files done that a progress line shows so far ("12/1500 files, ..."). */
function filesDoneShown(text: string): number {
  return Math.max(0, ...[...text.matchAll(/(\d+)\/\d+ files/g)].map((match) => Number(match[1])));
}

Deno.test("Ctrl-C on a terminal while reading local trail files writes what was counted, marked incomplete, exit 130", {
  ignore: Deno.build.os === "windows",
}, async () => {
  // One file of 2,000 records under 1,500 names (hard links: no disk space, no generation time): 3 million records,
  // far more than one worker counts before the signal, which is sent once progress shows files done.
  const perFile = records(2000, Date.UTC(2026, 10, 1, 12));
  const fileCount = 1500;
  await using world = await scenario({ regions: REGIONS, events: {} });
  const folder = join(world.workingDirectory, "export");
  await Deno.mkdir(folder);
  const original = join(folder, "0000.json.gz");
  await Deno.writeFile(original, gzipSync(JSON.stringify({ Records: perFile })));
  for (let index = 1; index < fileCount; index++) {
    await Deno.link(original, join(folder, `${String(index).padStart(4, "0")}.json.gz`));
  }

  const child = world.spawnTask("terminal", ["--trail-files", "export", "--workers", "1"]);
  const errors = new Response(child.stderr).text();
  const output = watch(child.stdout, (text) => filesDoneShown(text) >= 2);
  const input = child.stdin.getWriter();
  if (!await output.reached) assert.fail(`no progress line with files done: ${await output.whole}${await errors}`);
  await input.write(new TextEncoder().encode("\x03"));
  const status = await child.status.finally(() => input.close().catch(() => {}));
  const text = await output.whole + await errors;

  assert.equal(status.code, 130, text);
  assert.match(text, /Interrupted: writing what was read so far/);
  const summary = await world.summary();
  const metadata = summary._metadata;
  assert.equal(metadata.incomplete, true);
  const files = metadata.files as Json;
  const read = files.read as number;
  assert.ok(read >= 2 && read < fileCount, `partial: ${read} of ${fileCount} files`);
  // Every file listed was counted whole before the summary was written: none in flight was dropped.
  assert.equal(files.listed, read);
  assert.deepEqual(files.failed, {});
  assert.deepEqual(files.skipped, {});
  assert.equal(metadata.records_in_files, read * perFile.length);
  assert.equal(metadata.records_read, read * perFile.length);
  const regionsSeen = metadata.regions_seen as Record<string, { records: number }>;
  assert.equal(Object.values(regionsSeen).reduce((sum, region) => sum + region.records, 0), read * perFile.length);
  assert.deepEqual(sections(summary), scaled({ ...reference(perFile) }, read));
});

Deno.test("a named pipe among trail files is skipped and counted, not read (which would wait forever)", {
  ignore: Deno.build.os === "windows",
}, async () => {
  const list = records(50, Date.UTC(2026, 10, 1, 12));
  await using world = await scenario({ regions: REGIONS, events: {} });
  const folder = join(world.workingDirectory, "export");
  const files = trailFiles(list.map((record) => ({ record })));
  await writeTrailFiles(folder, files);
  const pipe = await new Deno.Command("mkfifo", { args: [join(folder, "AWSLogs", "pipe.json.gz")] }).output();
  assert.ok(pipe.success, new TextDecoder().decode(pipe.stderr));
  // A link loop and a second path to the same files: each file is still counted once.
  await Deno.symlink(".", join(folder, "AWSLogs", "loop"));
  await Deno.symlink("export", join(world.workingDirectory, "same-export"));

  const result = await world.run(["--trail-files", "export", "--trail-files", "same-export", "--quiet"]);
  assert.equal(result.code, 0, result.stderr);
  const summary = await world.summary();
  assert.deepEqual(sections(summary), reference(list));
  const counted = summary._metadata.files as Json;
  assert.deepEqual(counted.skipped, { not_regular_file: 1 });
  assert.equal(counted.listed, files.size + 1);
  assert.equal(counted.read, files.size);
});

Deno.test("a file that decompresses past one string's limit fails alone with FileTooLarge, exit 3", async () => {
  const list = records(30, Date.UTC(2026, 10, 1, 12));
  await using world = await scenario({ regions: REGIONS, events: {} });
  const folder = join(world.workingDirectory, "export");
  await writeTrailFiles(folder, trailFiles(list.map((record) => ({ record }))));
  // 513 gzip members of 1 MiB of spaces each: a 0.5 MB file that gunzips to 513 MiB, past the 512 MiB a string holds.
  // A gzip file may hold several members and gunzip reads them all, so the test never holds the 513 MiB itself.
  const member = gzipSync(new Uint8Array(1 << 20).fill(0x20));
  const members = new Uint8Array(member.length * 513);
  for (let index = 0; index < 513; index++) members.set(member, index * member.length);
  const large = join(folder, "large.json.gz");
  await Deno.writeFile(large, members);

  const result = await world.run(["--trail-files", "export"]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stderr, /1 of \d+ files could not be read/);
  const summary = await world.summary();
  assert.deepEqual(sections(summary), reference(list));
  assert.deepEqual((summary._metadata.files as Json).failed, { [large]: "FileTooLarge" });
  assert.equal(summary._metadata.records_read, list.length);
});
