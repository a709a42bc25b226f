/**
 * `deno task demo:files [flags]`: the demo data (real records, see tests/fixtures/demo/SOURCES.md)
 * written as a trail would deliver it (`demo-trail-files/AWSLogs/…/*.json.gz`, in the folder you
 * run it from) and summarized from there by the real CLI with `--trail-files`: no AWS account,
 * no credentials, no emulator. Flags are passed on to the CLI.
 */
import { join } from "node:path";
import { cliCommand } from "../e2e/cli_harness.ts";
import { loadDemoEvents } from "./demo_data.ts";
import { trailFiles, writeTrailFiles } from "./trail_fixture.ts";

const DEMO_ACCOUNT = "123456789012";
const FOLDER = "demo-trail-files";

const workingDirectory = Deno.env.get("INIT_CWD") || Deno.cwd();
// The same records, with the same times, as `deno task demo` serves through LookupEvents.
const records = Object.entries(await loadDemoEvents(Date.now())).flatMap(([region, events]) =>
  events.map((event) => {
    const record = JSON.parse(event.cloudTrailEvent);
    // Counted under the region the demo serves it from, as in `deno task demo`; filed under the demo account when it names none.
    return { record: { ...record, recipientAccountId: record.recipientAccountId ?? DEMO_ACCOUNT, awsRegion: region } };
  })
);
const files = trailFiles(records);
await Deno.remove(join(workingDirectory, FOLDER), { recursive: true }).catch(() => {});
await writeTrailFiles(join(workingDirectory, FOLDER), files);
Deno.stderr.writeSync(
  new TextEncoder().encode(`Wrote ${records.length} demo records as ${files.size} trail files in ./${FOLDER}\n`),
);
// A HOME with no ~/.aws: trail files need no AWS configuration at all.
const home = new URL("../fixtures/demo/no-home", import.meta.url).pathname;
const args = Deno.args.length > 0 ? Deno.args : ["--plot-results"];
const child = cliCommand(["--trail-files", FOLDER, ...args], { workingDirectory, home, inheritOutput: true }).spawn();
// Ctrl-C reaches the CLI too (same process group); it writes its partial summary.
Deno.addSignalListener("SIGINT", () => {});
Deno.exitCode = (await child.status).code;
