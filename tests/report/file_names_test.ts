import assert from "node:assert/strict";
import { MAX_FILE_NAME_LENGTH, safeFileName, sanitizeFileName, uniqueFileNames } from "../../src/report/file_names.ts";

const SAFE = /^[A-Za-z0-9_+=,.@-]+$/;

Deno.test("sanitizeFileName() replaces characters other than letters, digits and _+=,.@- with _", () => {
  assert.equal(
    sanitizeFileName("arn:aws:iam::123456789012:user/Administrator"),
    "arn_aws_iam__123456789012_user_Administrator",
  );
  assert.equal(sanitizeFileName("a+b=c,d.e@f-g_h"), "a+b=c,d.e@f-g_h");
  assert.equal(sanitizeFileName("\u{1F600}é"), "__");
});

Deno.test("safeFileName() never escapes the folder, whatever the key", async (t) => {
  const hostile: [string, string][] = [
    ["../../etc/passwd", "parent folders"],
    ["/absolute", "a leading slash"],
    ["a\\b\\..\\c", "backslashes"],
    ["nul\u0000byte", "a NUL byte"],
    ["", "the empty string"],
    [".", "a dot"],
    ["..", "two dots"],
    ["...", "three dots"],
    ["x".repeat(10_000), "10 kB"],
    ["\u00e9".repeat(300), "300 two-byte characters"],
    ["CON", "a Windows device name"],
    ["nul.txt", "a Windows device name with an extension"],
  ];
  for (const [key, what] of hostile) {
    await t.step(what, () => {
      const name = safeFileName(key);
      assert.match(name, SAFE);
      assert.ok(!/^\.+$/.test(name), name);
      assert.ok(new TextEncoder().encode(name).length <= MAX_FILE_NAME_LENGTH);
      assert.ok(!/^(con|nul)(\.|$)/i.test(name));
    });
  }
});

Deno.test("safeFileName() cuts long names with a hash of the whole key", () => {
  const first = safeFileName("x".repeat(300) + "a");
  const second = safeFileName("x".repeat(300) + "b");
  assert.equal(first.length, MAX_FILE_NAME_LENGTH);
  assert.notEqual(first, second);
  assert.equal(first, safeFileName("x".repeat(300) + "a"));
});

Deno.test("uniqueFileNames() gives colliding keys distinct names, whatever their order", async (t) => {
  await t.step("keys that sanitize alike", () => {
    const names = uniqueFileNames(["a/b", "a:b", "a_b"]);
    assert.deepEqual([...names.values()].toSorted(), ["a_b", "a_b-2", "a_b-3"]);
    assert.deepEqual(uniqueFileNames(["a_b", "a:b", "a/b"]), names);
  });
  await t.step("keys that differ only in case", () => {
    const names = uniqueFileNames(["Bob", "bob"]);
    assert.equal(new Set([...names.values()].map((name) => name.toLowerCase())).size, 2);
  });
  await t.step("a key that looks like a suffixed name", () => {
    const names = uniqueFileNames(["a/b", "a:b", "a_b-2"]);
    assert.equal(new Set(names.values()).size, 3);
  });
  await t.step("long keys with the same start", () => {
    const keys = Array.from({ length: 5 }, () => "y".repeat(250));
    keys.push("y".repeat(250) + "!", "y".repeat(250) + "?");
    const names = [...uniqueFileNames(keys).values()];
    assert.equal(new Set(names).size, 3);
    for (const name of names) assert.ok(name.length <= MAX_FILE_NAME_LENGTH);
  });
});
