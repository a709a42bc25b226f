/**
 * `deno task bench [summary|quota|cache|accounts|charts|html|athena|files|files:local|files:s3|files:small ...]`: prints figures;
 * asserts nothing.
 * With no names, runs them all (the quota bench takes about a minute).
 */
import { accountsBench } from "./accounts_bench.ts";
import { cacheBench } from "./cache_bench.ts";
import { athenaBench } from "./athena_bench.ts";
import { chartsBench } from "./charts_bench.ts";
import { htmlBench } from "./html_bench.ts";
import { quotaBench } from "./quota_bench.ts";
import { summaryBench } from "./summary_bench.ts";
import { trailFilesBench } from "./trail_files_bench.ts";

const BENCHES: Record<string, (print: (line: string) => void) => Promise<void>> = {
  files: (print) => trailFilesBench(print),
  summary: summaryBench,
  quota: (print) => quotaBench(print),
  cache: (print) => cacheBench(print),
  accounts: (print) => accountsBench(print),
  charts: chartsBench,
  html: htmlBench,
  athena: athenaBench,
};

/** One source of the files bench, run only when named (`deno task bench files:s3`). */
const PARTS: Record<string, (print: (line: string) => void) => Promise<void>> = {
  "files:local": (print) => trailFilesBench(print, { sources: ["local"] }),
  "files:s3": (print) => trailFilesBench(print, { sources: ["s3"] }),
  // An organization trail's many small files, with S3's latency as a laptop far from the bucket sees it.
  "files:small": (print) => trailFilesBench(print, { files: 2000, recordsPerFile: 100, getLatencyMs: 100 }),
};

const print = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(`${line}\n`));
const names = Deno.args.length > 0 ? Deno.args : Object.keys(BENCHES);
for (const name of names) {
  const bench = BENCHES[name] ?? PARTS[name];
  if (bench === undefined) {
    throw new Error(`Unknown bench '${name}': use ${[...Object.keys(BENCHES), ...Object.keys(PARTS)].join(", ")}`);
  }
  await bench(print);
}
