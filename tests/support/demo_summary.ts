/** The demo summary as the real CLI writes it: the demo data in the AWS emulator, read without a quota. */
import { scenario } from "../e2e/scenario.ts";
import { DEMO_REGIONS, loadDemoEvents } from "./demo_data.ts";

/** A finished demo run: its summary file (path and parsed) and the run's world (dispose it). */
export interface DemoRun extends AsyncDisposable {
  summaryFile: string;
  summary: Record<string, unknown> & { _metadata: Record<string, unknown> };
  /** The CLI's output. */
  stdout: string;
  resultsDirectory: string;
  /** Runs the CLI again in the same working folder (e.g. `report FILE --html`). */
  run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

/** Runs the CLI over the demo data with `args` added. */
export async function demoRun(args: readonly string[] = []): Promise<DemoRun> {
  const world = await scenario({
    accountId: "123456789012",
    callerArn: "arn:aws:iam::123456789012:user/demo-responder",
    regions: DEMO_REGIONS,
    events: await loadDemoEvents(Date.now()),
    quota: null,
  });
  try {
    const result = await world.run(["--lookup-rate", "100", "--lookup-burst", "10", "--quiet", ...args]);
    if (result.code !== 0) throw new Error(`the demo run failed (${result.code}): ${result.stderr}`);
    const summaryFile = result.stdout.split("\n").find((line) => line.endsWith(".json"));
    if (summaryFile === undefined) throw new Error(`no summary file announced: ${result.stdout}`);
    return {
      summaryFile,
      summary: await world.summary(),
      stdout: result.stdout,
      resultsDirectory: world.resultsDirectory,
      run: (more) => world.run(more),
      [Symbol.asyncDispose]: () => world[Symbol.asyncDispose](),
    };
  } catch (error) {
    await world[Symbol.asyncDispose]();
    throw error;
  }
}
