import assert from "node:assert/strict";
import { RenewingCredentials, type TemporaryCredentials } from "../../src/aws/renewing_credentials.ts";

function issuer(lifetimeMs: number, now: () => number) {
  let issued = 0;
  const obtain = (): Promise<TemporaryCredentials> => {
    issued += 1;
    return Promise.resolve({
      accessKeyId: `ASIA${issued}`,
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: new Date(now() + lifetimeMs),
    });
  };
  return { obtain, issued: () => issued };
}

Deno.test("RenewingCredentials reuses the keys until five minutes before they expire, then renews them", async () => {
  let time = 1_000_000;
  const now = () => time;
  const keys = issuer(60 * 60_000, now);
  const role = new RenewingCredentials(keys.obtain, now);
  assert.equal((await role.current()).accessKeyId, "ASIA1");
  time += 54 * 60_000;
  assert.equal((await role.current()).accessKeyId, "ASIA1", "6 minutes left: still good");
  time += 60_000 + 1;
  assert.equal((await role.current()).accessKeyId, "ASIA2", "just under 5 minutes left: renewed");
  assert.equal(keys.issued(), 2);
});

Deno.test("RenewingCredentials shares one renewal between callers and renews after invalidate()", async () => {
  const now = () => 0;
  const keys = issuer(60 * 60_000, now);
  const role = new RenewingCredentials(keys.obtain, now);
  const [first, second] = await Promise.all([role.current(), role.current()]);
  assert.equal(first, second);
  assert.equal(keys.issued(), 1);
  role.invalidate();
  assert.equal((await role.current()).accessKeyId, "ASIA2");
});

Deno.test("RenewingCredentials passes a failure on and tries again on the next call", async () => {
  let fail = true;
  const role = new RenewingCredentials(() => {
    if (fail) return Promise.reject(new Error("AccessDenied"));
    return Promise.resolve({ accessKeyId: "A", secretAccessKey: "s", sessionToken: "t", expiration: new Date(1e13) });
  }, () => 0);
  await assert.rejects(role.current(), /AccessDenied/);
  fail = false;
  assert.equal((await role.current()).accessKeyId, "A");
});
