import assert from "node:assert/strict";
import { InFlightBudget } from "../../src/sources/in_flight_budget.ts";

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

/** Asserts that admitting `size` waits until a file of `releasedSize` is released. */
async function assertWaitsForRelease(budget: InFlightBudget, size: number, releasedSize: number): Promise<void> {
  const next = budget.admit(size);
  assert.equal(await settled(next), false);
  budget.release(releasedSize);
  assert.equal(await settled(next), true);
}

Deno.test("the file bound: the next file waits until one is released", async () => {
  const budget = new InFlightBudget(2);
  await budget.admit(10);
  await budget.admit(10);
  await assertWaitsForRelease(budget, 10, 10);
});

Deno.test("the byte bound: small files go many at once, big ones wait for room", async () => {
  const budget = new InFlightBudget(48, 100);
  for (let file = 0; file < 48; file++) await budget.admit(2);
  const big = new InFlightBudget(48, 100);
  await big.admit(60);
  await assertWaitsForRelease(big, 60, 60);
});

Deno.test("a file larger than the byte bound still goes, alone", async () => {
  const budget = new InFlightBudget(48, 100);
  await budget.admit(500);
  await assertWaitsForRelease(budget, 1, 500);
  await assertWaitsForRelease(budget, 500, 1);
});
