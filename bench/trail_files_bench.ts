/**
 * Trail files: the real CLI (a subprocess with the summarize task's permissions) over generated
 * CloudTrail log files (tests/support/trail_file_generator.ts: ~1.6 KB records, gzipped), read
 * from a local folder and through the emulator's S3 on loopback, with 1 and 2 counting workers.
 * Prints records/s, MB/s of gzip read, peak RSS and CPU seconds of the CLI process (from GNU time, else sampled with
 * `ps`), and the
 * machine's load average (the machine may be shared: read the figures against it).
 */
import { join } from "node:path";
import { cliCommand, emulatorEnvironment, fakeCredentials } from "../tests/e2e/cli_harness.ts";
import { startAwsEmulator } from "../tests/support/aws_emulator.ts";
import { S3Emulator } from "../tests/support/s3_emulator.ts";
import { type GeneratedTrailOptions, generateTrailFiles } from "../tests/support/trail_file_generator.ts";

const FIRST_DELIVERY_MS = Date.UTC(2026, 10, 1, 0, 5);
const SPACING_MS = 60_000;
const BUCKET = "bench-trail";

function generatorOptions(files: number, recordsPerFile: number): GeneratedTrailOptions {
  return {
    files,
    recordsPerFile,
    accounts: ["111122223333", "444455556666"],
    regions: ["us-east-1", "eu-west-1"],
    firstDeliveryMs: FIRST_DELIVERY_MS,
    spacingMs: SPACING_MS,
    organizationId: "o-benchorg01",
  };
}

/** Generates the files once under the system's temporary folder; later runs reuse them. */
async function trailFolder(files: number, recordsPerFile: number, print: (line: string) => void) {
  const root = join(Deno.env.get("TMPDIR") ?? "/tmp", `aws-summarize-trail-bench-${files}x${recordsPerFile}`);
  const trail = join(root, "work", "trail");
  const done = join(root, "complete");
  try {
    await Deno.stat(done);
  } catch {
    print(`files: generating ${files} files of ${recordsPerFile} records in ${trail} (once)`);
    for (const file of generateTrailFiles(generatorOptions(files, recordsPerFile))) {
      const path = join(trail, file.key);
      await Deno.mkdir(join(path, ".."), { recursive: true });
      await Deno.writeFile(path, file.bytes);
    }
    await Deno.writeTextFile(done, "");
  }
  return { workingDirectory: join(root, "work"), home: join(root, "home"), trail };
}

