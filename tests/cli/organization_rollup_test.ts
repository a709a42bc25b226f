import assert from "node:assert/strict";
import { OrganizationRollup, rollupMetadata } from "../../src/cli/organization_rollup.ts";
import { describeRecord } from "../../src/summary/activity_record.ts";

const base = {
  activity_type: "ALL" as const,
  cloudtrail_data_analyzed: { from_timestamp: "20260101000000", to_timestamp: "20260102000000" },
  invocation: "aws-summarize-account-activity --accounts all",
  run_timestamp: "20260102000000",
};

Deno.test("rollupMetadata() adds up the accounts and names regions <account>:<region>", () => {
  const metadata = rollupMetadata({
    managementAccountId: "111122223333",
    callerArn: "arn:aws:iam::111122223333:user/me",
    base,
    extra: {},
    accounts: {
      "111122223333": { name: "m", status: "complete" },
      "222233334444": { name: "w", status: "partial" },
      "333344445555": { name: "x", status: "failed", error_code: "AccessDenied", failed_call: "sts:AssumeRole" },
    },
    accountSummaries: new Map([
      ["222233334444", {
        regions_enabled: ["eu-west-1", "us-east-1"],
        regions_failed: { "eu-west-1": "AccessDeniedException" },
        regions_read: ["us-east-1"],
        records_read: 5,
        records_counted: 4,
        records_unreadable: 1,
        records_with_unrecognized_identity: 0,
      }],
      ["111122223333", {
        regions_enabled: ["us-east-1", "ap-south-1"],
        regions_failed: {},
        regions_read: ["ap-south-1", "us-east-1"],
        records_read: 10,
        records_counted: 10,
        records_unreadable: 0,
        records_with_unrecognized_identity: 2,
      }],
    ]),
  });
  assert.equal(metadata.account_id, "111122223333");
  assert.deepEqual(metadata.regions_enabled, ["ap-south-1", "eu-west-1", "us-east-1"]);
  assert.deepEqual(metadata.regions_read, [
    "111122223333:ap-south-1",
    "111122223333:us-east-1",
    "222233334444:us-east-1",
  ]);
  assert.deepEqual(metadata.regions_failed, { "222233334444:eu-west-1": "AccessDeniedException" });
  assert.equal(metadata.records_read, 15);
  assert.equal(metadata.records_counted, 14);
  assert.equal(metadata.records_unreadable, 1);
  assert.equal(metadata.records_with_unrecognized_identity, 2);
  assert.equal(metadata.incomplete, false);
});

Deno.test("OrganizationRollup counts every account's records into one summary with principals and risk", () => {
  const rollup = new OrganizationRollup({});
  for (const account of ["111122223333", "222233334444"]) {
    rollup.observe(describeRecord({
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      eventTime: "2026-01-01T10:00:00Z",
      userIdentity: { type: "IAMUser", accountId: account, userName: "ops" },
    }, "us-east-1"));
  }
  const summary = rollup.summary({
    managementAccountId: "111122223333",
    callerArn: "arn",
    base,
    extra: { lookup_attribute: { EventName: "StopLogging" } },
    accounts: {},
    accountSummaries: new Map(),
  });
  assert.deepEqual(summary.api_calls_by_region, { "us-east-1": { "cloudtrail.amazonaws.com:StopLogging": 2 } });
  assert.deepEqual(Object.keys(summary.principals as object).sort(), [
    "111122223333:user/ops",
    "222233334444:user/ops",
  ]);
  assert.equal((summary.risk as unknown[]).length, 2);
  assert.deepEqual(summary._metadata.lookup_attribute, { EventName: "StopLogging" });
});
