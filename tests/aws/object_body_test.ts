import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { classifyAwsError } from "../../src/aws/error_kind.ts";
import { IncompleteBodyError, readBody, SocketReads } from "../../src/aws/object_body.ts";

async function* chunksOf(...chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const chunk of chunks) yield chunk;
}

Deno.test("readBody copies the chunks in order into one buffer of the announced length and frees each chunk", async () => {
  const chunks = [new Uint8Array([1, 2, 3]), new Uint8Array([4]), new Uint8Array([5, 6])];
  const body = await readBody(chunksOf(...chunks), 6);
  assert.deepEqual([...body], [1, 2, 3, 4, 5, 6]);
  assert.equal(body.buffer.byteLength, 6);
  assert.ok(chunks.every((chunk) => chunk.buffer.detached));
});

Deno.test("readBody leaves a chunk that is a view of a larger buffer to its owner", async () => {
  const shared = new Uint8Array([9, 8, 7, 6]);
  const body = await readBody(chunksOf(shared.subarray(1, 3)), 2);
  assert.deepEqual([...body], [8, 7]);
  assert.equal(shared.buffer.detached, false);
});

Deno.test("readBody without a length grows to what arrives and returns exactly that", async () => {
  const big = new Uint8Array(100_000).fill(7);
  const body = await readBody(chunksOf(big, new Uint8Array([1, 2])), undefined);
  assert.equal(body.byteLength, 100_002);
  assert.equal(body.buffer.byteLength, 100_002);
  assert.equal(body[99_999], 7);
  assert.deepEqual([...body.subarray(100_000)], [1, 2]);
  assert.equal((await readBody(chunksOf(), undefined)).byteLength, 0);
});

Deno.test("readBody rejects a body cut short or running long, as a transient error worth a retry", async () => {
  await assert.rejects(
    readBody(chunksOf(new Uint8Array(3)), 5),
    (error) => error instanceof IncompleteBodyError && /after 3 of its 5 bytes/.test(error.message),
  );
  await assert.rejects(readBody(chunksOf(new Uint8Array(3), new Uint8Array(3)), 5), IncompleteBodyError);
  assert.equal(classifyAwsError(new IncompleteBodyError("cut")), "transient");
});

Deno.test("SocketReads watches a socket once, for its life, and frees the reads it carried when told", () => {
  const socket = new EventEmitter();
  const reads = new SocketReads();
  assert.equal(reads.watch({ body: { socket } }), socket);
  reads.watch({ body: { socket } }); // the next response on the same kept-alive socket adds no second listener
  assert.equal(socket.listenerCount("data"), 1);
  const owned = new Uint8Array(4);
  const view = new Uint8Array(8).subarray(0, 4);
  socket.emit("data", owned);
  socket.emit("data", view);
  socket.emit("data", "text is not a read buffer");
  reads.release(socket);
  assert.equal(owned.buffer.detached, true);
  assert.equal(view.buffer.detached, false);
  // Still watched: the read that brings the next response's headers is caught too, and freed with that response.
  const next = new Uint8Array(4);
  socket.emit("data", next);
  assert.equal(next.buffer.detached, false);
  reads.release(socket);
  assert.equal(next.buffer.detached, true);
});

Deno.test("SocketReads frees nothing before it is told, and ignores responses without a socket", () => {
  const socket = new EventEmitter();
  const reads = new SocketReads();
  reads.watch({ body: { socket } });
  assert.equal(reads.watch({ body: new Uint8Array(1) }), undefined);
  assert.equal(reads.watch(undefined), undefined);
  const read = new Uint8Array(4);
  socket.emit("data", read);
  assert.equal(read.buffer.detached, false);
  reads.release(new EventEmitter());
  assert.equal(read.buffer.detached, false);
});
