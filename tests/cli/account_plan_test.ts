import assert from "node:assert/strict";
import { planAccounts, roleArn } from "../../src/cli/account_plan.ts";
import { parseFlags, type SummarizeOptions } from "../../src/cli/flags.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("planAccounts() reads active accounts, skips suspended and --skip-accounts ones, marks the caller's own", () => {
  const plan = planAccounts([
    { id: "444455556666", name: "web", state: "ACTIVE" },
    { id: "111122223333", name: "management", state: "ACTIVE" },
    { id: "777788889999", name: "old", state: "SUSPENDED" },
    { id: "222233334444", name: "sandbox", state: "ACTIVE" },
    { id: "444455556666", name: "web", state: "ACTIVE" },
  ], { skip: ["222233334444"], callerAccountId: "111122223333" });
  assert.deepEqual(plan, [
    { id: "111122223333", name: "management", own: true },
    { id: "222233334444", name: "sandbox", skipReason: "--skip-accounts", own: false },
    { id: "444455556666", name: "web", own: false },
    { id: "777788889999", name: "old", skipReason: "SUSPENDED", own: false },
  ]);
});

Deno.test("roleArn() keeps the caller's partition", () => {
  assert.equal(
    roleArn("arn:aws-cn:sts::111122223333:assumed-role/Admin/me", "444455556666", "Audit"),
    "arn:aws-cn:iam::444455556666:role/Audit",
  );
  assert.equal(roleArn("", "444455556666", "R"), "arn:aws:iam::444455556666:role/R");
});

Deno.test("parseFlags() reads the organization flags and refuses them without --accounts", () => {
  const options = parseFlags([
    "--accounts",
    "444455556666, 111122223333,444455556666",
    "--role-name",
    "audit/Reader",
    "--external-id",
    "ext-42",
    "--skip-accounts",
    "444455556666",
    "--account-concurrency",
    "3",
  ]);
  assert.equal(options.command, "summarize");
  const { accounts, roleName, externalId, skipAccounts, accountConcurrency } = options as SummarizeOptions;
  assert.deepEqual(
    { accounts, roleName, externalId, skipAccounts, accountConcurrency },
    {
      accounts: ["111122223333", "444455556666"],
      roleName: "audit/Reader",
      externalId: "ext-42",
      skipAccounts: ["444455556666"],
      accountConcurrency: 3,
    },
  );
  assert.equal((parseFlags(["--accounts", "all"]) as SummarizeOptions).accounts, "all");
  assert.throws(() => parseFlags(["--skip-accounts", "444455556666"]), /--skip-accounts applies only with --accounts/);
  assert.throws(() => parseFlags(["--accounts", "all", "--role-name", "a b"]), UsageError);
  assert.throws(() => parseFlags(["--accounts", "all", "--external-id", "x"]), UsageError);
});
