/** Everything `run` needs from the outside world; only `main.ts` builds the real ones. */
import type { Clock } from "../clock.ts";
import type { AwsApis, AwsClientOptions, OrganizationApi } from "../aws/clients.ts";
import type { OutputFiles } from "../report/files.ts";

/** A text stream: stdout or stderr. */
export interface TextSink {
  write(text: string): void;
  /** True when a person watches it live (a terminal). */
  readonly isTerminal: boolean;
}

/** The dependencies of {@link run}. */
export interface RunDependencies {
  /** Builds the AWS adapters (the SDK in production, the same SDK against the emulator in tests). */
  createAwsApis(options: AwsClientOptions): Promise<AwsApis>;
  /** Builds the Organizations adapter (`--accounts all`), signed with the caller's credentials. */
  createOrganizationApi(options: AwsClientOptions): Promise<OrganizationApi>;
  clock: Clock;
  files: OutputFiles;
  stdout: TextSink;
  stderr: TextSink;
  /** The folder the user ran the command from (relative paths start here). */
  workingDirectory: string;
  /** The command line as typed, for `_metadata.invocation`. */
  invocation: string;
  /** Aborts on Ctrl-C / SIGTERM: stop fetching, write what was counted. */
  interrupt: AbortSignal;
  /** Whether to colour terminal output (a terminal, and NO_COLOR unset). */
  color: boolean;
}
