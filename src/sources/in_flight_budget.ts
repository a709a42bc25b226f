/**
 * How many files, and how many of their bytes, may be fetched or waiting for a worker at once: the
 * trail source's memory bound. A count alone would either starve a bucket of small files (an
 * organization trail's, fetched at S3's latency) or hold too many big ones in memory.
 */
export class InFlightBudget {
  readonly #maxFiles: number;
  readonly #maxBytes: number;
  #files = 0;
  #bytes = 0;
  #waiting: (() => void)[] = [];

  /**
   * @param maxFiles files at once
   * @param maxBytes their bytes at once; a single file larger than this still goes, alone
   */
  constructor(maxFiles: number, maxBytes = Infinity) {
    this.#maxFiles = maxFiles;
    this.#maxBytes = maxBytes;
  }

  /** Waits until a file of `size` bytes fits, then counts it in. */
  async admit(size: number): Promise<void> {
    while (!this.#fits(size)) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#files += 1;
    this.#bytes += size;
  }

  /** Counts a file of `size` bytes out (once its counting is done). */
  release(size: number): void {
    this.#files -= 1;
    this.#bytes -= size;
    for (const wake of this.#waiting.splice(0)) wake();
  }

  #fits(size: number): boolean {
    return this.#files < this.#maxFiles && (this.#files === 0 || this.#bytes + size <= this.#maxBytes);
  }
}
