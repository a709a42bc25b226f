/** The S3 calls a trail bucket source makes, adapted from `@aws-sdk/client-s3` to our own narrow interface. */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

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
  // The bucket may live in another region than the home region: let the SDK follow S3's redirect.
  const client = new S3Client({ ...settings, forcePathStyle, followRegionRedirects: true });
  return {
    async listObjects(request, signal) {
      const output = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: request.prefix,
          ...(request.delimiter === undefined ? {} : { Delimiter: request.delimiter }),
          ...(request.startAfter === undefined ? {} : { StartAfter: request.startAfter }),
          ...(request.continuationToken === undefined ? {} : { ContinuationToken: request.continuationToken }),
        }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      return {
        objects: (output.Contents ?? []).flatMap((item) =>
          item.Key === undefined ? [] : [{ key: item.Key, size: item.Size ?? 0 }]
        ),
        commonPrefixes: (output.CommonPrefixes ?? []).flatMap((item) => item.Prefix === undefined ? [] : [item.Prefix]),
        nextContinuationToken: output.IsTruncated ? output.NextContinuationToken : undefined,
      };
    },
    async getObject(key, signal) {
      const output = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
        signal === undefined ? {} : { abortSignal: signal },
      );
      if (output.Body === undefined) return new Uint8Array();
      // The body is read (and its checksum checked) here: a connection cut short throws now, not in send().
      return await output.Body.transformToByteArray();
    },
  };
}
