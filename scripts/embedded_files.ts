/**
 * What `deno compile` must leave out of the binary. With a local `node_modules` folder it embeds the whole folder:
 * every package installed (test-only ones such as DuckDB's native builds included), and in each
 * package its type declarations, the module format Deno does not load, READMEs and source maps. This module lists
 * those paths for `--exclude`, from the module graph (`deno info --json`) and each package's `package.json`:
 *
 * - packages the program cannot reach from its entry points, and type-only `@types/*` packages;
 * - in a package: `dist*` and `browser` folders (alternative builds) that no entry of `main`/`exports` points into
 *   under Deno's conditions (the AWS SDK resolves to `dist-cjs` for Deno, so `dist-es` and `dist-types` go; Deno
 *   ignores the `browser` field), `*.d.ts`, `*.map`, `*.md` files;
 * - in a package the program only takes files from (`npm:/dejavu-fonts-ttf@…/ttf/DejaVuSans.ttf`): everything
 *   but those files, `package.json` and the licence;
 * - package files the program takes from a vendored copy instead (resvg's WebAssembly, gzipped).
 */
import { join, relative } from "node:path";

/** The parts of `deno info --json` read here. */
export interface ModuleGraphInfo {
  modules: { kind?: string; specifier: string; npmPackage?: string }[];
  npmPackages: Record<string, { name: string; dependencies: string[]; localPath?: string }>;
}

/** The parts of a `package.json` that say which files can be loaded. */
export interface PackageManifest {
  main?: string;
  exports?: unknown;
}

/** Conditions Deno resolves `exports` with, for `import` and for `require`. */
const CONDITION_SETS = [["deno", "node", "import", "default"], ["deno", "node", "require", "default"]];

/** Files no program loads: type declarations, source maps, documentation. */
const NEVER_LOADED = /\.(d\.[cm]?ts|map|md|markdown)$/i;

/**
 * The npm packages (`name@version` keys of `npmPackages`) the graph can load at run time, and for each package the
 * files it is reached by when it is only reached by file (`npm:/pkg@1.0.0/sub/file.ttf`); an empty list means the
 * package is reached as a module.
 */
export function reachablePackages(graphs: readonly ModuleGraphInfo[]): Map<string, string[]> {
  const reached = new Map<string, string[]>();
  const pending: string[] = [];
  for (const graph of graphs) {
    for (const module of graph.modules) {
      const id = module.npmPackage;
      if (module.kind !== "npm" || id === undefined || id.startsWith("@types/")) continue;
      const file = fileOfSpecifier(module.specifier, id);
      const files = reached.get(id);
      if (files === undefined) {
        reached.set(id, file === undefined ? [] : [file]);
        pending.push(id);
      } else if (files.length > 0) {
        if (file === undefined) files.length = 0;
        else files.push(file);
      }
    }
  }
  const packages = Object.assign({}, ...graphs.map((graph) => graph.npmPackages)) as ModuleGraphInfo["npmPackages"];
  while (pending.length > 0) {
    for (const dependency of packages[pending.pop()!]?.dependencies ?? []) {
      if (dependency.startsWith("@types/")) continue;
      const files = reached.get(dependency);
      if (files !== undefined && files.length === 0) continue;
      reached.set(dependency, []);
      pending.push(dependency);
    }
  }
  return reached;
}

