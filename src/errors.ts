/** Error classes of the I/O shell and the one table of exit codes. */

/** Every exit code the program uses, and what it means (also in the README). */
export const EXIT_CODES = {
  /** Every region read. */
  ok: 0,
  /** Cannot run: credentials, profile, configuration, output folder; or the summary went to stdout or a temporary file. */
  cannotRun: 1,
  /** Usage error: a bad flag or flag value. */
  usage: 2,
  /** Summary written, but some regions failed. */
  regionsFailed: 3,
  /** `--fail-on` threshold met by a finding (all outputs were written). */
  findingsAtFailOnLevel: 4,
  /** Interrupted (Ctrl-C / SIGTERM); a partial summary was written. */
  interrupted: 130,
} as const;

/** An exit code from {@link EXIT_CODES}. */
export type ExitCode = typeof EXIT_CODES[keyof typeof EXIT_CODES];

/** Base class of the errors `main.ts` turns into one line and an exit code. */
export class CliError extends Error {
  /** The exit code `main.ts` sets for this error. */
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad flag or flag value; `main.ts` also prints the usage line. */
export class UsageError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.usage, options);
  }
}

/** The program cannot run: credentials, profile, configuration or file system. */
export class CannotRunError extends CliError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, EXIT_CODES.cannotRun, options);
  }
}
