/** Buffers handed between threads, or read from the network, and freed as soon as they are done with. */

/** Bytes that own their whole buffer, so transferring it to a worker takes nothing else along (a pooled Buffer would). */
export function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
}

/**
 * Frees a buffer now. V8 frees the memory behind a buffer only when it collects the buffer's
 * object, and in an old-generation collection for one that outlived a young one: rare in a worker
 * between files (dozens of dead file buffers piled up per worker) and rare in the main thread,
 * which allocates little else (dead network reads piled up, see aws/object_body.ts). Only a buffer
 * the bytes fill entirely is freed (never a shared pool). Nothing may use the bytes afterwards.
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  if (
    buffer instanceof ArrayBuffer && !buffer.detached && bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength
  ) {
    buffer.transfer(0);
  }
}
