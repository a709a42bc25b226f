/**
 * A tiny snapshot helper (JSR's `@std/testing/snapshot` is unreachable here):
 * compares text with `tests/__snapshots__/<name>` and rewrites the file when
 * `UPDATE_SNAPSHOTS=1` is set or the snapshot does not exist yet.
 */
import assert from "node:assert/strict";

const SNAPSHOT_DIRECTORY = new URL("../__snapshots__/", import.meta.url);

/**
 * Asserts that `actual` equals the stored snapshot `name`.
 * @param actual the text to compare
 * @param name file name under `tests/__snapshots__/`, e.g. `chart_one_bar.svg`
 */
export async function assertSnapshot(
  actual: string,
  name: string,
): Promise<void> {
  const file = new URL(name, SNAPSHOT_DIRECTORY);
  const update = Deno.env.get("UPDATE_SNAPSHOTS") === "1";
  let expected: string | undefined;
  try {
    expected = await Deno.readTextFile(file);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  if (update || expected === undefined) {
    await Deno.mkdir(SNAPSHOT_DIRECTORY, { recursive: true });
    await Deno.writeTextFile(file, actual);
    return;
  }
  assert.equal(
    actual,
    expected,
    `snapshot ${name} differs (run with UPDATE_SNAPSHOTS=1 to accept)`,
  );
}
