/**
 * The S3 part of the AWS emulator (tests/support/aws_emulator.ts routes requests signed for
 * service `s3` here): path-style ListObjectsV2 (prefix, delimiter, start-after, continuation
 * tokens, at most 1000 entries a page) and GetObject, with S3's XML errors and fault injection
 * (access denied under a prefix, 5xx answers, bodies cut short, bytes altered in storage). Like S3
 * since its default integrity protections, GetObject answers a request with `x-amz-checksum-mode:
 * ENABLED` with the object's full-object CRC-64/NVME.
 */

/** Faults; change them at any time, the next request sees them. */
export interface S3Faults {
  /** Listing under, or reading a key under, one of these prefixes answers 403 AccessDenied. */
  accessDeniedPrefixes: string[];
  /** The next N requests (any) answer this status and code (503 SlowDown, 500 InternalError). */
  serverErrors: number;
  serverError: { status: number; code: string };
  /** Key → how many of its next GetObject bodies stop half way (the connection is cut). */
  truncatedBodies: Map<string, number>;
  /** Keys whose every GetObject answers 500 InternalError. */
  brokenKeys: Set<string>;
  /** Keys whose bodies are served with one byte altered (its checksum is still the stored object's). */
  corruptedKeys: Set<string>;
  /** Added to every GetObject answer. */
  getLatencyMs: number;
}

/** Counts, for assertions. */
export interface S3Stats {
  listRequests: number;
  getRequests: number;
  /** Every ListObjectsV2 request's parameters, in order. */
  listings: { prefix: string; delimiter: string | null; startAfter: string | null; continued: boolean }[];
  /** Keys read by GetObject (once per request). */
  keysRead: string[];
  /** The most GetObject requests in flight at once. */
  maxConcurrentGets: number;
  /** GetObject requests that asked for the object's checksum (`x-amz-checksum-mode: ENABLED`). */
  checksumRequests: number;
}

class S3Error extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
  }
}

const PAGE_LIMIT = 1000;
const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
const xml = (text: string) => text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!);

/** In-memory buckets served over the emulator's HTTP server. */
export class S3Emulator {
  readonly faults: S3Faults = {
    accessDeniedPrefixes: [],
    serverErrors: 0,
    serverError: { status: 503, code: "SlowDown" },
    truncatedBodies: new Map(),
    brokenKeys: new Set(),
    corruptedKeys: new Set(),
    getLatencyMs: 0,
  };
  /** Called on every GetObject before it is answered (to act mid-run, e.g. send a signal). */
  onGetObject: ((key: string, requestNumber: number) => void) | undefined;
  readonly stats: S3Stats = {
    listRequests: 0,
    getRequests: 0,
    listings: [],
    keysRead: [],
    maxConcurrentGets: 0,
    checksumRequests: 0,
  };
  readonly #buckets = new Map<string, Map<string, Uint8Array>>();
  /** Each object's checksum header value, computed on first request. */
  readonly #checksums = new WeakMap<Uint8Array, string>();
  #sortedKeys = new Map<string, string[]>();
  #getsInFlight = 0;

  /** Stores an object (creating the bucket). */
  putObject(bucket: string, key: string, body: Uint8Array): void {
    let objects = this.#buckets.get(bucket);
    if (objects === undefined) this.#buckets.set(bucket, objects = new Map());
    objects.set(key, body);
    this.#sortedKeys.delete(bucket);
  }

