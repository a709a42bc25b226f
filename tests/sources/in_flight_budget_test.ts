import assert from "node:assert/strict";
import { InFlightBudget } from "../../src/sources/in_flight_budget.ts";

/** Whether `promise` has settled once pending callbacks ran. */
async function settled(promise: Promise<void>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("the file bound: the next file waits until one is released", async () => {
  const budget = new InFlightBudget(2);
  await budget.admit(10);
  await budget.admit(10);
  const third = budget.admit(10);
  assert.equal(await settled(third), false);
  budget.release(10);
  assert.equal(await settled(third), true);
});

Deno.test("the byte bound: small files go many at once, big ones wait for room", async () => {
  const budget = new InFlightBudget(48, 100);
  for (let file = 0; file < 48; file++) await budget.admit(2);
  const big = new InFlightBudget(48, 100);
  await big.admit(60);
  const second = big.admit(60);
  assert.equal(await settled(second), false);
  big.release(60);
  assert.equal(await settled(second), true);
});

Deno.test("a file larger than the byte bound still goes, alone", async () => {
  const budget = new InFlightBudget(48, 100);
  await budget.admit(500);
  const next = budget.admit(1);
  assert.equal(await settled(next), false);
  budget.release(500);
  assert.equal(await settled(next), true);
  const huge = budget.admit(500);
  assert.equal(await settled(huge), false);
  budget.release(1);
  assert.equal(await settled(huge), true);
});
