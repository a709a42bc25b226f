/**
 * The Sigma rules of a run: the bundled set (unless `--no-builtin-sigma`) and the files and folders
 * of `--sigma-rules`, filtered by `--sigma-status`. The I/O shell around src/findings/sigma/.
 */
import { join, relative, resolve } from "node:path";
import { CannotRunError, UsageError } from "../errors.ts";
import type { RuleSource, SigmaStatus } from "../findings/sigma/rule.ts";
import { bundledRuleSources, compileRules, RULE_SET_LINK, SigmaRuleSet } from "../findings/sigma/rule_set.ts";
import type { RunDependencies } from "./context.ts";

/** What the command line chose. */
export interface SigmaOptions {
  /** `--sigma-rules` paths, as typed. */
  rulePaths: string[];
  /** False with `--no-builtin-sigma`. */
  builtin: boolean;
  /** `--sigma-status`, or undefined for the default. */
  statuses: SigmaStatus[] | undefined;
}

/** The rules ready to run, and one line per refused rule file (to print and keep in the summary). */
export interface LoadedSigmaRules {
  /** The files of the rules in `ruleSet`, structured-cloneable (a worker compiles them again). */
  sources: RuleSource[];
  ruleSet: SigmaRuleSet;
  refused: string[];
}

async function ruleFilesUnder(path: string, shown: string): Promise<string[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new UsageError(`--sigma-rules ${shown}: no such file or folder`);
    throw new CannotRunError(`--sigma-rules ${shown}: cannot read it (${(error as Error).message})`, { cause: error });
  }
  if (info.isFile) return [path];
  const files: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    const child = join(path, entry.name);
    if (entry.isDirectory) files.push(...await ruleFilesUnder(child, join(shown, entry.name)));
    else if (/\.ya?ml$/i.test(entry.name)) files.push(child);
  }
  return files.sort();
}

/**
 * Reads and compiles the rules of a run.
 * @param workingDirectory where relative `--sigma-rules` paths start
 * @throws {UsageError} when a `--sigma-rules` path does not exist
 * @throws {CannotRunError} when a rule file or folder cannot be read
 */
export async function loadSigmaRules(options: SigmaOptions, workingDirectory: string): Promise<LoadedSigmaRules> {
  const files = options.builtin ? bundledRuleSources() : [];
  for (const path of options.rulePaths) {
    const absolute = resolve(workingDirectory, path);
    for (const file of await ruleFilesUnder(absolute, path)) {
      const shown = relative(workingDirectory, file) || file;
      try {
        files.push({ file: shown, text: await Deno.readTextFile(file) });
      } catch (error) {
        throw new CannotRunError(`--sigma-rules: cannot read ${shown} (${(error as Error).message})`, { cause: error });
      }
    }
  }
  const { rules, sources, refused } = compileRules(files, options.statuses);
  return { sources, ruleSet: new SigmaRuleSet(rules), refused: refused.map((error) => error.message) };
}

/** `_metadata.sigma_rules`: how many rules ran, the files refused, and the bundled rule set's link (its licence asks it). */
export function sigmaMetadata(options: SigmaOptions, loaded: LoadedSigmaRules): Record<string, unknown> {
  return {
    rules_run: loaded.ruleSet.rules.length,
    refused: loaded.refused,
    ...(options.builtin ? { bundled_rule_set: RULE_SET_LINK } : {}),
  };
}

const prepared = new WeakMap<SigmaOptions, Promise<LoadedSigmaRules>>();

/**
 * The Sigma rules of a run, with one `warning:` line on stderr per refused rule file (whatever
 * `--quiet` says: a rule that does not run must not go unnoticed). Loaded once per options object:
 * every account of an organization run, and its roll-up, get the same rules and one set of warnings.
 * @throws {UsageError} when a `--sigma-rules` path does not exist
 * @throws {CannotRunError} when a rule file or folder cannot be read
 */
export function prepareSigmaRules(
  options: SigmaOptions,
  deps: Pick<RunDependencies, "workingDirectory" | "stderr">,
): Promise<LoadedSigmaRules> {
  let loading = prepared.get(options);
  if (loading === undefined) {
    loading = loadSigmaRules(options, deps.workingDirectory).then((loaded) => {
      for (const refusal of loaded.refused) deps.stderr.write(`warning: ${refusal}\n`);
      return loaded;
    });
    prepared.set(options, loading);
  }
  return loading;
}
