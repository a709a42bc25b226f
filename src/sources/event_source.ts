/**
 * Where events come from. LookupEvents is the first source; trail files exported
 * to S3, our own raw dumps and CloudTrail Lake will implement the same interface,
 * so the summary, findings and reports never know which one ran.
 */
import type { SourceEvent } from "../summary/types.ts";

/** How one partition (a region, for LookupEvents) of a source ended. */
export type PartitionStatus = "reading" | "complete" | "failed" | "interrupted";

/** Live and final state of one partition, updated by the source as it reads. */
export interface PartitionProgress {
  /** The partition's name: a region for LookupEvents. */
  readonly name: string;
  status: PartitionStatus;
  /** Error code when `status` is `failed`. */
  errorCode?: string | undefined;
  /** Events handed on so far. */
  events: number;
  /** Pages (API calls that returned events) so far. */
  pages: number;
  /** Responses the server throttled (each retried with the same page token). */
  throttled: number;
  /** Every attempt after the first: the SDK's own retries, ours after transient faults, credential refreshes, restarts. */
  retries: number;
  /** Set while the partition waits out a fault (e.g. "ConnectionRefused: retrying in 16 s"), for progress lines. */
  waitingFor?: string | undefined;
  /** Newest and oldest event time seen (epoch ms). */
  newestEventTimeMs?: number | undefined;
  oldestEventTimeMs?: number | undefined;
  /** The time window this partition covers (epoch ms). */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
}

/** A partition's progress before it has read anything. */
export function newPartition(name: string, windowStartMs: number, windowEndMs: number): PartitionProgress {
  return { name, status: "reading", events: 0, pages: 0, throttled: 0, retries: 0, windowStartMs, windowEndMs };
}

/** Receives each page of events as it arrives; a returned promise holds the source back (backpressure). */
export type EventSink = (
  events: readonly SourceEvent[],
) => void | Promise<void>;

/** A source of CloudTrail records. */
export interface EventSource {
  /** The partitions this source reads, with their live progress (the same objects `read` updates). */
  readonly partitions: readonly PartitionProgress[];
  /**
   * Reads every partition, handing events to `sink` as they arrive. Never throws for
   * a partition's failure: that partition is marked `failed` and the others go on.
   * When `signal` aborts, stops and marks unfinished partitions `interrupted`.
   */
  read(sink: EventSink, signal: AbortSignal): Promise<void>;
}
