/**
 * Chart rendering: a synthetic summary with realistic keys (≥ 100 charts, up to
 * 60 bars, user agents past the 85-character cut) written by `writePlots` into a
 * temporary folder, with one worker and with one per core.
 */
import type { Summary } from "../src/summary/types.ts";
import { chartsForSummary } from "../src/report/chart_set.ts";
import { writePlots } from "../src/report/plots.ts";
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

/** Prints ms per chart and in total, for one worker and for one per core. */
export async function chartsBench(print: (line: string) => void): Promise<void> {
  const summary = syntheticSummary(Number(Deno.env.get("BENCH_PRINCIPALS") ?? 36));
  const chartCount = chartsForSummary(summary).length;
  const cores = navigator.hardwareConcurrency;
  for (const workers of [...new Set([1, cores])]) {
    const directory = await Deno.makeTempDir({ prefix: "charts_bench_" });
    try {
      const start = performance.now();
      await writePlots(summary, { plotsDirectory: directory, workers });
      const total = performance.now() - start;
      print(
        `charts: ${chartCount} charts with ${workers} worker(s) in ${total.toFixed(0)} ms = ` +
          `${(total / chartCount).toFixed(1)} ms per chart (including worker start-up)`,
      );
    } finally {
      await Deno.remove(directory, { recursive: true });
    }
  }
}

if (import.meta.main) {
  await chartsBench((line) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`)));
}
