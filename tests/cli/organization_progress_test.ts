import assert from "node:assert/strict";
import type { PartitionProgress } from "../../src/sources/event_source.ts";
import {
  accountLine,
  type AccountProgress,
  OrganizationProgressReporter,
  organizationTotalLine,
} from "../../src/cli/organization_progress.ts";

function region(name: string, fields: Partial<PartitionProgress> = {}): PartitionProgress {
  return {
    name,
    status: "reading",
    events: 0,
    pages: 0,
    throttled: 0,
    retries: 0,
    windowStartMs: 0,
    windowEndMs: 100_000,
    ...fields,
  };
}

function account(phase: AccountProgress["phase"], fields: Partial<AccountProgress> = {}): AccountProgress {
  return { id: "222233334444", name: "web", phase, partitions: [], ...fields };
}

Deno.test("accountLine() tells regions done, events and the ETA of the slowest region", () => {
  const reading = account("reading", {
    partitions: [
      region("eu-west-1", { status: "complete", events: 120, pages: 3 }),
      region("us-east-1", { events: 1000, pages: 20, oldestEventTimeMs: 50_000 }),
    ],
  });
  assert.equal(
    accountLine(reading, 2),
    "222233334444 web                     regions  1/2       1120 events, ETA 10s",
  );
});

Deno.test("accountLine() names the failure, the skip reason and failed regions", () => {
  assert.match(
    accountLine(account("failed", { errorCode: "AccessDenied", failedStep: "sts:AssumeRole" }), 2),
    /FAILED: AccessDenied \(sts:AssumeRole\)$/,
  );
  assert.match(accountLine(account("skipped", { skipReason: "SUSPENDED" }), 2), /skipped: SUSPENDED$/);
  const partial = account("partial", {
    partitions: [region("eu-west-1", { status: "failed", errorCode: "AccessDeniedException" })],
  });
  assert.match(accountLine(partial, 2), /done, 1 regions FAILED: eu-west-1 \(AccessDeniedException\)$/);
});

Deno.test("organizationTotalLine() counts accounts by phase", () => {
  const line = organizationTotalLine([
    account("complete", { partitions: [region("us-east-1", { status: "complete", events: 5 })] }),
    account("reading"),
    account("waiting"),
    account("failed"),
    account("skipped"),
  ]);
  assert.match(line, /^total\s+5 events {2}3\/5 accounts finished, 1 reading, 1 waiting, 1 with failures, 1 skipped$/);
});

Deno.test("OrganizationProgressReporter writes plain lines once per change when not on a terminal", () => {
  const written: string[] = [];
  const accounts = [account("waiting"), account("skipped", { id: "444455556666", skipReason: "SUSPENDED" })];
  const reporter = new OrganizationProgressReporter(
    { write: (text) => written.push(text), isTerminal: false },
    accounts,
    2,
  );
  reporter.start();
  accounts[0]!.phase = "failed";
  accounts[0]!.errorCode = "AccessDenied";
  reporter.stop();
  assert.deepEqual(written.join("").split("\n").filter(Boolean).map((line) => line.replace(/\s+/g, " ")), [
    "444455556666 web skipped: SUSPENDED",
    "222233334444 web FAILED: AccessDenied",
  ]);
});

Deno.test("OrganizationProgressReporter on a terminal prints finished accounts once and redraws only the live ones", () => {
  let output = "";
  const accounts = [account("reading"), account("waiting", { id: "333344445555", name: "" })];
  const reporter = new OrganizationProgressReporter(
    { write: (text) => (output += text), isTerminal: true },
    accounts,
    2,
  );
  reporter.start();
  accounts[0]!.phase = "complete";
  accounts[1]!.phase = "reading";
  reporter.stop();
  const finishedLines = output.split("\n").filter((line) => line.includes("222233334444") && line.includes("done"));
  assert.equal(finishedLines.length, 1);
  assert.ok(output.endsWith("\n"));
  assert.ok(output.includes("\x1b[2F\x1b[0J"), "moves up over the live block (one account and the total) only");
});
