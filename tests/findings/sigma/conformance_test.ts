/**
 * The evaluator against the Sigma specification v2.1 (rules and modifiers appendix): each case is
 * built from the specification's wording, in our own words and examples.
 */
import assert from "node:assert/strict";
import { stringify } from "yaml";
import { compileSigmaRule, type SigmaRule, SigmaRuleError } from "../../../src/findings/sigma/rule.ts";
import { caseFold } from "../../../src/findings/sigma/case_fold.ts";
import { requiredLiteral } from "../../../src/findings/sigma/regular_expression.ts";

const HEADER = "title: Test rule\nid: test-rule\nlogsource:\n  product: aws\n  service: cloudtrail\n";

/** A rule from a detection given as an object (written out as YAML). */
function rule(detection: Record<string, unknown>): SigmaRule {
  return compileSigmaRule({ file: "test.yml", text: HEADER + stringify({ detection }) });
}

/** A rule from detection YAML written by hand (for escapes that must reach the parser as written). */
function ruleText(detectionYaml: string): SigmaRule {
  return compileSigmaRule({ file: "test.yml", text: `${HEADER}detection:\n${detectionYaml}` });
}

/** Whether a one-field selection matches a record whose field has `value`. */
function fieldMatches(key: string, ruleValue: unknown, recordValue: unknown): boolean {
  const record = recordValue === undefined ? {} : { field: recordValue };
  return rule({ selection: { [`field${key}`]: ruleValue }, condition: "selection" }).matches(record);
}

function refusal(text: string): string {
  try {
    compileSigmaRule({ file: "rules/team.yml", text });
  } catch (error) {
    assert.ok(error instanceof SigmaRuleError);
    assert.ok(!error.message.includes("\n"), "one line");
    return error.message;
  }
  throw new Error("the rule was accepted");
}

Deno.test("plain values match the whole text, case-insensitively", () => {
  assert.equal(fieldMatches("", "StopLogging", "stoplogging"), true);
  assert.equal(fieldMatches("", "StopLogging", "StopLoggingNow"), false);
  assert.equal(fieldMatches("", "", ""), true);
  assert.equal(fieldMatches("", "", "x"), false);
});

Deno.test("contains, startswith and endswith place the value anywhere, at the start, at the end", () => {
  assert.equal(fieldMatches("|contains", "LOG", "StopLogging"), true);
  assert.equal(fieldMatches("|contains", "trail", "StopLogging"), false);
  assert.equal(fieldMatches("|startswith", "stop", "StopLogging"), true);
  assert.equal(fieldMatches("|startswith", "logging", "StopLogging"), false);
  assert.equal(fieldMatches("|endswith", "LOGGING", "StopLogging"), true);
  assert.equal(fieldMatches("|endswith", "stop", "StopLogging"), false);
  // contains of a lone wildcard: any text at all, but not a missing field.
  assert.equal(fieldMatches("|contains", "*", ""), true);
  assert.equal(fieldMatches("|contains", "*", undefined), false);
});

Deno.test("a list of values is OR; with all it is AND", () => {
  assert.equal(fieldMatches("|contains", ["alpha", "omega"], "the omega point"), true);
  assert.equal(fieldMatches("|contains|all", ["alpha", "omega"], "the omega point"), false);
  assert.equal(fieldMatches("|contains|all", ["alpha", "omega"], "alpha to omega"), true);
  assert.equal(fieldMatches("", ["a", "b"], "c"), false);
});

Deno.test("re is an unanchored, case-sensitive regular expression; i, m and s change that", () => {
  assert.equal(fieldMatches("|re", "assumed-role/aws:.+", "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1"), true);
  assert.equal(fieldMatches("|re", "^Stop", "StopLogging"), true);
  assert.equal(fieldMatches("|re", "^stop", "StopLogging"), false);
  assert.equal(fieldMatches("|re|i", "^stop", "StopLogging"), true);
  assert.equal(fieldMatches("|re", "^second$", "first\nsecond"), false);
  assert.equal(fieldMatches("|re|m", "^second$", "first\nsecond"), true);
  assert.equal(fieldMatches("|re", "first.second", "first\nsecond"), false);
  assert.equal(fieldMatches("|re|s", "first.second", "first\nsecond"), true);
  // No wildcard meaning in a regular expression: `*` is its quantifier.
  assert.equal(fieldMatches("|re", "ab*c", "ac"), true);
  assert.match(refusal(HEADER + "detection:\n  s:\n    f|re: '(unclosed'\n  condition: s\n"), /bad regular expression/);
  assert.match(refusal(HEADER + "detection:\n  s:\n    f|i: 'x'\n  condition: s\n"), /'i' only goes with 're'/);
});

