/**
 * The Trino and Hive SQL grammars of `dt-sql-parser` (ANTLR), for checking that every query and DDL
 * statement we send Athena parses. Its ESM build uses directory imports that Deno cannot resolve, so
 * the two entries are bundled once with esbuild (its WebAssembly build) into node_modules/.cache/
 * and loaded from there. esbuild wants the whole environment and a child process, so the bundling runs in its own
 * `deno run` (this file as the main module) instead of widening the test task's permissions.
 */
import { dirname, join } from "node:path";
import denoConfig from "../../deno.json" with { type: "json" };

const PROJECT_DIRECTORY = new URL("../../", import.meta.url).pathname;
const VERSION = denoConfig.imports["dt-sql-parser"].replace(/^npm:dt-sql-parser@/, "");
const CACHE_DIRECTORY = join(PROJECT_DIRECTORY, "node_modules", ".cache");
const BUNDLE = join(CACHE_DIRECTORY, `dt-sql-parser-trino-hive-${VERSION}.mjs`);

/** One syntax error, as the grammar reports it. */
export interface GrammarError {
  startLine: number;
  startColumn: number;
  message: string;
}

/** A parser: the syntax errors of a statement (none when it parses). */
export interface SqlGrammar {
  validate(sql: string): GrammarError[];
}

/** Bundles the Trino entry (about 10 s); run as the main module of a subprocess. */
async function bundle(): Promise<void> {
  const esbuild = await import("esbuild-wasm");
  const parsers = join(PROJECT_DIRECTORY, "node_modules", "dt-sql-parser", "dist", "parser");
  try {
    const result = await esbuild.build({
      stdin: {
        contents: 'export { TrinoSQL } from "./trino/index.js"; export { HiveSQL } from "./hive/index.js";',
        resolveDir: parsers,
      },
      bundle: true,
      format: "esm",
      platform: "node",
      write: false,
      logLevel: "error",
    });
    await Deno.mkdir(dirname(BUNDLE), { recursive: true });
    // Written whole, then renamed: a test run in parallel never imports half a file.
    const temporary = `${BUNDLE}.${crypto.randomUUID()}.tmp`;
    await Deno.writeTextFile(temporary, result.outputFiles[0]!.text);
    await Deno.rename(temporary, BUNDLE);
  } finally {
    await esbuild.stop();
  }
}

/** Loads the grammars, bundling them first when no bundle of this version is cached. */
async function grammars(): Promise<{ TrinoSQL: new () => SqlGrammar; HiveSQL: new () => SqlGrammar }> {
  try {
    await Deno.stat(BUNDLE);
  } catch {
    const output = await new Deno.Command("deno", {
      // esbuild-wasm's Node entry runs its WebAssembly in a child process of the runtime: hence --allow-run.
      args: [
        "run",
        "--allow-env",
        "--allow-read",
        `--allow-write=${CACHE_DIRECTORY}`,
        "--allow-run",
        new URL(import.meta.url).pathname,
      ],
      cwd: PROJECT_DIRECTORY,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(`Cannot bundle dt-sql-parser: ${new TextDecoder().decode(output.stderr)}`);
  }
  return await import(`file://${BUNDLE}`);
}

/** Trino's grammar: the dialect of Athena's queries. */
export async function trinoGrammar(): Promise<SqlGrammar> {
  return new (await grammars()).TrinoSQL();
}

/** Hive's grammar: the dialect of Athena's DDL. */
export async function hiveGrammar(): Promise<SqlGrammar> {
  return new (await grammars()).HiveSQL();
}

if (import.meta.main) await bundle();
