// deno-lint-ignore-file no-console -- a build script: it reports on the console.
/**
 * Builds the single-file executables with `deno compile`, baking in the least
 * permissions the program needs (see doc/permissions.md).
 *
 *   deno task compile              host target, then runs the binary's --version
 *   deno task compile:all          every release target
 *   ... --output-dir DIR           where binaries go (default: dist)
 *
 * The permissions come from the `summarize` task in deno.json, so the binary and
 * `deno task summarize` (which the tests run) ask for the same network hosts and
 * environment variables; only file access differs: the task may read ~/.aws and
 * read/write the caller's folder, while a binary, whose paths cannot be known when
 * it is built, may read files and write the output folder the user names.
 *
 * Only what the program loads is embedded: `embedded_files.ts` lists the rest of `node_modules` for `--exclude`,
 * and the size of the embedded files is printed (`embedded files: N MB`).
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import denoConfig from "../deno.json" with { type: "json" };
import { type ModuleGraphInfo, unusedNodeModulePaths } from "./embedded_files.ts";
import { REPLACED_PACKAGE_FILE } from "./vendor_resvg_wasm.ts";

/** The release targets, by `deno compile --target` name. */
export const RELEASE_TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** Files the program loads at run time that `deno compile` must embed. */
const INCLUDED_FILES = ["src/report/_chart_worker.ts", "src/cli/_trail_counting_worker.ts"];

/** The entry points of the program: the main module and the workers it starts. */
const ENTRY_POINTS = ["main.ts", ...INCLUDED_FILES];

/**
 * The binary's permission flags, derived from the summarize task, and its V8 flags (a small young
 * generation keeps the trail file workers' memory flat; see doc/design.md).
 */
export function binaryPermissions(summarizeTask: string): string[] {
  return summarizeTask.split(/\s+/)
    .filter((word) => word.startsWith("--allow-") || word.startsWith("--v8-flags="))
    .map((word) => {
      if (word.startsWith("--allow-read=")) return "--allow-read";
      if (word.startsWith("--allow-write=")) return "--allow-write";
      return word;
    });
}

/** The output file name of a target. */
export function binaryName(target: string): string {
  return `aws-summarize-account-activity-${target}${target.includes("windows") ? ".exe" : ""}`;
}

async function compile(target: string | undefined, outputDirectory: string, excluded: string[]): Promise<string> {
  const output = join(outputDirectory, binaryName(target ?? hostTarget()));
  const args = [
    "compile",
    "--no-check",
    ...binaryPermissions(denoConfig.tasks.summarize),
    ...INCLUDED_FILES.flatMap((file) => ["--include", file]),
    ...(target === undefined ? [] : ["--target", target]),
    "--output",
    output,
    "main.ts",
  ];
  console.error(`deno ${args.join(" ")} (and ${excluded.length} --exclude paths: never loaded)`);
  // --exclude goes before the entry point.
  args.splice(args.length - 1, 0, ...excluded.flatMap((path) => ["--exclude", path]));
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  console.error(text.trimEnd());
  if (code !== 0) throw new Error(`deno compile failed for ${target ?? "the host"} (exit ${code})`);
  const embedded = embeddedFilesSize(text);
  console.error(`embedded files: ${embedded ?? "unknown"}`);
  return output;
}

/** The "Files: 7.1MB" figure of `deno compile`'s "Embedded Files" listing. */
export function embeddedFilesSize(compileOutput: string): string | undefined {
  return /^Files: ([\d.]+\s?[KMG]?B)\s*$/m.exec(compileOutput)?.[1];
}

/** What `deno compile` must leave out: every `node_modules` path none of {@link ENTRY_POINTS} loads. */
async function excludedPaths(): Promise<string[]> {
  const graphs: ModuleGraphInfo[] = [];
  for (const entryPoint of ENTRY_POINTS) {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entryPoint],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (code !== 0) throw new Error(`deno info ${entryPoint} failed: ${new TextDecoder().decode(stderr)}`);
    graphs.push(JSON.parse(new TextDecoder().decode(stdout)));
  }
  return await unusedNodeModulePaths(Deno.cwd(), graphs, [REPLACED_PACKAGE_FILE]);
}

/** The `deno compile --target` name of this machine. */
export function hostTarget(): string {
  const { arch, os } = Deno.build;
  if (os === "darwin") return `${arch}-apple-darwin`;
  if (os === "windows") return `${arch}-pc-windows-msvc`;
  return `${arch}-unknown-linux-gnu`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      all: { type: "boolean" },
      target: { type: "string" },
      "output-dir": { type: "string", default: "dist" },
      "skip-smoke-test": { type: "boolean" },
    },
  });
  const outputDirectory = values["output-dir"];
  const excluded = await excludedPaths();
  if (values.all) {
    for (const target of RELEASE_TARGETS) await compile(target, outputDirectory, excluded);
  } else {
    const binary = await compile(values.target, outputDirectory, excluded);
    if (values.target === undefined && !values["skip-smoke-test"]) {
      const { code, stdout } = await new Deno.Command(binary, { args: ["--version"], stdout: "piped" }).output();
      const version = new TextDecoder().decode(stdout).trim();
      if (code !== 0 || !version.startsWith("aws-summarize-account-activity ")) {
        throw new Error(`${binary} --version printed '${version}' (exit ${code})`);
      }
      console.error(`${binary}: ${version}`);
    }
  }
}
