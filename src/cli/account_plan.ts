/** Which accounts an organization run reads, and how. Pure. */
import type { OrganizationAccount } from "../aws/clients.ts";

/** The `--accounts` value: every active account of the organization, or these ids. */
export type AccountsSelection = "all" | string[];

/** One account of the plan. */
export interface PlannedAccount {
  id: string;
  /** The name Organizations knows it by ("" for an account named on the command line). */
  name: string;
  /** Why it is not read (`SUSPENDED`, `--skip-accounts`, ...); undefined: it is read. */
  skipReason?: string | undefined;
  /** Read with the caller's own credentials (the caller's account) rather than through the role. */
  own: boolean;
}

/**
 * The accounts to read, in account-id order: every listed account that is ACTIVE and not in `skip`;
 * the others stay in the plan with the reason they are skipped, so the roll-up lists them.
 * @param listed the organization's accounts (ListAccounts), or the ids given to `--accounts` as ACTIVE
 * @example
 * ```ts
 * planAccounts([{ id: "111122223333", name: "mgmt", state: "ACTIVE" }], { skip: [], callerAccountId: "111122223333" });
 * // [{ id: "111122223333", name: "mgmt", own: true }]
 * ```
 */
export function planAccounts(
  listed: readonly OrganizationAccount[],
  options: { skip: readonly string[]; callerAccountId: string },
): PlannedAccount[] {
  const seen = new Set<string>();
  return [...listed]
    .filter((account) => !seen.has(account.id) && seen.add(account.id))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((account) => {
      const skipReason = options.skip.includes(account.id)
        ? "--skip-accounts"
        : account.state !== "ACTIVE"
        ? account.state || "not ACTIVE"
        : undefined;
      return {
        id: account.id,
        name: account.name,
        ...(skipReason === undefined ? {} : { skipReason }),
        own: account.id === options.callerAccountId,
      };
    });
}

/**
 * The role ARN in `accountId`, in the caller's partition (`aws`, `aws-cn`, `aws-us-gov`).
 * @example
 * ```ts
 * roleArn("arn:aws:iam::111122223333:user/me", "444455556666", "OrganizationAccountAccessRole");
 * // "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"
 * ```
 */
export function roleArn(callerArn: string, accountId: string, roleName: string): string {
  const partition = /^arn:([^:]+):/.exec(callerArn)?.[1] ?? "aws";
  return `arn:${partition}:iam::${accountId}:role/${roleName}`;
}

/** The hint an AccessDenied on sts:AssumeRole gets: the usual cause, and the way out. */
export function assumeRoleDeniedHint(roleName: string): string {
  return `${roleName === "OrganizationAccountAccessRole" ? "OrganizationAccountAccessRole" : `the role ${roleName}`} ` +
    "is made automatically only in accounts created through Organizations; in an invited account create it by hand " +
    "(trusting the caller's account, with cloudtrail:LookupEvents and ec2:DescribeRegions), or name another role " +
    "with --role-name";
}