Deno.test("exists checks presence only: a null or empty value is present", () => {
  assert.equal(fieldMatches("|exists", true, "x"), true);
  assert.equal(fieldMatches("|exists", true, ""), true);
  assert.equal(fieldMatches("|exists", true, null), true);
  assert.equal(fieldMatches("|exists", true, undefined), false);
  assert.equal(fieldMatches("|exists", false, undefined), true);
  assert.equal(fieldMatches("|exists", false, "x"), false);
});

Deno.test("cased makes case matter", () => {
  assert.equal(fieldMatches("|cased", "StopLogging", "StopLogging"), true);
  assert.equal(fieldMatches("|cased", "StopLogging", "stoplogging"), false);
  assert.equal(fieldMatches("|contains|cased", "Log", "StopLogging"), true);
  assert.equal(fieldMatches("|contains|cased", "log", "StopLogging"), false);
});

Deno.test("fieldref compares with another field of the same record", () => {
  const same = rule({
    filter: { "userIdentity.userName|fieldref": "requestParameters.userName" },
    condition: "filter",
  });
  const record = (mine: string, theirs?: string) => ({
    userIdentity: { userName: mine },
    requestParameters: theirs === undefined ? {} : { userName: theirs },
  });
  assert.equal(same.matches(record("alice", "ALICE")), true);
  assert.equal(same.matches(record("alice", "bob")), false);
  assert.equal(same.matches(record("alice")), false);
  const inside = rule({
    filter: { "userIdentity.arn|fieldref|endswith": "requestParameters.userName" },
    condition: "filter",
  });
  assert.equal(
    inside.matches({ userIdentity: { arn: "arn:aws:iam::1:user/bob" }, requestParameters: { userName: "bob" } }),
    true,
  );
  assert.equal(
    inside.matches({ userIdentity: { arn: "arn:aws:iam::1:user/bob" }, requestParameters: { userName: "al" } }),
    false,
  );
});

Deno.test("neq, the numeric comparisons and cidr", () => {
  assert.equal(fieldMatches("|neq", "AccessDenied", "Throttling"), true);
  assert.equal(fieldMatches("|neq", "AccessDenied", "accessdenied"), false);
  assert.equal(fieldMatches("|neq", ["a", "b"], "b"), false);
  assert.equal(fieldMatches("|gt", 10, 11), true);
  assert.equal(fieldMatches("|gt", 10, "10"), false);
  assert.equal(fieldMatches("|gte", 10, "10"), true);
  assert.equal(fieldMatches("|lt", 10, 9.5), true);
  assert.equal(fieldMatches("|lte", 10, "eleven"), false);
  assert.equal(fieldMatches("|cidr", "10.0.0.0/8", "10.200.3.4"), true);
  assert.equal(fieldMatches("|cidr", "10.0.0.0/8", "11.0.0.1"), false);
  assert.equal(fieldMatches("|cidr", "10.0.0.0/8", "AWS Internal"), false);
  assert.equal(fieldMatches("|cidr", "2001:db8::/32", "2001:db8:0:1::7"), true);
  assert.equal(fieldMatches("|cidr", "2001:db8::/32", "2001:db9::1"), false);
  assert.equal(fieldMatches("|cidr", "::ffff:0:0/96", "::ffff:192.0.2.1"), true);
});

Deno.test("modifiers the evaluator does not support, and unknown ones, are refused naming the file", () => {
  for (const modifier of ["base64", "base64offset", "windash", "utf16le", "wide", "expand", "hour"]) {
    assert.equal(
      refusal(HEADER + `detection:\n  s:\n    f|${modifier}: 'x'\n  condition: s\n`),
      `Sigma rule rules/team.yml: search identifier 's': modifier '${modifier}' is not supported`,
    );
  }
  assert.equal(
    refusal(HEADER + "detection:\n  s:\n    f|sounds_like: 'x'\n  condition: s\n"),
    "Sigma rule rules/team.yml: search identifier 's': unknown modifier 'sounds_like'",
  );
});

