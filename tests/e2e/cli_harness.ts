/**
 * Runs the real CLI as a subprocess with exactly the permissions of
 * `deno task summarize` (read from deno.json), a throwaway HOME, no inherited
 * AWS settings, and the AWS endpoint pointed at the emulator.
 */
import { join } from "node:path";
import denoConfig from "../../deno.json" with { type: "json" };

const PROJECT_DIRECTORY = new URL("../../", import.meta.url).pathname;

/** What a CLI run left behind. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Where and how the CLI runs. */
export interface CliEnvironment {
  /** The user's working folder (also INIT_CWD, as `deno task` sets it). */
  workingDirectory: string;
  /** A throwaway HOME (for ~/.aws). */
  home: string;
  /** Variables added to the minimal environment (AWS_ENDPOINT_URL, credentials, ...). */
  env?: Record<string, string>;
  /** Show the CLI's output on ours instead of capturing it (the demo). */
  inheritOutput?: boolean;
  /** Run this compiled binary instead of `deno run` with the task's flags. */
  binary?: string;
  /** A command the run is wrapped in (the benches' `/usr/bin/time`, which reports peak RSS and CPU exactly). */
  wrapper?: readonly string[];
}

function realDenoDirectory(): string {
  const configured = Deno.env.get("DENO_DIR");
  if (configured) return configured;
  const cache = Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? "/root", ".cache");
  return join(cache, "deno");
}

/** The `deno run ...` argument list of a deno.json task, with $HOME and $INIT_CWD filled in. */
export function taskArguments(
  environment: Pick<CliEnvironment, "home" | "workingDirectory">,
  task: "summarize" | "plot" = "summarize",
): string[] {
  const words = denoConfig.tasks[task].split(/\s+/);
  return words.slice(1).map((word) =>
    word === "main.ts"
      ? join(PROJECT_DIRECTORY, "main.ts")
      : word.replaceAll("$HOME", environment.home).replaceAll("$INIT_CWD", environment.workingDirectory)
  );
}

/** The minimal environment of a CLI run. */
function cliEnvironmentVariables(environment: CliEnvironment): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: environment.home,
    DENO_DIR: realDenoDirectory(),
    INIT_CWD: environment.workingDirectory,
    NO_COLOR: "1",
    RUST_BACKTRACE: "0",
    // Never let the credential chain reach for an instance metadata service.
    AWS_EC2_METADATA_DISABLED: "true",
    ...environment.env,
  };
}

/** Builds the command; `spawn()` it to interact (signals), or use {@link runCli}. */
export function cliCommand(args: readonly string[], environment: CliEnvironment): Deno.Command {
  const output = environment.inheritOutput ? "inherit" : "piped";
  // "deno" from PATH: the test task grants --allow-run=deno, which names that command.
  const [program, ...programArguments] = [
    ...environment.wrapper ?? [],
    environment.binary ?? "deno",
    ...(environment.binary ? [] : taskArguments(environment)),
    ...args,
  ];
  return new Deno.Command(program!, {
    args: programArguments,
    cwd: environment.binary ? environment.workingDirectory : PROJECT_DIRECTORY,
    clearEnv: true,
    env: cliEnvironmentVariables(environment),
    stdin: "null",
    stdout: output,
    stderr: output,
  });
}

/**
 * `deno task summarize ARGS` as a user runs it: on a pseudo-terminal (`script`), so Ctrl-C typed on
 * its standard input reaches the whole foreground process group, or as the leader of a new process
 * group (`setsid`), so a signal can be sent to the group as systemd and `docker stop` do.
 */
export function taskCommand(
  how: "terminal" | "process-group",
  args: readonly string[],
  environment: CliEnvironment,
): Deno.Command {
  const taskLine = ["deno", "task", "--quiet", "summarize", ...args].map(shellWord).join(" ");
  const [program, programArgs] = how === "terminal"
    ? ["script", ["--quiet", "--flush", "--return", "--command", taskLine, "/dev/null"]]
    : ["setsid", ["deno", "task", "--quiet", "summarize", ...args]];
  return new Deno.Command(program, {
    args: programArgs,
    cwd: PROJECT_DIRECTORY,
    clearEnv: true,
    env: { ...cliEnvironmentVariables(environment), TERM: "xterm" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  });
}

function shellWord(word: string): string {
  return `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** Runs the CLI to the end. */
export async function runCli(args: readonly string[], environment: CliEnvironment): Promise<CliResult> {
  const output = await cliCommand(args, environment).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}

/** Fresh working folder and HOME under one temporary folder; removed by `cleanup`. */
export async function temporaryEnvironment(): Promise<
  { workingDirectory: string; home: string; cleanup: () => Promise<void> }
> {
  const root = await Deno.makeTempDir({ prefix: "summarize-e2e-" });
  const workingDirectory = join(root, "work");
  const home = join(root, "home");
  await Deno.mkdir(workingDirectory);
  await Deno.mkdir(home);
  return { workingDirectory, home, cleanup: () => Deno.remove(root, { recursive: true }) };
}

/** The variables that point the CLI at the emulator with the given (generated) credentials. */
export function emulatorEnvironment(
  url: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
  };
}

/** Credentials the emulator is told to accept: generated per test, never real. */
export function fakeCredentials(): { accessKeyId: string; secretAccessKey: string } {
  const random = crypto.randomUUID().replaceAll("-", "").toUpperCase();
  return { accessKeyId: `AKIATEST${random.slice(0, 12)}`, secretAccessKey: `test-secret-${random}` };
}
