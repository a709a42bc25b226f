/**
 * A pool of workers that count trail files (see trail_worker.ts), so gunzip and JSON.parse run
 * on every core while the main thread lists, fetches and merges. Each worker takes one file at a
 * time from a shared queue; the caller bounds how many files wait (backpressure).
 */
import { ownBuffer } from "../buffers.ts";
import type { RecordFilter } from "./trail_records.ts";
import type { TrailFileOutcome, TrailJob, TrailWorkerRequest, TrailWorkerResponse } from "./trail_worker.ts";

/** What the workers count into, and how their counts come back. */
export interface ParallelCounting {
  /** A worker module that calls `serveTrailJobs` with the program's counter. */
  readonly workerUrl: URL;
  /** Structured-cloneable options each worker builds its counter from. */
  readonly counterOptions: unknown;
  /** Takes one worker's final counter state (main thread). */
  merge(state: unknown): void;
}

interface PooledWorker {
  readonly worker: Worker;
  busy: boolean;
}

interface Waiting {
  readonly job: Omit<TrailJob, "id">;
  resolve(outcome: TrailFileOutcome): void;
  reject(error: Error): void;
}

/** The workers and their queue. */
export class TrailWorkerPool {
  readonly #workers: PooledWorker[];
  readonly #queue: Waiting[] = [];
  readonly #pending = new Map<number, Waiting>();
  #nextId = 0;
  #failure: Error | undefined;

  constructor(counting: ParallelCounting, size: number, filter: RecordFilter) {
    this.#workers = Array.from({ length: size }, () => {
      const pooled = { worker: new Worker(counting.workerUrl, { type: "module" }), busy: false };
      pooled.worker.postMessage(
        { type: "start", counterOptions: counting.counterOptions, filter } satisfies TrailWorkerRequest,
      );
      pooled.worker.onmessage = (event: MessageEvent<TrailWorkerResponse>) => {
        if (event.data.type !== "file") return;
        const waiting = this.#pending.get(event.data.id);
        this.#pending.delete(event.data.id);
        pooled.busy = false;
        waiting?.resolve(event.data.outcome);
        this.#dispatch();
      };
      pooled.worker.onerror = (event) => {
        // A worker that dies takes its counts with it: the run cannot be trusted, so it fails loudly.
        event.preventDefault();
        this.#fail(new Error(`A counting worker failed: ${event.message}`));
      };
      return pooled;
    });
  }

  /** Counts one file on the next free worker; `bytes` are transferred, not copied. */
  count(job: Omit<TrailJob, "id">): Promise<TrailFileOutcome> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Collects every worker's counter state (after the last `count` settled) and stops the workers.
   * @throws {Error} when a worker failed
   */
  async finish(): Promise<unknown[]> {
    try {
      if (this.#failure) throw this.#failure;
      return await Promise.all(this.#workers.map(({ worker }) =>
        new Promise<unknown>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<TrailWorkerResponse>) => {
            if (event.data.type === "state") resolve(event.data.state);
          };
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(`A counting worker failed: ${event.message}`));
          };
          worker.postMessage({ type: "finish" } satisfies TrailWorkerRequest);
        })
      ));
    } finally {
      this.terminate();
    }
  }

  /** Stops the workers at once. */
  terminate(): void {
    for (const { worker } of this.#workers) worker.terminate();
  }

  #dispatch(): void {
    for (const pooled of this.#workers) {
      if (pooled.busy) continue;
      const waiting = this.#queue.shift();
      if (waiting === undefined) return;
      const id = this.#nextId++;
      this.#pending.set(id, waiting);
      pooled.busy = true;
      const bytes = waiting.job.bytes === undefined ? undefined : ownBuffer(waiting.job.bytes);
      const job: TrailJob = { id, ...waiting.job, ...(bytes === undefined ? {} : { bytes }) };
      const transfer = bytes === undefined ? [] : [bytes.buffer as ArrayBuffer];
      pooled.worker.postMessage({ type: "file", job } satisfies TrailWorkerRequest, transfer);
    }
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    for (const waiting of [...this.#pending.values(), ...this.#queue]) waiting.reject(error);
    this.#pending.clear();
    this.#queue.length = 0;
  }
}
