/**
 * Chart rendering: a synthetic summary with realistic keys (up to 60 bars, user
 * agents past the 85-character cut; 170 charts by default) charted
 * - by the whole `plot` command, as `deno task plot` runs it (start-up, reading
 *   the file, rendering, writing), on one core (`taskset`, so one worker) and
 *   on all cores, best and median of {@link PLOT_RUNS} runs (the machine may be
 *   shared: the load average is printed too);
 * - by `writePlots` in this process, with one worker and one per core, with the
 *   process's CPU time (all threads): the figure least disturbed by other load.
 */
import { cpuUsage } from "node:process";
import { join } from "node:path";
import type { Summary } from "../src/summary/types.ts";
import { chartsForSummary } from "../src/report/chart_set.ts";
import { writePlots } from "../src/report/plots.ts";
import { taskArguments } from "../tests/e2e/cli_harness.ts";
import { summaryWith } from "../tests/support/summary_fixture.ts";

const SERVICES = ["lambda", "iam", "ec2", "s3", "sts", "logs", "cloudformation", "monitoring", "health", "kms"];
const ACTIONS = ["GetFunction20150331v2", "DescribeInstances", "ListBuckets", "AssumeRole", "GetPolicyVersion"];
const USER_AGENTS = [
  "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0-1016-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.ls",
  "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.69",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
  "console.amazonaws.com",
  "terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0",
];
const REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-north-1",
];

/** A summary with `principalCount` principals, numbers from a fixed-seed generator. */
export function syntheticSummary(principalCount: number): Summary {
  let seed = 42;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const counts = (keyCount: number, key: (index: number) => string) =>
    Object.fromEntries(
      Array.from({ length: keyCount }, (_, index) => [key(index), 1 + Math.floor(random() ** 3 * 500)]),
    );
  const summary = summaryWith({});
  for (let index = 0; index < principalCount; index++) {
    const principal = index % 3 === 0
      ? `123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/user${index}@example.com`
      : `123456789012:user/deploy-bot-${index}`;
    summary.api_calls_by_principal[principal] = counts(
      1 + Math.floor(random() * 60),
      (key) => `${pick(SERVICES)}.amazonaws.com:${pick(ACTIONS)}${key}`,
    );
    summary.ip_addresses_by_principal[principal] = counts(1 + Math.floor(random() * 6), (key) => `203.0.113.${key}`);
    summary.user_agents_by_principal[principal] = counts(
      1 + Math.floor(random() * 4),
      (key) => `${USER_AGENTS[key % USER_AGENTS.length]} #${key}`,
    );
    if (random() < 0.5) {
      summary.error_codes_by_principal[principal] = counts(
        1 + Math.floor(random() * 5),
        (key) => `${pick(SERVICES)}.amazonaws.com:AccessDenied${key}`,
      );
    }
  }
  for (const region of REGIONS) {
    summary.api_calls_by_region[region] = counts(
      1 + Math.floor(random() * 40),
      (key) => `ec2.amazonaws.com:Call${key}`,
    );
  }
  return summary;
}

/** Runs of the whole `plot` command per configuration. */
const PLOT_RUNS = 3;

/** Prints ms per chart, for the whole `plot` command and for `writePlots`, with one worker and with one per core. */
export async function chartsBench(print: (line: string) => void): Promise<void> {
  const summary = syntheticSummary(Number(Deno.env.get("BENCH_PRINCIPALS") ?? 45));
  summary._metadata = { ...summary._metadata, account_id: "123456789012", run_timestamp: "20261204000000" };
  const chartCount = chartsForSummary(summary).length;
  const cores = navigator.hardwareConcurrency;
  print(`charts: load average before ${Deno.loadavg().map((load) => load.toFixed(2)).join(" ")}`);
  for (const workers of [...new Set([1, cores])]) {
    const runs: number[] = [];
    for (let run = 0; run < PLOT_RUNS; run++) {
      const milliseconds = await plotCommandMilliseconds(summary, workers);
      if (milliseconds !== undefined) runs.push(milliseconds / chartCount);
    }
    if (runs.length === 0) {
      print(`plot command: on ${workers} core(s) skipped: needs 'taskset' (Linux)`);
      continue;
    }
    runs.sort((left, right) => left - right);
    print(
      `plot command: ${chartCount} charts on ${workers} core(s): best ${runs[0]!.toFixed(1)}, median ` +
        `${runs[Math.floor(runs.length / 2)]!.toFixed(1)} ms per chart of ${runs.length} runs ` +
        `(whole command: start-up, read, render, write)`,
    );
  }
  for (const workers of [...new Set([1, cores])]) {
    const directory = await Deno.makeTempDir({ prefix: "charts_bench_" });
    try {
      const cpuBefore = cpuUsage();
      const start = performance.now();
      await writePlots(summary, { plotsDirectory: directory, workers });
      const total = performance.now() - start;
      const cpu = cpuUsage(cpuBefore);
      print(
        `writePlots: ${chartCount} charts with ${workers} worker(s) in ${total.toFixed(0)} ms = ` +
          `${(total / chartCount).toFixed(1)} ms per chart, CPU ${
            ((cpu.user + cpu.system) / 1000 / chartCount).toFixed(1)
          } ` +
          `ms per chart (worker start-up included)`,
      );
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  }
  print(`charts: load average after ${Deno.loadavg().map((load) => load.toFixed(2)).join(" ")}`);
}

/**
 * Wall time of `deno task plot FILE` (the task's own permissions) in a fresh folder; on fewer cores than the
 * machine has through `taskset`, or undefined when there is no `taskset`.
 */
async function plotCommandMilliseconds(summary: Summary, cores: number): Promise<number | undefined> {
  const directory = await Deno.makeTempDir({ prefix: "charts_bench_plot_" });
  try {
    const file = join(directory, "account_activity_123456789012_20261204000000.json");
    await Deno.writeTextFile(file, JSON.stringify(summary));
    const deno = ["deno", ...taskArguments({ home: directory, workingDirectory: directory }, "plot"), file, "--quiet"];
    const command = cores === navigator.hardwareConcurrency
      ? deno
      : ["taskset", "--cpu-list", Array.from({ length: cores }, (_, index) => index).join(","), ...deno];
    const start = performance.now();
    let output: Deno.CommandOutput;
    try {
      output = await new Deno.Command(command[0]!, {
        args: command.slice(1),
        cwd: new URL("..", import.meta.url).pathname,
        env: { INIT_CWD: directory, RUST_BACKTRACE: "0" },
        stdout: "null",
        stderr: "piped",
      }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
    const milliseconds = performance.now() - start;
    if (!output.success) throw new Error(`plot failed: ${new TextDecoder().decode(output.stderr)}`);
    return milliseconds;
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

if (import.meta.main) {
  await chartsBench((line) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`)));
}
