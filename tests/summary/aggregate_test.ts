import assert from "node:assert/strict";
import { describeRecord } from "../../src/summary/activity_record.ts";
import { SummaryAggregator } from "../../src/summary/aggregate.ts";
import { EventSummarizer } from "../../src/summary/summarizer.ts";

const alice = { type: "IAMUser", accountId: "111122223333", userName: "alice" };

Deno.test("SummaryAggregator.add() counts each record into the five sections", () => {
  const aggregator = new SummaryAggregator();
  for (
    const [region, extra] of [["us-east-1", {}], ["us-east-1", {}], ["eu-west-1", {
      errorCode: "AccessDenied",
    }]] as const
  ) {
    aggregator.add(describeRecord({
      eventSource: "iam.amazonaws.com",
      eventName: "ListUsers",
      userIdentity: alice,
      sourceIPAddress: "198.51.100.1",
      userAgent: "ua",
      ...extra,
    }, region));
  }
  assert.deepEqual(aggregator.sections(), {
    api_calls_by_principal: { "111122223333:user/alice": { "iam.amazonaws.com:ListUsers": 3 } },
    api_calls_by_region: {
      "us-east-1": { "iam.amazonaws.com:ListUsers": 2 },
      "eu-west-1": { "iam.amazonaws.com:ListUsers": 1 },
    },
    error_codes_by_principal: { "111122223333:user/alice": { "iam.amazonaws.com:AccessDenied": 1 } },
    ip_addresses_by_principal: { "111122223333:user/alice": { "198.51.100.1": 3 } },
    user_agents_by_principal: { "111122223333:user/alice": { "ua": 3 } },
  });
});

Deno.test("SummaryAggregator.sections() keeps keys such as __proto__ as plain keys", () => {
  const aggregator = new SummaryAggregator();
  aggregator.add(
    describeRecord(
      { userIdentity: { type: "IAMUser", accountId: "1", userName: "x" }, userAgent: "__proto__" },
      "__proto__",
    ),
  );
  const sections = aggregator.sections();
  assert.deepEqual(Object.keys(sections.api_calls_by_region), ["__proto__"]);
  assert.deepEqual(Object.keys(sections.user_agents_by_principal["1:user/x"]!), ["__proto__"]);
  assert.equal(Object.getPrototypeOf(sections.api_calls_by_region), Object.prototype);
});

Deno.test("EventSummarizer.add() counts unreadable and unrecognized records and filters by activity type", () => {
  const observed: string[] = [];
  const summarizer = new EventSummarizer("FAILED", [{ observe: (activity) => observed.push(activity.apiCall) }]);
  summarizer.add({ region: "r", cloudTrailEvent: "{broken" });
  summarizer.add({
    region: "r",
    cloudTrailEvent: JSON.stringify({ eventSource: "a", eventName: "Ok", userIdentity: alice }),
  });
  summarizer.add({
    region: "r",
    cloudTrailEvent: JSON.stringify({ eventSource: "a", eventName: "Bad", errorCode: "X", userIdentity: "weird" }),
  });
  assert.deepEqual(summarizer.counts, {
    records_read: 3,
    records_counted: 1,
    records_unreadable: 1,
    records_with_unrecognized_identity: 1,
  });
  assert.deepEqual(observed, ["a:Bad"]);
  assert.deepEqual(summarizer.aggregator.sections().api_calls_by_principal, { Unknown: { "a:Bad": 1 } });
});