async function* walk(folder: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

/** GNU time, which reports a process's peak RSS and CPU time exactly, without sampling it. */
const GNU_TIME = "/usr/bin/time";

/** Whether GNU time runs here; asked once per bench. */
let gnuTimeChecked: Promise<boolean> | undefined;

async function gnuTimeAvailable(): Promise<boolean> {
  try {
    return (await new Deno.Command(GNU_TIME, { args: ["-f", "", "true"], stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

/** Peak RSS (MB) and CPU seconds (user + system) from GNU time's `-f "%M %U %S"` output file. */
async function timeFigures(path: string): Promise<{ peakRssMb: number; cpuSeconds: number }> {
  const [rssKb = 0, user = 0, system = 0] = (await Deno.readTextFile(path)).trim().split(/\s+/).slice(-3).map(Number);
  return { peakRssMb: rssKb / 1024, cpuSeconds: user + system };
}

/**
 * Peak RSS and CPU seconds of a process, from `ps` every 100 ms until it exits (reading /proc needs
 * every permission under Deno; `ps` needs only to be run), where GNU time is missing. The peak is a sampled
 * one, and the sampling itself takes some CPU from the run.
 */
function watchProcess(pid: number): { stop(): Promise<{ peakRssMb: number; cpuSeconds: number }> } {
  let peakRssMb = 0;
  let cpuSeconds = 0;
  let running = true;
  const polling = (async () => {
    while (running) {
      const output = await new Deno.Command("ps", { args: ["-o", "rss=,cputimes=", "-p", String(pid)] }).output();
      const [rssKb, cpu] = new TextDecoder().decode(output.stdout).trim().split(/\s+/).map(Number);
      if (output.success && rssKb !== undefined && cpu !== undefined) {
        peakRssMb = Math.max(peakRssMb, rssKb / 1024);
        cpuSeconds = cpu;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      running = false;
      await polling;
      return { peakRssMb, cpuSeconds };
    },
  };
}

function loadAverage(): string {
  return Deno.loadavg().map((load) => load.toFixed(2)).join(" ");
}

async function runOnce(
  label: string,
  args: string[],
  environment: { workingDirectory: string; home: string; env?: Record<string, string> },
  totalRecords: number,
  files: number,
  gzipBytes: number,
  print: (line: string) => void,
): Promise<void> {
  const results = join(environment.workingDirectory, "results");
  await Deno.remove(results, { recursive: true }).catch(() => {});
  const loadBefore = loadAverage();
  const started = performance.now();
  const figuresFile = join(environment.workingDirectory, "time.txt");
  const timed = await (gnuTimeChecked ??= gnuTimeAvailable());
  const wrapper = timed ? [GNU_TIME, "-f", "%M %U %S", "-o", figuresFile] : [];
  const child = cliCommand([...args, "--quiet", "--output-dir", "results"], { ...environment, wrapper }).spawn();
  const watcher = timed ? undefined : watchProcess(child.pid);
  const output = await child.output();
  const seconds = (performance.now() - started) / 1000;
  const { peakRssMb, cpuSeconds } = watcher === undefined ? await timeFigures(figuresFile) : await watcher.stop();
  let counted = "?";
  try {
    for await (const entry of Deno.readDir(results)) {
      if (!entry.name.endsWith(".json")) continue;
      counted = String(JSON.parse(await Deno.readTextFile(join(results, entry.name)))._metadata.records_in_files);
    }
  } catch {
    // No summary: the exit code line above says why.
  }
  if (output.code !== 0) {
    print(`${label}: exit ${output.code}: ${new TextDecoder().decode(output.stderr).slice(0, 400)}`);
  }
  print(
    `${label}: ${counted}/${totalRecords} records in ${seconds.toFixed(1)} s = ` +
      `${Math.round(totalRecords / seconds).toLocaleString("en")} records/s, ` +
      `${Math.round(files / seconds).toLocaleString("en")} files/s, ` +
      `${(gzipBytes / 1e6 / seconds).toFixed(1)} MB/s of gzip; peak RSS ${peakRssMb.toFixed(0)} MB; ` +
      `CPU ${cpuSeconds.toFixed(1)} s${timed ? "" : " (sampled by ps)"}${
        cpuSeconds > 0 ? ` = ${Math.round(totalRecords / cpuSeconds).toLocaleString("en")} records per CPU-second` : ""
      }; load average before ${loadBefore}, after ${loadAverage()}`,
  );
}

/** Which sources a bench run reads, and how many records (1,000,000 in 200 files by default). */
export interface TrailFilesBenchOptions {
  sources?: readonly ("local" | "s3")[];
  files?: number;
  recordsPerFile?: number;
  /** Added to every GetObject answer of the emulator's S3 (default 0). */
  getLatencyMs?: number;
}

/** The bench: each source with 1 and 2 workers. */
export async function trailFilesBench(
  print: (line: string) => void,
  { sources = ["local", "s3"], files = 200, recordsPerFile = 5000, getLatencyMs = 0 }: TrailFilesBenchOptions = {},
) {
  const totalRecords = files * recordsPerFile;
  const folder = await trailFolder(files, recordsPerFile, print);
  await Deno.mkdir(folder.home, { recursive: true });
  let gzipBytes = 0;
  const s3 = new S3Emulator();
  s3.faults.getLatencyMs = getLatencyMs;
  for await (const path of walk(folder.trail)) {
    const bytes = await Deno.readFile(path);
    gzipBytes += bytes.length;
    s3.putObject(BUCKET, path.slice(folder.trail.length + 1), bytes);
  }
  print(
    `files: ${totalRecords.toLocaleString("en")} records in ${files} .json.gz files, ` +
      `${(gzipBytes / 1e6).toFixed(0)} MB of gzip; ${navigator.hardwareConcurrency} cores`,
  );
  for (const workers of sources.includes("local") ? [1, 2] : []) {
    await runOnce(
      `files local, ${workers} worker(s)`,
      ["--trail-files", "trail", "--workers", String(workers)],
      folder,
      totalRecords,
      files,
      gzipBytes,
      print,
    );
  }
  if (!sources.includes("s3")) return;
  const credentials = fakeCredentials();
  const emulator = startAwsEmulator({
    regions: ["us-east-1"],
    events: {},
    acceptedAccessKeys: [credentials.accessKeyId],
    s3,
  });
  try {
    const env = emulatorEnvironment(emulator.url, credentials);
    const window = [
      "--start-time",
      new Date(FIRST_DELIVERY_MS - 600_000).toISOString(),
      "--end-time",
      new Date(FIRST_DELIVERY_MS + files * SPACING_MS).toISOString(),
    ];
    for (const workers of [1, 2]) {
      await runOnce(
        `files S3 (emulator on loopback, same machine${
          getLatencyMs > 0 ? `, ${getLatencyMs} ms a GetObject` : ""
        }), ${workers} worker(s)`,
        ["--trail-bucket", `s3://${BUCKET}`, ...window, "--workers", String(workers)],
        { ...folder, env },
        totalRecords,
        files,
        gzipBytes,
        print,
      );
    }
  } finally {
    await emulator.close();
  }
}
