/**
 * aws-summarize-account-activity: parses the flags, builds the real
 * dependencies, calls `run` and sets the exit code. The only place that prints
 * errors or exits.
 */
import { systemClock } from "./src/clock.ts";
import { USAGE_LINE } from "./src/cli/help.ts";
import { parseFlags } from "./src/cli/flags.ts";
import { InterruptPolicy } from "./src/cli/interrupts.ts";
import { run } from "./src/cli/run.ts";
import type { TextSink } from "./src/cli/context.ts";
import { CliError, EXIT_CODES, UsageError } from "./src/errors.ts";
import { denoOutputFiles } from "./src/report/files.ts";
import { escapeControlCharacters } from "./src/report/terminal_text.ts";
import { PROGRAM_NAME } from "./src/version.ts";

const encoder = new TextEncoder();

/** The AWS adapters, loaded on first use: `plot` and `report` start without loading the AWS SDK (about 0.2 s). */
const awsClients = () => import("./src/aws/clients.ts");

function sink(stream: typeof Deno.stdout | typeof Deno.stderr): TextSink {
  return {
    write: (text) => {
      const bytes = encoder.encode(text);
      let written = 0;
      while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
    },
    isTerminal: stream.isTerminal(),
  };
}

/** Shell-style quoting, so `_metadata.invocation` reads as the command line typed. */
function quoteArgument(argument: string): string {
  return /^[\w@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", `'"'"'`)}'`;
}

/**
 * Ctrl-C / SIGTERM: the first stops fetching (a partial summary is written), a second press exits at once.
 * The copy of the same press that `deno task` forwards is ignored ({@link InterruptPolicy}).
 */
function listenForInterrupts(controller: AbortController, stderr: TextSink): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT", "SIGBREAK"] : ["SIGINT", "SIGTERM"];
  const policy = new InterruptPolicy();
  const onSignal = () => {
    const action = policy.onSignal(performance.now());
    if (action === "quit-now") Deno.exit(EXIT_CODES.interrupted);
    if (action === "same-press") return;
    stderr.write("\nInterrupted: writing what was read so far (press Ctrl-C again to quit at once)\n");
    controller.abort(new DOMException("Interrupted", "AbortError"));
  };
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  };
}

function describeError(error: unknown, verbose: boolean): string {
  if (!verbose) return error instanceof Error ? error.message : String(error);
  const lines: string[] = [];
  for (let cause: unknown = error; cause !== undefined; cause = (cause as Error)?.cause) {
    lines.push(cause instanceof Error ? (cause.stack ?? cause.message) : String(cause));
    if (!(cause instanceof Error)) break;
  }
  return lines.join("\ncaused by: ");
}

async function main(args: string[]): Promise<number> {
  const stdout = sink(Deno.stdout);
  const stderr = sink(Deno.stderr);
  const verbose = args.includes("--verbose") || args.includes("-v");
  const controller = new AbortController();
  const stopListening = listenForInterrupts(controller, stderr);
  try {
    const options = parseFlags(args);
    return await run(options, {
      createAwsApis: async (options) => (await awsClients()).createAwsApis(options),
      createOrganizationApi: async (options) => (await awsClients()).createOrganizationApi(options),
      clock: systemClock,
      files: denoOutputFiles,
      stdout,
      stderr,
      // `deno task` runs in the project folder; INIT_CWD is where the user typed the command.
      workingDirectory: Deno.env.get("INIT_CWD") || Deno.cwd(),
      invocation: [PROGRAM_NAME, ...args.map(quoteArgument)].join(" "),
      interrupt: controller.signal,
      color: stderr.isTerminal && !Deno.env.get("NO_COLOR"),
    });
  } catch (error) {
    // An error can quote what a server or a file said: never let it drive the terminal (NUL, ESC, bidi).
    stderr.write(`error: ${escapeControlCharacters(describeError(error, verbose)).replaceAll("\\u000A", "\n")}\n`);
    if (error instanceof UsageError) stderr.write(`${USAGE_LINE}\n`);
    return error instanceof CliError ? error.exitCode : EXIT_CODES.cannotRun;
  } finally {
    stopListening();
  }
}

if (import.meta.main) {
  // Exit explicitly: the SDK's keep-alive sockets would hold the process open a while.
  Deno.exit(await main(Deno.args));
}
