/**
 * Nothing fetched is lost to the file system: an unwritable folder is found before the first
 * LookupEvents call; a summary that cannot be written goes to stdout or a temporary file; a raw dump
 * that fills the disk names its file and the summary is still written; runs in the same second never
 * replace each other; temporary files of killed runs are removed. Runs `run()` in process with a
 * scripted AWS (our own interface, not the SDK) and the real file system with chosen faults.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { systemClock } from "../../src/clock.ts";
import type { RunDependencies } from "../../src/cli/context.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { run } from "../../src/cli/run.ts";
import { CannotRunError, EXIT_CODES } from "../../src/errors.ts";
import { denoOutputFiles, type OutputFiles } from "../../src/report/files.ts";
import { reserveOutputPaths, writeSummary } from "../../src/cli/summary_output.ts";
import { ScriptedAws, scriptedEvents } from "../fakes/scripted_aws.ts";

const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
const DISK_FULL = () => new Error("No space left on device (os error 28)");

interface Captured {
  deps: RunDependencies;
  aws: ScriptedAws;
  stdout: () => string;
  stderr: () => string;
}

function world(directory: string, files: Partial<OutputFiles> = {}, stdoutIsTerminal = false): Captured {
  const aws = new ScriptedAws({
    "us-east-1": scriptedEvents("east", 120, NOW - 60_000),
    "eu-west-1": scriptedEvents("west", 30, NOW - 60_000),
  });
  let stdout = "";
  let stderr = "";
  return {
    aws,
    stdout: () => stdout,
    stderr: () => stderr,
    deps: {
      createAwsApis: () => Promise.resolve(aws),
      createOrganizationApi: () => Promise.reject(new Error("a single-account run never lists the organization")),
      clock: { now: () => NOW, sleep: systemClock.sleep },
      files: { ...denoOutputFiles, ...files },
      stdout: { write: (text) => void (stdout += text), isTerminal: stdoutIsTerminal },
      stderr: { write: (text) => void (stderr += text), isTerminal: false },
      workingDirectory: directory,
      invocation: "test",
      interrupt: new AbortController().signal,
      color: false,
    },
  };
}

const ARGS = ["--lookup-rate", "100", "--lookup-burst", "100", "--quiet"];

async function summarizeIn(captured: Captured, extra: string[] = []) {
  return await run(parseFlags([...ARGS, ...extra]), captured.deps);
}

async function summaryFiles(directory: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(join(directory, "results"))) {
    if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
  }
  return names.sort();
}

Deno.test("an output folder that cannot be written stops the run before the first LookupEvents call", async () => {
  const directory = await Deno.makeTempDir();
  const captured = world(directory, { probeWritable: () => Promise.reject(new Deno.errors.PermissionDenied("no")) });
  await assert.rejects(summarizeIn(captured), (error: unknown) => {
    assert.ok(error instanceof CannotRunError);
    assert.match(error.message, /^Cannot write to the output folder '.*results': permission denied$/);
    return true;
  });
  assert.equal(captured.aws.calls.length, 0, "no LookupEvents call was made");
  await Deno.remove(directory, { recursive: true });
});

Deno.test("a summary that cannot be written goes to stdout when stdout is not a terminal", async () => {
  const directory = await Deno.makeTempDir();
  const captured = world(directory, { writeTextNew: () => Promise.reject(DISK_FULL()) });
  const code = await summarizeIn(captured);
  assert.equal(code, EXIT_CODES.cannotRun);
  assert.match(
    captured.stderr(),
    /^error: Cannot write the summary '.*account_activity_111122223333_20261204120000\.json': no space left on the device; the summary follows on stdout instead$/m,
  );
  const summary = JSON.parse(captured.stdout());
  assert.equal(summary._metadata.records_read, 150, "every event fetched is in the summary");
  await Deno.remove(directory, { recursive: true });
});

Deno.test("a summary that cannot be written goes to a temporary file whose path is printed, on a terminal", async () => {
  const directory = await Deno.makeTempDir();
  const captured = world(directory, { writeTextNew: () => Promise.reject(DISK_FULL()) }, true);
  const code = await summarizeIn(captured);
  assert.equal(code, EXIT_CODES.cannotRun);
  const path = /it was written to '([^']+)' instead$/m.exec(captured.stderr())?.[1];
  assert.ok(path, captured.stderr());
  assert.equal(JSON.parse(await Deno.readTextFile(path))._metadata.records_read, 150);
  assert.equal(captured.stdout(), "");
  await Deno.remove(path);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("a raw dump that fills the disk names its file, and the summary is still written", async () => {
  const directory = await Deno.makeTempDir();
  const captured = world(directory, {
    openLineWriter: async (path, mode) => {
      const writer = await denoOutputFiles.openLineWriter(path, mode);
      return { write: () => Promise.reject(DISK_FULL()), close: () => writer.close() };
    },
  });
  const code = await summarizeIn(captured, ["--dump-raw-cloudtrail-data"]);
  assert.equal(code, EXIT_CODES.ok);
  const lines = captured.stderr().split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(lines.length, 1, captured.stderr());
  assert.match(lines[0]!, /Cannot write the raw dump '.*_raw_cloudtrail_data\/(us-east-1|eu-west-1)\.jsonl': no space/);
  const [name] = await summaryFiles(directory);
  const summary = JSON.parse(await Deno.readTextFile(join(directory, "results", name!)));
  assert.equal(summary._metadata.records_read, 150);
  assert.match(summary._metadata.raw_dump_failed.file, /\.jsonl$/);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("runs in the same second never replace each other's summary: the later takes _2, _3", async () => {
  const directory = await Deno.makeTempDir();
  const codes = await Promise.all([1, 2, 3].map(() => summarizeIn(world(directory), ["--dump-raw-cloudtrail-data"])));
  assert.deepEqual(codes, [0, 0, 0]);
  assert.deepEqual(await summaryFiles(directory), [
    "account_activity_111122223333_20261204120000.json",
    "account_activity_111122223333_20261204120000_2.json",
    "account_activity_111122223333_20261204120000_3.json",
  ]);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("temporary files left by a killed write are removed by the next run; a live one is kept", async () => {
  const directory = await Deno.makeTempDir();
  const results = join(directory, "results");
  await Deno.mkdir(results);
  const stale = join(
    results,
    "account_activity_111122223333_20261203000000.json.0b7e6c2a-4a1e-4c8e-9d3f-1a2b3c4d5e6f.tmp",
  );
  const live = join(
    results,
    "account_activity_111122223333_20261204115959.json.1b7e6c2a-4a1e-4c8e-9d3f-1a2b3c4d5e6f.tmp",
  );
  const foreign = join(results, "notes.tmp");
  for (const path of [stale, live, foreign]) await Deno.writeTextFile(path, "{");
  await Deno.utime(stale, new Date(Date.now() - 3600_000), new Date(Date.now() - 3600_000));
  assert.equal(await summarizeIn(world(directory)), 0);
  await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  await Deno.stat(live);
  await Deno.stat(foreign);
  await Deno.remove(directory, { recursive: true });
});

Deno.test("a roll-up whose name was taken meanwhile keeps its organization_activity_ prefix with _2", async () => {
  const directory = await Deno.makeTempDir();
  const deps = world(directory).deps;
  const reserved = await reserveOutputPaths(
    deps,
    directory,
    "111122223333",
    "20261204120000",
    false,
    "organization_activity",
  );
  // Another run of the same organization finishes first, in the same second.
  await Deno.writeTextFile(reserved.paths.summary, "{}");
  const destination = await writeSummary(deps, reserved, "{}\n", "111122223333", "20261204120000");
  assert.equal(destination.kind, "file");
  assert.equal(
    destination.kind === "file" ? destination.paths.summary : "",
    join(directory, "organization_activity_111122223333_20261204120000_2.json"),
  );
  await Deno.remove(directory, { recursive: true });
});
