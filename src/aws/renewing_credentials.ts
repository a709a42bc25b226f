/**
 * Temporary credentials (an assumed role's) obtained again shortly before they expire,
 * so a run longer than the role session never signs with dead keys. Pure: the call that
 * obtains them and the clock are passed in.
 */

/** Temporary credentials as STS hands them out. */
export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/**
 * Credentials are renewed when less than this is left. The AWS SDK asks its provider again
 * only inside the same five-minute window, so a larger margin would never be seen.
 */
export const RENEW_BEFORE_EXPIRY_MILLISECONDS = 5 * 60_000;

/**
 * Holds one set of temporary credentials and renews it before it expires; callers that ask
 * while a renewal is under way share it.
 * @example
 * ```ts
 * const role = new RenewingCredentials(() => assumeRole(), () => Date.now());
 * await role.current(); // assumes the role; later calls reuse the keys until 5 minutes before expiry
 * ```
 */
export class RenewingCredentials {
  readonly #obtain: () => Promise<TemporaryCredentials>;
  readonly #now: () => number;
  readonly #renewBeforeMilliseconds: number;
  #current: TemporaryCredentials | undefined;
  #pending: Promise<TemporaryCredentials> | undefined;

  /**
   * @param obtain gets a new set (sts:AssumeRole)
   * @param now the clock, in epoch milliseconds
   * @param renewBeforeMilliseconds how long before expiry to renew ({@link RENEW_BEFORE_EXPIRY_MILLISECONDS})
   */
  constructor(
    obtain: () => Promise<TemporaryCredentials>,
    now: () => number,
    renewBeforeMilliseconds = RENEW_BEFORE_EXPIRY_MILLISECONDS,
  ) {
    this.#obtain = obtain;
    this.#now = now;
    this.#renewBeforeMilliseconds = renewBeforeMilliseconds;
  }

  /** The current credentials, obtained first or anew when they are about to expire. */
  current(): Promise<TemporaryCredentials> {
    const current = this.#current;
    if (current !== undefined && current.expiration.getTime() - this.#now() > this.#renewBeforeMilliseconds) {
      return Promise.resolve(current);
    }
    this.#pending ??= this.#obtain().then((credentials) => {
      this.#current = credentials;
      return credentials;
    }).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** Forgets the current credentials (the service called them expired): the next call obtains new ones. */
  invalidate(): void {
    this.#current = undefined;
  }
}
