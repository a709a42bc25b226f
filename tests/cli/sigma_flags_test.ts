import assert from "node:assert/strict";
import { sigmaOptions } from "../../src/cli/sigma_flags.ts";
import { UsageError } from "../../src/errors.ts";

Deno.test("Sigma flags: defaults, repeated rule paths, no bundled rules, statuses", () => {
  assert.deepEqual(sigmaOptions({}), { rulePaths: [], builtin: true, statuses: undefined });
  assert.deepEqual(
    sigmaOptions({ "sigma-rules": ["a.yml", "team/"], "no-builtin-sigma": true, "sigma-status": "stable, test" }),
    { rulePaths: ["a.yml", "team/"], builtin: false, statuses: ["stable", "test"] },
  );
});

Deno.test("Sigma flags: an unknown status or an empty path is a usage error", () => {
  assert.throws(
    () => sigmaOptions({ "sigma-status": "stable,beta" }),
    new UsageError("--sigma-status: 'beta' is not one of stable, test, experimental, deprecated, unsupported"),
  );
  assert.throws(() => sigmaOptions({ "sigma-rules": [""] }), UsageError);
});