Deno.test("wildcards: * any characters, ? exactly one", () => {
  assert.equal(fieldMatches("", "Stop*", "StopLogging"), true);
  assert.equal(fieldMatches("", "*Log*", "StopLogging"), true);
  assert.equal(fieldMatches("", "Stop?ogging", "StopLogging"), true);
  assert.equal(fieldMatches("", "Stop?ogging", "Stopogging"), false);
  assert.equal(fieldMatches("", "S*p*g", "StopLogging"), true);
  assert.equal(fieldMatches("", "?", "é"), true);
  assert.equal(fieldMatches("", "a.b", "axb"), false);
});

Deno.test("wildcard escaping as the specification summarises it", () => {
  // Written as YAML single-quoted strings, so every backslash reaches the rule as typed.
  const escaped = (value: string) => ruleText(`  s:\n    field: '${value}'\n  condition: s\n`);
  // \* and \? are a plain star and question mark.
  assert.equal(escaped("a\\*b").matches({ field: "a*b" }), true);
  assert.equal(escaped("a\\*b").matches({ field: "axb" }), false);
  assert.equal(escaped("what\\?").matches({ field: "what?" }), true);
  assert.equal(escaped("what\\?").matches({ field: "whatt" }), false);
  // \\* is a backslash followed by a wildcard.
  assert.equal(escaped("dir\\\\*").matches({ field: "dir\\anything" }), true);
  assert.equal(escaped("dir\\\\*").matches({ field: "dir*" }), false);
  // \\\* is a backslash followed by a plain star.
  assert.equal(escaped("dir\\\\\\*").matches({ field: "dir\\*" }), true);
  assert.equal(escaped("dir\\\\\\*").matches({ field: "dir\\x" }), false);
  // A backslash before anything else is plain; doubling it means the same.
  assert.equal(escaped("C:\\Windows").matches({ field: "C:\\Windows" }), true);
  assert.equal(escaped("C:\\\\Windows").matches({ field: "C:\\Windows" }), true);
  // Three or four backslashes are two.
  assert.equal(escaped("a\\\\\\b").matches({ field: "a\\\\b" }), true);
  assert.equal(escaped("a\\\\\\\\b").matches({ field: "a\\\\b" }), true);
  // An escaped star inside contains stays plain.
  const contains = ruleText("  s:\n    field|contains: 'x\\*y'\n  condition: s\n");
  assert.equal(contains.matches({ field: "before x*y after" }), true);
  assert.equal(contains.matches({ field: "before xzy after" }), false);
});

Deno.test("case-insensitive matching folds Unicode case, not only ASCII", () => {
  assert.equal(fieldMatches("", "ÄRGER", "ärger"), true);
  assert.equal(fieldMatches("", "STRASSE", "Straße"), true);
  assert.equal(fieldMatches("", "straße", "STRASSE"), true);
  assert.equal(fieldMatches("", "ΟΔΟΣ", "οδος"), true);
  assert.equal(fieldMatches("", "ΟΔΟΣ", "οδοσ"), true);
  assert.equal(fieldMatches("", "\u212a", "k"), true, "the Kelvin sign folds to k");
  assert.equal(fieldMatches("", "ſtop", "STOP"), true, "the long s folds to s");
  assert.equal(fieldMatches("|contains", "ÉTÉ", "un été chaud"), true);
  assert.equal(fieldMatches("|startswith", "ПРИВЕТ", "привет мир"), true);
  assert.equal(fieldMatches("", "I", "ı"), false, "the dotless i is not an i outside Turkish rules");
  assert.equal(fieldMatches("|cased", "ÄRGER", "ärger"), false);
  assert.equal(caseFold("ẞ"), "ss");
});

Deno.test("a map is AND, a list of maps is OR", () => {
  const and = rule({
    selection: { eventSource: "iam.amazonaws.com", eventName: "CreateUser" },
    condition: "selection",
  });
  assert.equal(and.matches({ eventSource: "iam.amazonaws.com", eventName: "CreateUser" }), true);
  assert.equal(and.matches({ eventSource: "iam.amazonaws.com", eventName: "DeleteUser" }), false);
  const or = rule({ selection: [{ eventName: "CreateUser" }, { userAgent: "evil" }], condition: "selection" });
  assert.equal(or.matches({ eventName: "DeleteUser", userAgent: "EVIL" }), true);
  assert.equal(or.matches({ eventName: "DeleteUser", userAgent: "nice" }), false);
});

