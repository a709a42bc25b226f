import assert from "node:assert/strict";
import { TokenBucket } from "../../src/sources/rate_limiter.ts";
import { FakeClock } from "../fakes/fake_clock.ts";

async function takeTimes(bucket: TokenBucket, clock: FakeClock, count: number): Promise<number[]> {
  const start = clock.now();
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    await bucket.take();
    times.push(clock.now() - start);
  }
  return times;
}

Deno.test("TokenBucket.take() spaces requests evenly at the rate, first one at once", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2, safetyMargin: 0 });
  assert.deepEqual(await takeTimes(bucket, clock, 5), [0, 500, 1000, 1500, 2000]);
});

Deno.test("TokenBucket.take() adds the safety margin to every interval", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2 });
  const times = await takeTimes(bucket, clock, 3);
  assert.equal(times[0], 0);
  assert.ok(Math.abs(times[1]! - 505) < 1e-6, `second token at ${times[1]}`);
  assert.ok(Math.abs(times[2]! - 1010) < 1e-6, `third token at ${times[2]}`);
});

Deno.test("TokenBucket.take() lets a burst go at once after a quiet spell, then paces", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2, burst: 3, safetyMargin: 0 });
  assert.deepEqual(await takeTimes(bucket, clock, 5), [0, 0, 0, 500, 1000]);
});

Deno.test("TokenBucket.take() does not wait when the caller was slower than the rate", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2, safetyMargin: 0 });
  await bucket.take();
  clock.advance(800);
  await bucket.take();
  assert.deepEqual(clock.sleeps, []);
  await bucket.take();
  assert.deepEqual(clock.sleeps, [500]);
});

Deno.test("TokenBucket.take() serves concurrent callers in order, one interval apart", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 4, safetyMargin: 0 });
  const order: number[] = [];
  await Promise.all([0, 1, 2, 3].map((index) => bucket.take().then(() => order.push(index))));
  assert.deepEqual(order, [0, 1, 2, 3]);
  assert.equal(clock.now() - Date.UTC(2026, 0, 1), 750);
});

Deno.test("TokenBucket.slowDown() slows down by a fifth to the minimum and recordSuccess() recovers", async (t) => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2 });
  await t.step("slows down", () => {
    bucket.slowDown();
    assert.equal(bucket.ratePerSecond, 1.6);
    for (let index = 0; index < 20; index++) bucket.slowDown();
    assert.equal(bucket.ratePerSecond, 0.25, "an eighth of the rate at the least");
  });
  await t.step("recovers by a quarter after each run of five successes, never above the configured rate", () => {
    for (let index = 0; index < 5; index++) bucket.recordSuccess();
    assert.equal(bucket.ratePerSecond, 0.3125);
    for (let index = 0; index < 100; index++) bucket.recordSuccess();
    assert.equal(bucket.ratePerSecond, 2);
  });
});

Deno.test("TokenBucket.take() rejects with the signal's reason and lets later callers through", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2 });
  const controller = new AbortController();
  controller.abort(new Error("stop"));
  await assert.rejects(bucket.take(controller.signal), /stop/);
  await bucket.take();
});

Deno.test("TokenBucket rejects a rate that is not positive", () => {
  assert.throws(() => new TokenBucket(new FakeClock(), { ratePerSecond: 0 }), RangeError);
});

Deno.test("TokenBucket.restartInterval() makes the next token wait a full interval from now", async () => {
  const clock = new FakeClock();
  const bucket = new TokenBucket(clock, { ratePerSecond: 2, safetyMargin: 0 });
  await bucket.take();
  clock.advance(300);
  bucket.restartInterval();
  await bucket.take();
  assert.deepEqual(clock.sleeps, [500]);
});
