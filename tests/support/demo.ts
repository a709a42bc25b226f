/**
 * `deno task demo [flags]`: the real CLI against the AWS emulator loaded with the
 * demo data (real records, see tests/fixtures/demo/SOURCES.md), at the real quota
 * of 2 requests/s per region. Results go to ./results like a normal run; flags are
 * passed on to the CLI. `--binary PATH` runs a compiled binary instead (release
 * smoke test).
 */
import { cliCommand, emulatorEnvironment, fakeCredentials } from "../e2e/cli_harness.ts";
import { startAwsEmulator } from "./aws_emulator.ts";
import { DEMO_REGIONS, loadDemoEvents } from "./demo_data.ts";

const args = [...Deno.args];
const binaryFlag = args.indexOf("--binary");
const binary = binaryFlag >= 0 ? args.splice(binaryFlag, 2)[1] : undefined;

const credentials = fakeCredentials();
const emulator = startAwsEmulator({
  accountId: "123456789012",
  callerArn: "arn:aws:iam::123456789012:user/demo-responder",
  regions: DEMO_REGIONS,
  events: await loadDemoEvents(Date.now()),
  acceptedAccessKeys: [credentials.accessKeyId],
});
// A HOME with no ~/.aws: the demo never reads the user's own AWS configuration.
const home = new URL("../fixtures/demo/no-home", import.meta.url).pathname;
try {
  const child = cliCommand(args.length > 0 ? args : ["--plot-results"], {
    workingDirectory: Deno.env.get("INIT_CWD") || Deno.cwd(),
    home,
    inheritOutput: true,
    ...(binary === undefined ? {} : { binary }),
    env: emulatorEnvironment(emulator.url, credentials),
  }).spawn();
  // Ctrl-C reaches the CLI too (same process group); it writes its partial summary.
  Deno.addSignalListener("SIGINT", () => {});
  Deno.exitCode = (await child.status).code;
} finally {
  await emulator.close();
}
