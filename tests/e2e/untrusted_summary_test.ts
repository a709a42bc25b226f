/**
 * `plot FILE` and `report FILE` treat every field of a summary file as untrusted: a crafted
 * `_metadata` never chooses where we write, escape sequences are never printed raw, a malformed file
 * is refused on one line naming the wrong field, and deno task's file limits are explained in our words.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { scenario } from "./scenario.ts";

const SECTIONS = {
  api_calls_by_principal: { "111122223333:user/alice": { "s3.amazonaws.com:ListBuckets": 2 } },
  api_calls_by_region: { "us-east-1": { "s3.amazonaws.com:ListBuckets": 2 } },
  error_codes_by_principal: {},
  ip_addresses_by_principal: { "111122223333:user/alice": { "198.51.100.1": 2 } },
  user_agents_by_principal: { "111122223333:user/alice": { "aws-cli/2": 2 } },
};

function summaryWith(metadata: Record<string, unknown>, rest: Record<string, unknown> = SECTIONS) {
  return {
    _metadata: {
      account_id: "111122223333",
      account_principal: "arn:aws:iam::111122223333:user/auditor",
      run_timestamp: "20261204120000",
      ...metadata,
    },
    ...rest,
  };
}

async function entriesOf(directory: string): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(directory)) names.push(entry.name);
  return names.sort();
}

Deno.test("plot refuses an account id or timestamp that is not a plain name, and writes nothing", async (t) => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const folder = join(world.workingDirectory, "in");
  await Deno.mkdir(folder);
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ account_id: "../../escaped" }, /the account id "\.\.\/\.\.\/escaped" is not 12 digits/],
    [{ run_timestamp: "../20261204120000" }, /run timestamp "\.\.\/20261204120000" is not 14 digits/],
    [{ account_id: "1111\u001b[2J2222" }, /account id/],
  ];
  for (const [metadata, message] of cases) {
    await t.step(JSON.stringify(metadata), async () => {
      const file = join(folder, "summary.json");
      await Deno.writeTextFile(file, JSON.stringify(summaryWith(metadata)));
      const result = await world.run(["plot", file]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.ok(!result.stderr.includes("\u001b"), "no raw escape sequence reaches the terminal");
      assert.deepEqual(await entriesOf(folder), ["summary.json"]);
      assert.deepEqual(await entriesOf(world.workingDirectory), ["in"]);
    });
  }
});

Deno.test("plot and report refuse malformed summary files on one line naming the field", async (t) => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const cases: [unknown, RegExp][] = [
    [null, /the file must be an object \(found null\)/],
    [{ _metadata: null }, /_metadata must be an object \(found null\)/],
    [summaryWith({ account_id: 111122223333 }), /_metadata\.account_id must be a string \(found number 111122223333\)/],
    [summaryWith({}, { ...SECTIONS, findings: [null] }), /findings\[0\] must be an object \(found null\)/],
    [
      summaryWith({}, { ...SECTIONS, findings: [{ severity: "nope", rule: "x", principal: "p", count: 1 }] }),
      /findings\[0\]\.severity must be critical, high, medium, low/,
    ],
    [
      summaryWith({}, { ...SECTIONS, api_calls_by_region: { "us-east-1": { "a:b": "0100" } } }),
      /api_calls_by_region\["us-east-1"\]\["a:b"\] must be a count \(found the string "0100"\)/,
    ],
    [
      summaryWith({}, { ...SECTIONS, api_calls_by_principal: { p: { k: [[[[1]]]] } } }),
      /must be a count \(found an array\)/,
    ],
    [summaryWith({ regions_failed: { "us-east-1": null } }), /_metadata\.regions_failed\.us-east-1 must be a string/],
  ];
  for (const [index, [content, message]] of cases.entries()) {
    await t.step(`case ${index}`, async () => {
      const file = join(world.workingDirectory, `case-${index}.json`);
      await Deno.writeTextFile(file, JSON.stringify(content));
      for (const command of ["plot", "report"]) {
        const result = await world.run([command, file]);
        assert.equal(result.code, 1, `${command}: ${result.stderr}`);
        const lines = result.stderr.trim().split("\n");
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0]!, /^error: Cannot read the summary file '.*': it is not a summary of this tool: /);
        assert.match(lines[0]!, message);
        assert.equal(result.stdout, "");
      }
    });
  }
});

Deno.test("plot says there is nothing to draw for a summary without activity, and makes no folder", async () => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const file = join(world.workingDirectory, "empty.json");
  await Deno.writeTextFile(file, JSON.stringify(summaryWith({}, {})));
  const result = await world.run(["plot", file]);
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /^error: Nothing to draw: the summary file '.*empty\.json' has no activity in any section$/m,
  );
  assert.deepEqual(await entriesOf(world.workingDirectory), ["empty.json"]);
});

Deno.test("plot and report explain deno task's file limits in our words", async () => {
  await using world = await scenario({ regions: ["us-east-1"], events: {} });
  const outside = await Deno.makeTempDir();
  const file = join(outside, "summary.json");
  await Deno.writeTextFile(file, JSON.stringify(summaryWith({})));
  try {
    for (const command of ["plot", "report"]) {
      const result = await world.run([command, file]);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, /deno task reads only below the folder you run it from/);
      assert.doesNotMatch(result.stderr, /--allow-read/);
    }
    const inside = join(world.workingDirectory, "summary.json");
    await Deno.copyFile(file, inside);
    const result = await world.run(["plot", inside, "--output-dir", outside]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /may write only where its Deno permissions allow/);
    assert.doesNotMatch(result.stderr, /--allow-write/);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
