import assert from "node:assert/strict";
import { accountsReportLines } from "../../src/report/accounts_report.ts";

Deno.test("accountsReportLines() counts accounts by status and lists the ones that did not complete", () => {
  assert.deepEqual(
    accountsReportLines({
      "111122223333": { name: "management", status: "complete" },
      "222233334444": { name: "web", status: "partial" },
      "333344445555": { name: "invited", status: "failed", error_code: "AccessDenied", failed_call: "sts:AssumeRole" },
      "444455556666": { name: "old\u001b[31m", status: "skipped", skip_reason: "SUSPENDED" },
    }, 10),
    [
      "Accounts: 4 (1 complete, 1 partial, 1 failed, 1 skipped)",
      "  222233334444 web: partial: some regions failed",
      "  333344445555 invited: failed: AccessDenied (sts:AssumeRole)",
      "  444455556666 old\\u001B[31m: skipped: SUSPENDED",
    ],
  );
});

Deno.test("accountsReportLines() says nothing for a single-account summary and survives odd shapes", () => {
  assert.deepEqual(accountsReportLines(undefined, 10), []);
  assert.deepEqual(accountsReportLines([1, 2], 10), []);
  assert.deepEqual(accountsReportLines({ "1": null, "2": { status: 7 } }, 1), [
    "Accounts: 2 (2 unknown)",
    "  1: unknown",
    "  ... and 1 more in the summary file",
  ]);
});
