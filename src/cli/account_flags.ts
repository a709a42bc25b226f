/** Parsing of the organization flags (`--accounts`, `--skip-accounts`, `--role-name`, `--external-id`). Pure. */
import { UsageError } from "../errors.ts";
import type { AccountsSelection } from "./account_plan.ts";

/** The role assumed in each account unless `--role-name` says otherwise. */
export const DEFAULT_ROLE_NAME = "OrganizationAccountAccessRole";

/**
 * Accounts read at once by default: each reads all its regions at once (17 on a default account),
 * so 10 accounts keep about 170 connections open, under the 256 open files macOS allows by default.
 */
export const DEFAULT_ACCOUNT_CONCURRENCY = 10;

const ACCOUNT_ID = /^\d{12}$/;

/**
 * A comma-separated list of 12-digit account ids, sorted and without repeats.
 * @throws {UsageError} for an empty list or a value that is not 12 digits
 */
export function accountIdList(flag: string, value: string): string[] {
  const ids = value.split(",").map((id) => id.trim()).filter((id) => id !== "");
  if (ids.length === 0) throw new UsageError(`Invalid value '' for ${flag}: list account ids such as 111122223333`);
  const bad = ids.find((id) => !ACCOUNT_ID.test(id));
  if (bad !== undefined) {
    throw new UsageError(`Invalid value '${bad}' for ${flag}: an account id is 12 digits, e.g. 111122223333`);
  }
  return [...new Set(ids)].sort();
}

/** `--accounts all|ID,ID,...`. */
export function accountsSelection(value: string | undefined): AccountsSelection | undefined {
  if (value === undefined) return undefined;
  return value.trim() === "all" ? "all" : accountIdList("--accounts", value);
}

/** `--role-name`: an IAM role name, with its path if it has one (`audit/Reader`). */
export function roleNameFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\w+=,.@-]+(\/[\w+=,.@-]+)*$/.test(value) || value.length > 576) {
    throw new UsageError(
      `Invalid value '${value}' for --role-name: use an IAM role name such as ${DEFAULT_ROLE_NAME}`,
    );
  }
  return value;
}

/** `--external-id`: 2 to 1224 of the characters STS allows. */
export function externalIdFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!/^[\w+=,.@:/-]{2,1224}$/.test(value)) {
    throw new UsageError(
      `Invalid value '${value}' for --external-id: use 2 to 1224 letters, digits or any of _+=,.@:/-`,
    );
  }
  return value;
}