  /** Answers one path-style S3 request. */
  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const [, bucket = "", ...keyParts] = url.pathname.split("/");
    const key = keyParts.map(decodeURIComponent).join("/");
    try {
      if (this.faults.serverErrors > 0) {
        this.faults.serverErrors -= 1;
        throw new S3Error(this.faults.serverError.code, this.faults.serverError.status, "Injected server error");
      }
      const objects = this.#buckets.get(decodeURIComponent(bucket));
      if (objects === undefined) throw new S3Error("NoSuchBucket", 404, "The specified bucket does not exist");
      if (request.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") {
        return this.#list(decodeURIComponent(bucket), url.searchParams);
      }
      if ((request.method === "GET" || request.method === "HEAD") && key !== "") {
        return await this.#get(objects, key, request.headers.get("x-amz-checksum-mode") === "ENABLED");
      }
      throw new S3Error("NotImplemented", 501, `The emulator does not serve ${request.method} ${url.pathname}`);
    } catch (error) {
      if (!(error instanceof S3Error)) throw error;
      return new Response(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xml(error.code)}</Code><Message>${
          xml(error.message)
        }</Message><RequestId>${crypto.randomUUID()}</RequestId></Error>`,
        { status: error.status, headers: { "content-type": "application/xml" } },
      );
    }
  }

  #denied(path: string): boolean {
    return this.faults.accessDeniedPrefixes.some((prefix) => path.startsWith(prefix));
  }

  #keys(bucket: string): string[] {
    let keys = this.#sortedKeys.get(bucket);
    if (keys === undefined) {
      keys = [...this.#buckets.get(bucket)!.keys()].sort();
      this.#sortedKeys.set(bucket, keys);
    }
    return keys;
  }

  #list(bucket: string, parameters: URLSearchParams): Response {
    const prefix = parameters.get("prefix") ?? "";
    const delimiter = parameters.get("delimiter");
    const startAfter = parameters.get("start-after");
    const token = parameters.get("continuation-token");
    const maxKeys = Math.min(PAGE_LIMIT, Number(parameters.get("max-keys") ?? PAGE_LIMIT));
    this.stats.listRequests += 1;
    this.stats.listings.push({ prefix, delimiter, startAfter, continued: token !== null });
    if (this.#denied(prefix)) throw new S3Error("AccessDenied", 403, "Access Denied");
    let after = startAfter ?? "";
    if (token !== null) {
      try {
        after = JSON.parse(atob(token)).after;
      } catch {
        throw new S3Error("InvalidArgument", 400, "The continuation token provided is incorrect");
      }
    }
    const keys = this.#keys(bucket);
    const objects = this.#buckets.get(bucket)!;
    const contents: string[] = [];
    const commonPrefixes: string[] = [];
    let last: string | undefined;
    let truncated = false;
    // Binary search for the first key after `after` and under `prefix`.
    let index = lowerBound(keys, after > prefix ? after : prefix);
    for (; index < keys.length; index++) {
      const key = keys[index]!;
      if (!key.startsWith(prefix)) break;
      if (key <= after) continue;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      const entry = cut >= 0 ? key.slice(0, cut + delimiter!.length) : key;
      if (entry === last) continue;
      if (contents.length + commonPrefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (cut >= 0) commonPrefixes.push(entry);
      else contents.push(entry);
      last = entry;
      // Skip the rest of a common prefix at once: every key under it sorts below prefix + "\uffff".
      if (cut >= 0) index = lowerBound(keys, entry + "\uffff") - 1;
    }
    const body = [
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
      `<Name>${xml(bucket)}</Name><Prefix>${xml(prefix)}</Prefix>`,
      delimiter === null ? "" : `<Delimiter>${xml(delimiter)}</Delimiter>`,
      startAfter === null ? "" : `<StartAfter>${xml(startAfter)}</StartAfter>`,
      `<KeyCount>${contents.length + commonPrefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
      `<IsTruncated>${truncated}</IsTruncated>`,
      truncated ? `<NextContinuationToken>${xml(btoa(JSON.stringify({ after: last })))}</NextContinuationToken>` : "",
      ...contents.map((key) =>
        `<Contents><Key>${xml(key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified>` +
        `<ETag>"0"</ETag><Size>${objects.get(key)!.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`
      ),
      ...commonPrefixes.map((common) => `<CommonPrefixes><Prefix>${xml(common)}</Prefix></CommonPrefixes>`),
      `</ListBucketResult>`,
    ].join("");
    return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
      headers: { "content-type": "application/xml" },
    });
  }

  async #get(objects: Map<string, Uint8Array>, key: string, withChecksum: boolean): Promise<Response> {
    this.stats.getRequests += 1;
    if (withChecksum) this.stats.checksumRequests += 1;
    this.stats.keysRead.push(key);
    this.onGetObject?.(key, this.stats.getRequests);
    if (this.#denied(key)) throw new S3Error("AccessDenied", 403, "Access Denied");
    if (this.faults.brokenKeys.has(key)) throw new S3Error("InternalError", 500, "We encountered an internal error");
    const body = objects.get(key);
    if (body === undefined) throw new S3Error("NoSuchKey", 404, "The specified key does not exist.");
    this.#getsInFlight += 1;
    this.stats.maxConcurrentGets = Math.max(this.stats.maxConcurrentGets, this.#getsInFlight);
    // Let concurrent requests overlap, as they would against S3.
    await new Promise((resolve) => setTimeout(resolve, this.faults.getLatencyMs));
    this.#getsInFlight -= 1;
    const cuts = this.faults.truncatedBodies.get(key) ?? 0;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "content-encoding": "gzip",
      etag: '"0"',
    };
    if (withChecksum) {
      let checksum = this.#checksums.get(body);
      if (checksum === undefined) this.#checksums.set(body, checksum = crc64NvmeBase64(body));
      headers["x-amz-checksum-crc64nvme"] = checksum;
      headers["x-amz-checksum-type"] = "FULL_OBJECT";
    }
    if (this.faults.corruptedKeys.has(key)) {
      // A copy (a Buffer's `slice` would be a view of the stored object).
      const altered = new Uint8Array(body);
      altered[altered.length >> 1]! ^= 0x01;
      return new Response(altered, { headers: { ...headers, "content-length": String(body.length) } });
    }
    if (cuts > 0) {
      this.faults.truncatedBodies.set(key, cuts - 1);
      const half = body.subarray(0, Math.floor(body.length / 2));
      // Half the body under the whole body's length: the server ends the response early, the client sees it cut.
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(half);
          controller.close();
        },
      });
      return new Response(stream, { headers: { ...headers, "content-length": String(body.length) } });
    }
    return new Response(body as Uint8Array<ArrayBuffer>, {
      headers: { ...headers, "content-length": String(body.length) },
    });
  }
}

