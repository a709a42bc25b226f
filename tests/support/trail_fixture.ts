/**
 * Records laid out as a trail delivers them: one `.json.gz` per account, region and 5-minute
 * delivery slot, keyed `[PREFIX/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/…`, written
 * to a folder and/or stored in the S3 emulator.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { S3Emulator } from "./s3_emulator.ts";

/** A record and when its file is delivered (default: the next 5-minute mark after its eventTime). */
export interface PlacedRecord {
  record: Record<string, unknown>;
  deliveryMs?: number;
}

const FIVE_MINUTES = 300_000;
const two = (value: number) => String(value).padStart(2, "0");

/** Keys and gzipped bytes of the trail files holding `records`. */
export function trailFiles(
  records: readonly PlacedRecord[],
  layout: { prefix?: string; organizationId?: string } = {},
): Map<string, Uint8Array> {
  const groups = new Map<string, Record<string, unknown>[]>();
  for (const { record, deliveryMs } of records) {
    const account = String(record.recipientAccountId);
    const region = String(record.awsRegion);
    const delivery = deliveryMs ??
      (Math.floor(Date.parse(String(record.eventTime)) / FIVE_MINUTES) + 1) * FIVE_MINUTES;
    const date = new Date(delivery);
    const day = `${date.getUTCFullYear()}/${two(date.getUTCMonth() + 1)}/${two(date.getUTCDate())}`;
    const stamp = `${day.replaceAll("/", "")}T${two(date.getUTCHours())}${two(date.getUTCMinutes())}Z`;
    const folder = [layout.prefix, "AWSLogs", layout.organizationId, account, "CloudTrail", region, day]
      .filter((part) => part !== undefined).join("/");
    const key = `${folder}/${account}_CloudTrail_${region}_${stamp}`;
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  }
  return new Map(
    [...groups].map(([key, group], index) => [
      `${key}_${String(index).padStart(16, "0")}.json.gz`,
      gzipSync(JSON.stringify({ Records: group })),
    ]),
  );
}

/** Writes trail files under `folder`. */
export async function writeTrailFiles(folder: string, files: Map<string, Uint8Array>): Promise<void> {
  for (const [key, bytes] of files) {
    const path = join(folder, key);
    await Deno.mkdir(join(path, ".."), { recursive: true });
    await Deno.writeFile(path, bytes);
  }
}

/** Stores trail files in a bucket of the S3 emulator. */
export function storeTrailFiles(s3: S3Emulator, bucket: string, files: Map<string, Uint8Array>): void {
  for (const [key, bytes] of files) s3.putObject(bucket, key, bytes);
}
