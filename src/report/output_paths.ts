/** Where a run's files go: the summary, the raw dump folder and the charts folder share one stem. Pure. */
import { join } from "node:path";

/** Where one run writes, derived from the account and the run's timestamp. */
export interface OutputPaths {
  directory: string;
  summary: string;
  rawDumpDirectory: string;
  plotsDirectory: string;
}

/** How file names start: a single account's summary, or the roll-up of an organization run. */
export type FilePrefix = "account_activity" | "organization_activity";

/** An account part of a file name: 12 digits, or a name of letters, digits, `_` and `-` (multi-account runs). */
const ACCOUNT_PART = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** `run_timestamp`: YYYYMMDDHHMMSS. */
const TIMESTAMP_PART = /^\d{14}$/;

/**
 * The file names under `directory`: `<prefix>_<account>_<timestamp>.json` (`account_activity_...`, or
 * `organization_activity_...` for a roll-up), and `_2`, `_3`, ... before the extension when an earlier run
 * (the same account in the same second) took the name.
 * @throws {RangeError} when the account or timestamp would not make a plain file name (a summary file's
 * `_metadata` is untrusted: `../` in it must never choose where we write)
 */
export function outputPaths(
  directory: string,
  accountId: string,
  runTimestamp: string,
  sequence = 1,
  prefix: FilePrefix = "account_activity",
): OutputPaths {
  if (!ACCOUNT_PART.test(accountId)) {
    throw new RangeError(`the account id ${JSON.stringify(accountId)} is not 12 digits or a plain name`);
  }
  if (!TIMESTAMP_PART.test(runTimestamp)) {
    throw new RangeError(`the run timestamp ${JSON.stringify(runTimestamp)} is not 14 digits (YYYYMMDDHHMMSS)`);
  }
  const stem = join(
    directory,
    `${prefix}_${accountId}_${runTimestamp}${sequence > 1 ? `_${sequence}` : ""}`,
  );
  return {
    directory,
    summary: `${stem}.json`,
    rawDumpDirectory: `${stem}_raw_cloudtrail_data`,
    plotsDirectory: `${stem}_plots`,
  };
}
