/** The S3 calls a trail bucket source makes, adapted from `@aws-sdk/client-s3` to our own narrow interface. */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { readBody, type ReadEvents, SocketReads } from "./object_body.ts";

/** One object of a listing. */
export interface ListedObject {
  key: string;
  size: number;
}

/** One ListObjectsV2 page. */
export interface ObjectListing {
  objects: ListedObject[];
  commonPrefixes: string[];
  nextContinuationToken: string | undefined;
}

/** One ListObjectsV2 request (the bucket is the adapter's). */
export interface ListObjectsRequest {
  prefix: string;
  delimiter?: string | undefined;
  startAfter?: string | undefined;
  continuationToken?: string | undefined;
}

/** Reading one bucket. */
export interface TrailBucketApi {
  /** One ListObjectsV2 page (up to 1000 keys). */
  listObjects(request: ListObjectsRequest, signal?: AbortSignal): Promise<ObjectListing>;
  /** An object's bytes as stored (CloudTrail's gzip, even with `Content-Encoding: gzip`). */
  getObject(key: string, signal?: AbortSignal): Promise<Uint8Array>;
}

/**
 * Whether the environment points S3 at a custom endpoint: then path-style addressing, because
 * `bucket.localhost` and bucket names with dots under an IP do not resolve.
 */
export function endpointConfigured(environment: (name: string) => string | undefined): boolean {
  return Boolean(environment("AWS_ENDPOINT_URL_S3") || environment("AWS_ENDPOINT_URL"));
}

/**
 * An S3-backed {@link TrailBucketApi}.
 * @param bucket the bucket to read
 * @param settings the client settings the other clients use (credentials, retries, timeouts, region)
 * @param forcePathStyle see {@link endpointConfigured}
 */
export function createTrailBucketApi(
  bucket: string,
  settings: S3ClientConfig,
  forcePathStyle: boolean,
): TrailBucketApi {
  const client = new S3Client({
    ...settings,
    forcePathStyle,
    // The bucket may live in another region than the home region: let the SDK follow S3's redirect.
    followRegionRedirects: true,
    // S3's CRC-64 is checked in JavaScript on the main thread (~300 MB/s measured: 0.5 s of its CPU a
    // million trail records), so only where nothing else checks the bytes: see `getObject`.
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const reads = new SocketReads();
  return {
    async listObjects(request, signal) {
      const command = new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: request.prefix,
        ...(request.delimiter === undefined ? {} : { Delimiter: request.delimiter }),
        ...(request.startAfter === undefined ? {} : { StartAfter: request.startAfter }),
        ...(request.continuationToken === undefined ? {} : { ContinuationToken: request.continuationToken }),
      });
      const sockets = new Set<ReadEvents>();
      command.middlewareStack.add(socketWatcher(reads, sockets), SOCKET_WATCHER);
      const output = await client.send(command, signal === undefined ? {} : { abortSignal: signal });
      // The SDK read the whole listing before answering.
      for (const socket of sockets) reads.release(socket);
      return {
        objects: (output.Contents ?? []).flatMap((item) =>
          item.Key === undefined ? [] : [{ key: item.Key, size: item.Size ?? 0 }]
        ),
        commonPrefixes: (output.CommonPrefixes ?? []).flatMap((item) => item.Prefix === undefined ? [] : [item.Prefix]),
        nextContinuationToken: output.IsTruncated ? output.NextContinuationToken : undefined,
      };
    },
    async getObject(key, signal) {
      // A gzip object's bytes are checked whole by gunzip (CRC-32 and length of the content, in a worker);
      // anything else (Athena's result CSV) by S3's checksum.
      const command = new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(key.endsWith(".gz") ? {} : { ChecksumMode: "ENABLED" }),
      });
      const sockets = new Set<ReadEvents>();
      command.middlewareStack.add(socketWatcher(reads, sockets), SOCKET_WATCHER);
      const output = await client.send(command, signal === undefined ? {} : { abortSignal: signal });
      if (output.Body === undefined) return new Uint8Array();
      // The body is read (and its checksum checked) here: a connection cut short throws now, not in send().
      const bytes = Symbol.asyncIterator in output.Body
        ? await readBody(output.Body as AsyncIterable<Uint8Array>, output.ContentLength)
        : await output.Body.transformToByteArray();
      for (const socket of sockets) reads.release(socket);
      return bytes;
    },
  };
}

/**
 * Where {@link socketWatcher} sits: innermost in its step, so it sees each attempt's raw response,
 * before a checksum stream may wrap the body.
 */
const SOCKET_WATCHER = { step: "deserialize", priority: "low", name: "watchSocketReads" } as const;

/** A middleware that has `reads` watch the socket of each attempt's response, noted in `sockets` (object_body.ts). */
function socketWatcher(reads: SocketReads, sockets: Set<ReadEvents>) {
  return <Args, Result extends { response: unknown }>(next: (args: Args) => Promise<Result>) => async (args: Args) => {
    const result = await next(args);
    const socket = reads.watch(result.response);
    if (socket !== undefined) sockets.add(socket);
    return result;
  };
}
