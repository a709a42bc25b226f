/**
 * The worker side of the trail file pool: each worker reads (or receives) whole files,
 * gunzips, parses and counts them into its own counter, answers each file with its tallies,
 * and at the end sends its counter's state to be merged on the main thread. The counter is
 * injected by the worker module that calls {@link serveTrailJobs}, so this module knows
 * nothing of the summary.
 */
/// <reference lib="deno.worker" />
import { releaseBuffer } from "../buffers.ts";
import {
  countTrailFile,
  type FileTally,
  type RecordFilter,
  type RecordReceiver,
  trailFileBytes,
  TrailFileError,
} from "./trail_records.ts";

/** A counter a worker counts into; `state` is structured-cloneable. */
export interface WorkerCounter extends RecordReceiver {
  readonly state: unknown;
}

/** One file to count: read from `path` by the worker, or its bytes handed over. */
export interface TrailJob {
  readonly id: number;
  readonly path?: string;
  readonly bytes?: Uint8Array;
}

/** Messages to a worker. */
export type TrailWorkerRequest =
  | { readonly type: "start"; readonly counterOptions: unknown; readonly filter: RecordFilter }
  | { readonly type: "file"; readonly job: TrailJob }
  | { readonly type: "finish" };

/** A file's outcome: its tallies and size, or why it could not be counted. */
export type TrailFileOutcome =
  | { readonly tally: FileTally; readonly bytes: number }
  | { readonly error: { readonly code: string; readonly message: string }; readonly bytes: number };

/** Messages from a worker. */
export type TrailWorkerResponse =
  | { readonly type: "file"; readonly id: number; readonly outcome: TrailFileOutcome }
  | { readonly type: "state"; readonly state: unknown };

function errorOf(error: unknown): { code: string; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TrailFileError) return { code: error.code, message };
  if (error instanceof Deno.errors.NotFound) return { code: "NotFound", message };
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return { code: "NotPermitted", message };
  }
  return { code: error instanceof Error && error.name !== "Error" ? error.name : "ReadError", message };
}

/** Counts one file into `counter`. */
export async function countTrailJob(
  job: TrailJob,
  filter: RecordFilter,
  counter: RecordReceiver,
): Promise<TrailFileOutcome> {
  let bytes = 0;
  const buffers: Uint8Array[] = [];
  try {
    const data = job.bytes ?? await Deno.readFile(job.path ?? "");
    buffers.push(data);
    bytes = data.length;
    const plain = trailFileBytes(data);
    buffers.push(plain);
    return { tally: countTrailFile(plain, filter, counter), bytes };
  } catch (error) {
    return { error: errorOf(error), bytes };
  } finally {
    for (const buffer of buffers) releaseBuffer(buffer);
  }
}

/** Serves jobs in this worker with counters from `createCounter`. */
export function serveTrailJobs(createCounter: (options: unknown) => WorkerCounter): void {
  let counter: WorkerCounter | undefined;
  let filter: RecordFilter | undefined;
  self.onmessage = async (event: MessageEvent<TrailWorkerRequest>) => {
    const request = event.data;
    if (request.type === "start") {
      counter = createCounter(request.counterOptions);
      filter = request.filter;
    } else if (request.type === "file") {
      const outcome = await countTrailJob(request.job, filter!, counter!);
      self.postMessage({ type: "file", id: request.job.id, outcome } satisfies TrailWorkerResponse);
    } else {
      self.postMessage({ type: "state", state: counter!.state } satisfies TrailWorkerResponse);
    }
  };
}