Deno.test("a list of plain values is a keyword search over every value of the record", () => {
  const keywords = rule({ keywords: ["mimikatz", "evil.example"], condition: "keywords" });
  assert.equal(keywords.matches({ requestParameters: { host: "www.EVIL.example.com" } }), true);
  assert.equal(keywords.matches({ requestParameters: { host: "good.example" } }), false);
  const all = rule({ keywords: { "|all": ["alpha", "omega"] }, condition: "keywords" });
  assert.equal(all.matches({ a: "alpha", b: ["x", "omega"] }), true);
  assert.equal(all.matches({ a: "alpha" }), false);
});

Deno.test("null matches a missing field or a JSON null, and nothing else", () => {
  assert.equal(fieldMatches("", null, undefined), true);
  assert.equal(fieldMatches("", null, null), true);
  assert.equal(fieldMatches("", null, ""), false);
  assert.equal(fieldMatches("", null, "AccessDenied"), false);
  assert.equal(fieldMatches("", [null, "Success"], "Success"), true);
  assert.equal(fieldMatches("", [null, "Success"], "AccessDenied"), false);
});

Deno.test("numbers and booleans compare with the record's values as text", () => {
  assert.equal(fieldMatches("", 443, 443), true);
  assert.equal(fieldMatches("", 443, "443"), true);
  assert.equal(fieldMatches("", "443", 443), true);
  assert.equal(fieldMatches("", "true", true), true);
  assert.equal(fieldMatches("", true, "TRUE"), true);
  assert.equal(fieldMatches("", "false", true), false);
});

Deno.test("dotted names walk nested objects and every element of arrays", () => {
  const nested = rule({ s: { "userIdentity.sessionContext.sessionIssuer.type": "Role" }, condition: "s" });
  assert.equal(nested.matches({ userIdentity: { sessionContext: { sessionIssuer: { type: "Role" } } } }), true);
  assert.equal(nested.matches({ userIdentity: { type: "Role" } }), false);
  const arrays = rule({ s: { "resources.ARN|endswith": ":trail/audit" }, condition: "s" });
  assert.equal(arrays.matches({ resources: [{ ARN: "arn:x:trail/other" }, { ARN: "arn:x:trail/audit" }] }), true);
  assert.equal(arrays.matches({ resources: [{ ARN: "arn:x:trail/other" }] }), false);
  const missing = rule({ s: { "requestParameters.x": null }, condition: "s" });
  assert.equal(missing.matches({ requestParameters: null }), true);
});

Deno.test("contains on an object or array searches its leaf texts", () => {
  const policy = ruleText(
    "  s:\n    requestParameters|contains|all:\n      - '\"s3:GetObject\"'\n      - '\"Allow\"'\n  condition: s\n",
  );
  const document = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject" }] });
  assert.equal(policy.matches({ requestParameters: { userName: "bob", policyDocument: document } }), true);
  assert.equal(policy.matches({ requestParameters: { userName: "s3:GetObject Allow" } }), false);
  assert.equal(fieldMatches("|contains", "Suspended", { VersioningConfiguration: { Status: "Suspended" } }), true);
  assert.equal(fieldMatches("|contains", "Failure", [{ code: "ok" }, { code: "Failure" }]), true);
});

function conditionMatches(condition: string, values: Record<string, boolean>): boolean {
  const detection: Record<string, unknown> = { condition };
  for (const [name, value] of Object.entries(values)) detection[name] = { [name]: value ? "yes" : "not-this" };
  const record = Object.fromEntries(Object.keys(values).map((name) => [name, "yes"]));
  return rule(detection).matches(record);
}

Deno.test("condition precedence: or, then and, then not, then x of, then parentheses", () => {
  // a or (b and c), not (a or b) and c
  assert.equal(conditionMatches("a or b and c", { a: true, b: false, c: false }), true);
  assert.equal(conditionMatches("b and c or a", { a: true, b: false, c: false }), true);
  // (not a) and b, not not (a and b)
  assert.equal(conditionMatches("not a and b", { a: false, b: false }), false);
  assert.equal(conditionMatches("not a or b", { a: true, b: true }), true);
  assert.equal(conditionMatches("not a or b", { a: true, b: false }), false);
  assert.equal(conditionMatches("(a or b) and c", { a: true, b: false, c: false }), false);
  assert.equal(conditionMatches("not (a and b)", { a: true, b: false }), true);
  assert.equal(conditionMatches("not not a", { a: true }), true);
  // not binds looser than "1 of": not (1 of sel*)
  assert.equal(conditionMatches("not 1 of sel* and c", { sel1: false, sel2: true, c: true }), false);
  assert.equal(conditionMatches("A OR b", { A: true, b: false }), true, "keywords in any case");
});