/** CRC-64/NVME (reflected polynomial 0x9A6C9329AC4BC9B5, S3's default checksum) as two 32-bit halves a byte. */
const CRC64_TABLE = (() => {
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crcHigh = 0;
    let crcLow = byte;
    for (let bit = 0; bit < 8; bit++) {
      const carry = crcLow & 1;
      crcLow = ((crcLow >>> 1) | (crcHigh << 31)) >>> 0;
      crcHigh >>>= 1;
      if (carry) {
        crcHigh = (crcHigh ^ 0x9a6c9329) >>> 0;
        crcLow = (crcLow ^ 0xac4bc9b5) >>> 0;
      }
    }
    high[byte] = crcHigh;
    low[byte] = crcLow;
  }
  return { high, low };
})();

/** The CRC-64/NVME of `bytes`, base64 of its 8 big-endian bytes, as S3 sends it. */
export function crc64NvmeBase64(bytes: Uint8Array): string {
  const { high, low } = CRC64_TABLE;
  let crcHigh = 0xffffffff;
  let crcLow = 0xffffffff;
  for (let index = 0; index < bytes.length; index++) {
    const entry = (crcLow ^ bytes[index]!) & 0xff;
    crcLow = (((crcLow >>> 8) | (crcHigh << 24)) ^ low[entry]!) >>> 0;
    crcHigh = ((crcHigh >>> 8) ^ high[entry]!) >>> 0;
  }
  const digest = new DataView(new ArrayBuffer(8));
  digest.setUint32(0, ~crcHigh >>> 0);
  digest.setUint32(4, ~crcLow >>> 0);
  return btoa(String.fromCharCode(...new Uint8Array(digest.buffer)));
}

function lowerBound(keys: readonly string[], value: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (keys[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
