import assert from "node:assert/strict";
import { describeRecord, eventTimeMsOf, matchesActivityType, parseRecord } from "../../src/summary/activity_record.ts";

const BASE = {
  eventSource: "s3.amazonaws.com",
  eventName: "ListBuckets",
  userIdentity: { type: "Root", accountId: "111122223333" },
  sourceIPAddress: "198.51.100.1",
  userAgent: "aws-cli/2.15",
};

Deno.test("parseRecord() returns objects and nothing else", async (t) => {
  await t.step("an object", () => assert.deepEqual(parseRecord('{"a":1}'), { a: 1 }));
  for (const text of ["", "not json", "[1]", "null", "42", '"text"', '{"a":']) {
    await t.step(JSON.stringify(text), () => assert.equal(parseRecord(text), undefined));
  }
});

Deno.test("describeRecord() derives the spec's keys", () => {
  const activity = describeRecord(BASE, "eu-west-1");
  assert.equal(activity.apiCall, "s3.amazonaws.com:ListBuckets");
  assert.equal(activity.principal, "111122223333:root");
  assert.equal(activity.ipAddress, "198.51.100.1");
  assert.equal(activity.userAgent, "aws-cli/2.15");
  assert.equal(activity.region, "eu-west-1");
  assert.equal(activity.errorCode, undefined);
  assert.equal(activity.successful, true);
});

Deno.test("describeRecord() reads absent, null and non-string fields as Unknown and keeps strings exactly", async (t) => {
  await t.step("absent", () => {
    const activity = describeRecord({}, "r");
    assert.equal(activity.apiCall, "Unknown:Unknown");
    assert.equal(activity.ipAddress, "Unknown");
    assert.equal(activity.userAgent, "Unknown");
  });
  await t.step("null and numbers", () => {
    const activity = describeRecord({ eventSource: null, eventName: 5, sourceIPAddress: null, userAgent: {} }, "r");
    assert.equal(activity.apiCall, "Unknown:Unknown");
    assert.equal(activity.ipAddress, "Unknown");
    assert.equal(activity.userAgent, "Unknown");
  });
  await t.step("eventName missing only", () => {
    assert.equal(describeRecord({ eventSource: "s3.amazonaws.com" }, "r").apiCall, "s3.amazonaws.com:Unknown");
    assert.equal(describeRecord({ eventName: "ListBuckets" }, "r").apiCall, "Unknown:ListBuckets");
  });
  await t.step("control characters and empty strings kept", () => {
    const activity = describeRecord({ ...BASE, userAgent: "evil\u202e\u0000\n", sourceIPAddress: "" }, "r");
    assert.equal(activity.userAgent, "evil\u202e\u0000\n");
    assert.equal(activity.ipAddress, "");
  });
});

Deno.test("describeRecord() applies the error-code and success rules", async (t) => {
  const cases: [string, Record<string, unknown>, string | undefined, boolean][] = [
    ["no error", {}, undefined, true],
    ["errorCode", { errorCode: "AccessDenied" }, "s3.amazonaws.com:AccessDenied", false],
    [
      "errorCode and errorMessage",
      { errorCode: "AccessDenied", errorMessage: "no" },
      "s3.amazonaws.com:AccessDenied",
      false,
    ],
    ["errorMessage only", { errorMessage: "Failed authentication" }, undefined, false],
    ["empty errorCode kept", { errorCode: "" }, "s3.amazonaws.com:", false],
    ["non-string errorCode", { errorCode: 200 }, "s3.amazonaws.com:Unknown", false],
    ["null errorCode means none", { errorCode: null }, undefined, true],
    [
      "responseElements.errorCode",
      { responseElements: { errorCode: "Throttled" } },
      "s3.amazonaws.com:Throttled",
      false,
    ],
    [
      "record errorCode wins over responseElements",
      { errorCode: "A", responseElements: { errorCode: "B" } },
      "s3.amazonaws.com:A",
      false,
    ],
    ["responseElements.errorMessage", { responseElements: { errorMessage: "x" } }, undefined, false],
    ["empty responseElements", { responseElements: {} }, undefined, true],
    ["null responseElements", { responseElements: null }, undefined, true],
    ["string responseElements", { responseElements: "errorCode" }, undefined, true],
    ["array responseElements", { responseElements: [{ errorCode: "x" }] }, undefined, true],
    [
      "ConsoleLogin failure in responseElements only",
      { responseElements: { ConsoleLogin: "Failure" } },
      undefined,
      true,
    ],
  ];
  for (const [description, extra, errorCode, successful] of cases) {
    await t.step(description, () => {
      const activity = describeRecord({ ...BASE, ...extra }, "r");
      assert.equal(activity.errorCode, errorCode);
      assert.equal(activity.successful, successful);
    });
  }
});

Deno.test("matchesActivityType() keeps what --activity-type asks for", () => {
  const ok = describeRecord(BASE, "r");
  const failed = describeRecord({ ...BASE, errorCode: "AccessDenied" }, "r");
  assert.deepEqual([ok, failed].map((activity) => matchesActivityType(activity, "ALL")), [true, true]);
  assert.deepEqual([ok, failed].map((activity) => matchesActivityType(activity, "SUCCESSFUL")), [true, false]);
  assert.deepEqual([ok, failed].map((activity) => matchesActivityType(activity, "FAILED")), [false, true]);
});

Deno.test("eventTimeMsOf() reads ISO and Panther times as UTC", async (t) => {
  const cases: [unknown, number | undefined][] = [
    ["2023-07-10T11:42:18Z", Date.UTC(2023, 6, 10, 11, 42, 18)],
    ["2023-07-10T11:42:18.123Z", Date.UTC(2023, 6, 10, 11, 42, 18, 123)],
    ["2026-01-11 22:54:56.000000000", Date.UTC(2026, 0, 11, 22, 54, 56)],
    ["2026-01-11 22:54:56", Date.UTC(2026, 0, 11, 22, 54, 56)],
    ["redacted", undefined],
    ["", undefined],
    [1700000000, undefined],
    [undefined, undefined],
  ];
  for (const [value, expected] of cases) {
    await t.step(String(value), () => assert.equal(eventTimeMsOf(value), expected));
  }
});
