/**
 * Signals as a terminal and a service manager send them: Ctrl-C typed on a pseudo-terminal reaches the
 * whole foreground process group (`deno task` and the program, which `deno task` also forwards it to),
 * and SIGTERM sent to a process group. Either way the program sees the signal twice within milliseconds;
 * that is one press, and the partial summary must be written every time.
 */
import assert from "node:assert/strict";
import { scenario, syntheticEvents } from "./scenario.ts";

const REPEATS = 5;

async function interruptedRun(how: "terminal" | "process-group") {
  const now = Date.now();
  const east = syntheticEvents(2000, now - 5000, 333);
  const west = syntheticEvents(2000, now - 5000, 333, 10_000);
  const world = await scenario({
    regions: ["eu-west-1", "us-east-1"],
    events: { "us-east-1": east.events, "eu-west-1": west.events },
  });
  let pagesServed = 0;
  let markReading: () => void = () => {};
  const reading = new Promise<void>((resolve) => (markReading = resolve));
  world.emulator.onLookupEvents = () => {
    pagesServed += 1;
    if (pagesServed === 8) markReading();
  };
  const child = world.spawnTask(how, ["--lookup-rate", "10", "--past-hours", "48"]);
  await reading;
  const input = child.stdin.getWriter();
  if (how === "terminal") {
    await input.write(new TextEncoder().encode("\x03"));
  } else {
    // `setsid` made the child the leader of a new group: its id is the group's.
    await new Deno.Command("kill", { args: ["-TERM", "--", `-${child.pid}`] }).output();
  }
  const output = await child.output().finally(() => input.close().catch(() => {}));
  const text = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
  return { world, code: output.code, text };
}

for (const how of ["terminal", "process-group"] as const) {
  const what = how === "terminal" ? "Ctrl-C on a terminal" : "SIGTERM to the process group";
  Deno.test(`${what} through deno task writes the partial summary every time and exits 130`, {
    ignore: Deno.build.os === "windows",
  }, async () => {
    for (let attempt = 1; attempt <= REPEATS; attempt++) {
      const { world, code, text } = await interruptedRun(how);
      await using _ = world;
      assert.equal(code, 130, `attempt ${attempt}: ${text}`);
      assert.match(text, /Interrupted: writing what was read so far/);
      const summary = await world.summary();
      assert.equal(summary._metadata.incomplete, true, `attempt ${attempt}`);
      assert.ok((summary._metadata.records_read as number) > 0, `attempt ${attempt}`);
    }
  });
}