/** `sub/file.ttf` of `npm:/pkg@1.0.0/sub/file.ttf` when it names a file that is not a module, else undefined. */
function fileOfSpecifier(specifier: string, id: string): string | undefined {
  const path = specifier.replace(/^npm:\/?/, "").slice(id.length).replace(/^\//, "");
  return path === "" || /\.(m?js|cjs|json)$/.test(path) ? undefined : path;
}

/** Every file `main` and `exports` point to, under Deno's conditions for `import` and for `require`. */
export function resolvedTargets(manifest: PackageManifest): string[] {
  const targets = manifest.main === undefined ? [] : [manifest.main];
  const exportsField = manifest.exports;
  const entries = typeof exportsField === "object" && exportsField !== null && !Array.isArray(exportsField) &&
      Object.keys(exportsField).some((key) => key.startsWith("."))
    ? Object.values(exportsField)
    : [exportsField];
  for (const entry of entries) {
    for (const conditions of CONDITION_SETS) {
      const target = resolveConditional(entry, conditions);
      if (target !== undefined) targets.push(target);
    }
  }
  return targets.map((target) => target.replace(/^\.\//, ""));
}

function resolveConditional(value: unknown, conditions: readonly string[]): string | undefined {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((item) => resolveConditional(item, conditions)).find(Boolean);
  if (typeof value !== "object" || value === null) return undefined;
  for (const [key, target] of Object.entries(value)) {
    if (conditions.includes(key)) return resolveConditional(target, conditions);
  }
  return undefined;
}

/** A file of a package (path inside the package's folder) that the program takes from a vendored copy instead. */
export interface ReplacedPackageFile {
  packageName: string;
  file: string;
}

/**
 * The paths (relative to `projectDirectory`) of everything in its `node_modules` the program never loads.
 * @param graphs `deno info --json` of each entry point (the main module and every worker)
 * @param replaced package files the program loads from a vendored copy
 */
export async function unusedNodeModulePaths(
  projectDirectory: string,
  graphs: readonly ModuleGraphInfo[],
  replaced: readonly ReplacedPackageFile[] = [],
): Promise<string[]> {
  const nodeModules = join(projectDirectory, "node_modules");
  const reachable = reachablePackages(graphs);
  const packages = Object.assign({}, ...graphs.map((graph) => graph.npmPackages)) as ModuleGraphInfo["npmPackages"];
  const keptFolders = new Map<string, { id: string; path: string; files: string[] }>();
  for (const [id, files] of reachable) {
    const localPath = packages[id]?.localPath;
    if (localPath === undefined) continue;
    keptFolders.set(relative(join(nodeModules, ".deno"), localPath).split("/")[0]!, { id, path: localPath, files });
  }
  // Installed folders, and the folders of every other package of the lock file: `deno compile --target` installs
  // another platform's optional packages (e.g. DuckDB's native builds) only after this list is made.
  const unused = new Set(
    Object.keys(packages).map((id) => id.replace("/", "+")).filter((folder) => !keptFolders.has(folder)),
  );
  for await (const entry of Deno.readDir(join(nodeModules, ".deno"))) {
    if (entry.isDirectory && !keptFolders.has(entry.name)) unused.add(entry.name);
  }
  const excluded = [...unused].map((folder) => join(nodeModules, ".deno", folder));
  excluded.push(...await unusedTopLevelEntries(nodeModules, new Set([...reachable.keys()].map(packageName))));
  for (const { path, files } of keptFolders.values()) excluded.push(...await unusedPackageFiles(path, files));
  for (const { id, path } of keptFolders.values()) {
    const name = packageName(id);
    excluded.push(...replaced.filter((file) => file.packageName === name).map((file) => join(path, file.file)));
  }
  return excluded.map((path) => relative(projectDirectory, path)).sort();
}

/** `@scope/name` of `@scope/name@1.0.0`. */
function packageName(id: string): string {
  return id.slice(0, id.indexOf("@", 1));
}

/** Entries of `node_modules` (besides `.deno`) that are not links to reachable packages, e.g. `.cache`. */
async function unusedTopLevelEntries(nodeModules: string, names: ReadonlySet<string>): Promise<string[]> {
  const excluded: string[] = [];
  for await (const entry of Deno.readDir(nodeModules)) {
    if (entry.name === ".deno") continue;
    if (!entry.name.startsWith("@") || !entry.isDirectory) {
      if (!names.has(entry.name)) excluded.push(join(nodeModules, entry.name));
      continue;
    }
    const unused: string[] = [];
    let used = false;
    for await (const scoped of Deno.readDir(join(nodeModules, entry.name))) {
      if (names.has(`${entry.name}/${scoped.name}`)) used = true;
      else unused.push(join(nodeModules, entry.name, scoped.name));
    }
    // A scope with nothing in use goes as a whole, so no empty folder is left.
    excluded.push(...(used ? unused : [join(nodeModules, entry.name)]));
  }
  return excluded;
}

/** The files and folders of one package the program never loads. */
async function unusedPackageFiles(packageDirectory: string, onlyFiles: readonly string[]): Promise<string[]> {
  if (onlyFiles.length > 0) {
    const kept = new Set([...onlyFiles, "package.json"]);
    return (await filesUnder(packageDirectory)).filter((file) => {
      const path = relative(packageDirectory, file);
      return !kept.has(path) && !/^(LICENSE|LICENCE|COPYING)/i.test(path);
    });
  }
  const manifest = JSON.parse(await Deno.readTextFile(join(packageDirectory, "package.json"))) as PackageManifest;
  const targets = resolvedTargets(manifest);
  const excluded: string[] = [];
  for await (const entry of Deno.readDir(packageDirectory)) {
    const path = join(packageDirectory, entry.name);
    if (
      entry.isDirectory && (entry.name.startsWith("dist") || entry.name === "browser") &&
      !targets.some((target) => target.startsWith(`${entry.name}/`))
    ) {
      excluded.push(path);
    } else if (entry.isDirectory && entry.name !== "node_modules") {
      excluded.push(...(await filesUnder(path)).filter((file) => NEVER_LOADED.test(file)));
    } else if (entry.isFile && NEVER_LOADED.test(entry.name)) {
      excluded.push(path);
    }
  }
  return excluded;
}

/** Every file below `directory` (links not followed). */
async function filesUnder(directory: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(directory)) {
    const path = join(directory, entry.name);
    if (entry.isDirectory) files.push(...await filesUnder(path));
    else files.push(path);
  }
  return files;
}
