/** Shared set-up of end-to-end tests: an emulator with events, credentials, a working folder. */
import { join } from "node:path";
import {
  type AwsEmulator,
  type AwsEmulatorOptions,
  emulatorEventFromRecord,
  startAwsEmulator,
} from "../support/aws_emulator.ts";
import {
  cliCommand,
  type CliResult,
  emulatorEnvironment,
  fakeCredentials,
  runCli,
  taskCommand,
  temporaryEnvironment,
} from "./cli_harness.ts";

/** One test's world. */
export interface Scenario {
  emulator: AwsEmulator;
  workingDirectory: string;
  home: string;
  env: Record<string, string>;
  credentials: { accessKeyId: string; secretAccessKey: string };
  run(args: readonly string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  spawn(args: readonly string[]): Deno.ChildProcess;
  /** `deno task summarize ARGS` on a pseudo-terminal or as a new process group (see {@link taskCommand}). */
  spawnTask(how: "terminal" | "process-group", args: readonly string[]): Deno.ChildProcess;
  /** The parsed summary file the run wrote (the only .json in results/). */
  summary(): Promise<Record<string, unknown> & { _metadata: Record<string, unknown> }>;
  resultsDirectory: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an emulator (quota 20/s per region unless given) and a fresh working folder. */
export async function scenario(options: Omit<AwsEmulatorOptions, "acceptedAccessKeys">): Promise<Scenario> {
  const credentials = fakeCredentials();
  const emulator = startAwsEmulator({
    quota: { ratePerSecond: 20, burst: 1 },
    ...options,
    acceptedAccessKeys: [credentials.accessKeyId],
  });
  const environment = await temporaryEnvironment();
  const env = emulatorEnvironment(emulator.url, credentials);
  const resultsDirectory = join(environment.workingDirectory, "results");
  return {
    emulator,
    workingDirectory: environment.workingDirectory,
    home: environment.home,
    env,
    credentials,
    resultsDirectory,
    run: (args, extraEnv = {}) => runCli(args, { ...environment, env: { ...env, ...extraEnv } }),
    spawn: (args) => cliCommand(args, { ...environment, env }).spawn(),
    spawnTask: (how, args) => taskCommand(how, args, { ...environment, env }).spawn(),
    async summary() {
      const names = [];
      for await (const entry of Deno.readDir(resultsDirectory)) {
        if (entry.isFile && entry.name.endsWith(".json")) names.push(entry.name);
      }
      if (names.length !== 1) throw new Error(`expected one summary file, found ${names.join(", ") || "none"}`);
      return JSON.parse(await Deno.readTextFile(join(resultsDirectory, names[0]!)));
    },
    async [Symbol.asyncDispose]() {
      await emulator.close();
      await environment.cleanup();
    },
  };
}

/** A record built for tests; `index` varies principals, calls, errors, IPs and user agents. */
export function syntheticRecord(index: number): Record<string, unknown> {
  const identities = [
    { type: "IAMUser", accountId: "111122223333", userName: "alice", arn: "arn:aws:iam::111122223333:user/alice" },
    { type: "AssumedRole", accountId: "111122223333", arn: "arn:aws:sts::111122223333:assumed-role/Deploy/ci-42" },
    { type: "Root", accountId: "111122223333", arn: "arn:aws:iam::111122223333:root" },
    { type: "AWSService", invokedBy: "cloudtrail.amazonaws.com" },
    { type: "Martian", accountId: "111122223333" },
  ];
  const calls = [
    ["iam.amazonaws.com", "ListUsers"],
    ["s3.amazonaws.com", "GetObject"],
    ["ec2.amazonaws.com", "DescribeInstances"],
    ["iam.amazonaws.com", "CreateAccessKey"],
    ["sts.amazonaws.com", "GetCallerIdentity"],
    ["cloudtrail.amazonaws.com", "StopLogging"],
  ];
  const [eventSource, eventName] = calls[index % calls.length]!;
  return {
    eventVersion: "1.08",
    eventID: `synthetic-${index}`,
    eventSource,
    eventName,
    userIdentity: identities[index % identities.length],
    sourceIPAddress: `198.51.100.${index % 7}`,
    userAgent: `agent/${index % 3}`,
    ...(index % 4 === 0
      ? { errorCode: index % 8 === 0 ? "AccessDenied" : "ThrottlingException", errorMessage: "no" }
      : {}),
  };
}

/** `count` synthetic records, one every `spacingMs` back from `newestMs`, as emulator events and as records. */
export function syntheticEvents(count: number, newestMs: number, spacingMs: number, firstIndex = 0) {
  const records = Array.from({ length: count }, (_, offset) => syntheticRecord(firstIndex + offset));
  const events = records.map((record, offset) =>
    emulatorEventFromRecord(record, newestMs - offset * spacingMs, `id-${firstIndex + offset}`)
  );
  return { records, events };
}