Deno.test("1 of and all of a pattern, and of them, leave out identifiers starting with _", () => {
  assert.equal(conditionMatches("1 of sel*", { sel1: false, sel2: true, other: false }), true);
  assert.equal(conditionMatches("all of sel*", { sel1: false, sel2: true, other: true }), false);
  assert.equal(conditionMatches("all of sel*", { sel1: true, sel2: true, other: false }), true);
  assert.equal(conditionMatches("any of sel*", { sel1: true, sel2: false }), true);
  assert.equal(conditionMatches("1 of them", { a: false, b: false, _c: true }), false);
  assert.equal(conditionMatches("all of them", { a: true, b: true, _c: false }), true);
  assert.equal(conditionMatches("all of *", { a: true, _c: false }), true);
  assert.equal(conditionMatches("1 of _c*", { a: false, _c: true }), true);
  assert.equal(conditionMatches("a and not 1 of filter_*", { a: true, filter_x: false, filter_y: false }), true);
  assert.equal(conditionMatches("a and not 1 of filter_*", { a: true, filter_x: false, filter_y: true }), false);
});

Deno.test("a list of conditions is any of them", () => {
  const either = rule({ a: { a: "yes" }, b: { b: "yes" }, condition: ["a", "b"] });
  assert.equal(either.matches({ b: "yes" }), true);
  assert.equal(either.matches({ c: "yes" }), false);
});

Deno.test("what the evaluator cannot run is refused with one line naming the file", () => {
  const detection = (text: string) => `${HEADER}detection:\n  s:\n    eventName: x\n${text}`;
  assert.match(refusal(detection("  condition: s | count() > 5\n")), /^Sigma rule rules\/team\.yml: aggregations/);
  assert.match(refusal(detection("  condition: s\n  timeframe: 5m\n")), /timeframe/);
  assert.match(refusal(detection("  condition: s and t\n")), /'t', which is not defined/);
  assert.match(refusal(detection("  condition: 1 of t*\n")), /'t\*' matches no search identifier/);
  assert.match(refusal(detection("  condition: 2 of s*\n")), /only '1 of' and 'all of'/);
  assert.match(refusal(detection("  condition: s and\n")), /ends too early/);
  assert.match(refusal(detection("  condition: (s\n")), /closing parenthesis/);
  assert.match(refusal(detection("")), /no condition/);
  assert.match(refusal("title: x\ncorrelation:\n  type: event_count\n"), /correlation rules are not supported/);
  assert.match(
    refusal(detection("  condition: s\n") + "---\n" + detection("  condition: s\n")),
    /several YAML documents/,
  );
  assert.match(refusal(detection("  condition: s\n").replace("product: aws", "product: windows")), /only product aws/);
  assert.match(refusal("title: [unclosed\n"), /not valid YAML/);
  assert.match(refusal(detection("  condition: s\n").replace("title: Test rule\n", "")), /no title/);
  assert.match(refusal(detection("  condition: s\n") + "level: severe\n"), /unknown level 'severe'/);
});

Deno.test("the text a regular expression requires, used to skip it cheaply, is never more than it requires", () => {
  assert.equal(requiredLiteral(".+:assumed-role/aws:.+", ""), ":assumed-role/aws:");
  assert.equal(requiredLiteral("\\.exe$", ""), ".exe");
  assert.equal(requiredLiteral("(foo)?bar", ""), "bar");
  assert.equal(requiredLiteral("[a-z\\]]+xy", ""), "xy");
  assert.equal(requiredLiteral("ab?cd", ""), "cd");
  assert.equal(requiredLiteral("abc+d", ""), "abc");
  assert.equal(requiredLiteral("x{2}y", ""), "y");
  assert.equal(requiredLiteral("a|b", ""), "");
  assert.equal(requiredLiteral("one\\\\|two", ""), "");
  assert.equal(requiredLiteral("(a|b)c", ""), "c");
  assert.equal(requiredLiteral("abc", "i"), "");
  assert.equal(requiredLiteral("\\d\\d", ""), "");
});
