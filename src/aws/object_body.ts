/**
 * Reading an S3 object's body into one buffer without leaving dead network buffers behind.
 *
 * Measured on 1M records in 200 files through S3 (`deno task bench files`): Deno's node:http, under
 * the SDK, hands each socket read to JavaScript as a fresh buffer and each piece of body as a second
 * copy; the SDK's `transformToByteArray` then concatenates them into a third. All die at once, yet
 * in the main isolate they were freed only by old-generation collections, which a thread that
 * allocates little else reaches rarely: 60–110 MB of dead reads piled up between them, the main
 * part of the S3 path's peak RSS over local files. So every one is freed as soon as its bytes are
 * copied into the object's one buffer.
 */
import { releaseBuffer } from "../buffers.ts";

/** A body that ended before (or ran past) its announced length: a connection cut short, worth a retry. */
export class IncompleteBodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "IncompleteBody";
  }
}

/**
 * Copies a body's chunks into one buffer, freeing each chunk once copied (the chunks must be
 * nobody else's: a network body's are not).
 * @param expectedLength the `Content-Length`; undefined: the buffer grows to whatever arrives
 * @throws {IncompleteBodyError} when the bytes do not add up to `expectedLength`
 */
export async function readBody(
  chunks: AsyncIterable<Uint8Array>,
  expectedLength: number | undefined,
): Promise<Uint8Array> {
  let buffer = new Uint8Array(expectedLength ?? 64 * 1024);
  let filled = 0;
  for await (const chunk of chunks) {
    if (filled + chunk.byteLength > buffer.byteLength) {
      if (expectedLength !== undefined) {
        throw new IncompleteBodyError(`The body ran past its announced ${expectedLength} bytes`);
      }
      buffer = new Uint8Array(buffer.buffer.transfer(Math.max(2 * buffer.byteLength, filled + chunk.byteLength)));
    }
    buffer.set(chunk, filled);
    filled += chunk.byteLength;
    releaseBuffer(chunk);
  }
  if (expectedLength !== undefined && filled !== expectedLength) {
    throw new IncompleteBodyError(`The body ended after ${filled} of its ${expectedLength} bytes`);
  }
  return filled === buffer.byteLength ? buffer : new Uint8Array(buffer.buffer.transfer(filled));
}

/** What {@link SocketReads} needs of a node:net Socket. */
export interface ReadEvents {
  on(event: "data", listener: (chunk: unknown) => void): unknown;
}

/**
 * The socket reads of one S3 client's responses, freed once those responses have been read to the
 * end. A socket is watched from the first response seen on it for the rest of its life (keep-alive
 * carries many requests), so the read that brings a later response's headers and first bytes of
 * body is caught too; a socket carries one response at a time, and the HTTP parser has copied the
 * body out of every read by the time the body ends.
 */
export class SocketReads {
  readonly #reads = new WeakMap<ReadEvents, Uint8Array[]>();

  /**
   * Watches the socket of a raw SDK HTTP response (`response.body.socket`).
   * @returns the socket, for {@link release}; undefined when the response has none
   */
  watch(response: unknown): ReadEvents | undefined {
    const socket = (response as { body?: { socket?: unknown } } | undefined)?.body?.socket;
    if (typeof (socket as ReadEvents | undefined)?.on !== "function") return undefined;
    const watched = socket as ReadEvents;
    if (!this.#reads.has(watched)) {
      const reads: Uint8Array[] = [];
      this.#reads.set(watched, reads);
      watched.on("data", (chunk) => {
        if (chunk instanceof Uint8Array) reads.push(chunk);
      });
    }
    return watched;
  }

  /** Frees every read `socket` has carried so far: call once its response has been read to the end. */
  release(socket: ReadEvents): void {
    for (const read of this.#reads.get(socket)?.splice(0) ?? []) releaseBuffer(read);
  }
}
