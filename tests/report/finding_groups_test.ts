import assert from "node:assert/strict";
import { groupedOrder } from "../../src/report/finding_groups.ts";

Deno.test("a grouped finding follows the finding it is grouped with, for the same principal only", () => {
  const own = { rule: "cloudtrail-stop-logging", principal: "alice" };
  const other = { rule: "iam-create-user", principal: "bob" };
  const sigma = { rule: "sigma:x", principal: "alice", grouped_with: "cloudtrail-stop-logging" };
  const bobsSigma = { rule: "sigma:x", principal: "bob", grouped_with: "cloudtrail-stop-logging" };
  assert.deepEqual(groupedOrder([own, other, sigma, bobsSigma]), [
    { finding: own, grouped: false },
    { finding: sigma, grouped: true },
    { finding: other, grouped: false },
    // Its lead is not in the list (an older or trimmed file): it stays where it is.
    { finding: bobsSigma, grouped: false },
  ]);
});
