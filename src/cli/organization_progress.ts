/**
 * Progress of an organization run on stderr: one line per account (regions done, events, ETA).
 * On a terminal the accounts being read are redrawn in place under the lines of accounts already
 * finished, so the live block stays as small as `--account-concurrency`; elsewhere (CI logs) plain
 * lines every few seconds and when an account ends.
 */
import type { PartitionProgress } from "../sources/event_source.ts";
import { durationText, LiveProgress, type ProgressSink, secondsLeft } from "./progress.ts";

/** Where one account of an organization run stands. */
export type AccountPhase =
  | "waiting"
  | "starting"
  | "reading"
  | "complete"
  | "partial"
  | "failed"
  | "skipped"
  | "interrupted";

/** Live state of one account, updated by the organization runner. */
export interface AccountProgress {
  readonly id: string;
  readonly name: string;
  phase: AccountPhase;
  /** Its regions, once reading started (the source's own live objects). */
  partitions: readonly PartitionProgress[];
  /** `failed`: the error code and the call that failed. */
  errorCode?: string;
  failedStep?: string;
  /** `skipped`: why. */
  skipReason?: string;
}

const FINISHED: readonly AccountPhase[] = ["complete", "partial", "failed", "skipped", "interrupted"];

/** Whether the account has reached its final phase. */
export function accountFinished(account: AccountProgress): boolean {
  return FINISHED.includes(account.phase);
}

/** Renders one account's line. Pure. */
export function accountLine(account: AccountProgress, ratePerSecond: number): string {
  const label = (account.name === "" ? account.id : `${account.id} ${account.name}`).slice(0, 36).padEnd(37);
  const partitions = account.partitions;
  const events = partitions.reduce((sum, partition) => sum + partition.events, 0);
  const done = partitions.filter((partition) => partition.status !== "reading").length;
  const regions = `regions ${String(done).padStart(2)}/${String(partitions.length).padEnd(2)}`;
  const counts = `${regions} ${String(events).padStart(9)} events`;
  const failedRegions = partitions.filter((partition) => partition.status === "failed");
  switch (account.phase) {
    case "waiting":
      return `${label}waiting`;
    case "starting":
      return `${label}starting (assuming the role, listing regions)`;
    case "skipped":
      return `${label}skipped: ${account.skipReason ?? "-"}`;
    case "failed":
      return `${label}FAILED: ${account.errorCode ?? "unknown error"}${
        account.failedStep ? ` (${account.failedStep})` : ""
      }`;
    case "complete":
      return `${label}${counts}  done`;
    case "partial":
      return `${label}${counts}  done, ${failedRegions.length} regions FAILED: ${
        failedRegions.map((partition) => `${partition.name} (${partition.errorCode ?? "unknown error"})`).join(", ")
      }`;
    case "interrupted":
      return `${label}${counts}  interrupted`;
    case "reading": {
      const estimates = partitions
        .filter((partition) => partition.status === "reading")
        .map((partition) => secondsLeft(partition, ratePerSecond));
      // The account ends with its busiest region; no estimate until every region has one.
      const known = estimates.length > 0 && estimates.every((seconds) => seconds !== undefined);
      const eta = known ? `, ETA ${durationText(Math.max(...estimates as number[]))}` : "";
      return `${label}${counts}${eta}`;
    }
  }
}

/** The total line under the account lines. Pure. */
export function organizationTotalLine(accounts: readonly AccountProgress[]): string {
  const count = (phase: AccountPhase) => accounts.filter((account) => account.phase === phase).length;
  const events = accounts.reduce(
    (sum, account) => sum + account.partitions.reduce((inner, partition) => inner + partition.events, 0),
    0,
  );
  const finished = accounts.filter(accountFinished).length;
  const parts = [
    `${finished}/${accounts.length} accounts finished`,
    `${count("starting") + count("reading")} reading`,
    `${count("waiting")} waiting`,
    ...(count("failed") + count("partial") > 0 ? [`${count("failed") + count("partial")} with failures`] : []),
    ...(count("skipped") > 0 ? [`${count("skipped")} skipped`] : []),
  ];
  return `${"total".padEnd(37)}${String(events).padStart(23)} events  ${parts.join(", ")}`;
}

/** Shows an organization run's progress until stopped. */
export class OrganizationProgressReporter extends LiveProgress {
  readonly #sink: ProgressSink;
  readonly #accounts: readonly AccountProgress[];
  readonly #ratePerSecond: number;
  #linesDrawn = 0;
  readonly #lastLogged = new Map<string, string>();
  readonly #finishedShown = new Set<string>();

  constructor(sink: ProgressSink, accounts: readonly AccountProgress[], ratePerSecond: number) {
    super(sink);
    this.#sink = sink;
    this.#accounts = accounts;
    this.#ratePerSecond = ratePerSecond;
  }

  protected override draw(): void {
    if (this.#sink.isTerminal) {
      // Accounts that finished since the last draw are printed once, for good, above the live block.
      const newlyFinished = this.#accounts.filter((account) =>
        accountFinished(account) && !this.#finishedShown.has(account.id)
      );
      for (const account of newlyFinished) this.#finishedShown.add(account.id);
      const live = this.#accounts.filter((account) => account.phase === "starting" || account.phase === "reading");
      const lines = [
        ...newlyFinished.map((account) => accountLine(account, this.#ratePerSecond)),
        ...live.map((account) => accountLine(account, this.#ratePerSecond)),
        organizationTotalLine(this.#accounts),
      ];
      const up = this.#linesDrawn > 0 ? `\x1b[${this.#linesDrawn}F` : "";
      // Clear what is left below (the live block may have shrunk), then draw.
      this.#sink.write(up + "\x1b[0J" + lines.map((line) => `\x1b[2K${line}\n`).join(""));
      this.#linesDrawn = lines.length - newlyFinished.length;
      return;
    }
    for (const account of this.#accounts) {
      if (account.phase === "waiting") continue;
      const line = accountLine(account, this.#ratePerSecond);
      // A log gets a line only when something changed, so a finished account is told once.
      if (this.#lastLogged.get(account.id) === line) continue;
      this.#sink.write(`${line}\n`);
      this.#lastLogged.set(account.id, line);
    }
  }
}
