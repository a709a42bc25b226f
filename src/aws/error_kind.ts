/** What an AWS error means for the caller: retry, slow down, refresh, restart, or give up. */

/** How the event source reacts to an error. */
export type AwsErrorKind =
  | "throttling"
  | "transient"
  | "expired-credentials"
  | "invalid-next-token"
  | "invalid-credentials"
  | "fatal";

const THROTTLING_CODES = new Set([
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
]);
const EXPIRED_CREDENTIAL_CODES = new Set([
  "ExpiredTokenException",
  "ExpiredToken",
  "RequestExpired",
]);
const INVALID_CREDENTIAL_CODES = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "AuthFailure",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationToken",
  "CredentialsProviderError",
]);

/** System error codes of a connection that got no HTTP answer, named for users. */
const CONNECTION_FAILURES: Record<string, string> = {
  ECONNREFUSED: "ConnectionRefused",
  ENOTFOUND: "DnsLookupFailed",
  EAI_AGAIN: "DnsLookupFailed",
  ECONNRESET: "ConnectionReset",
  EPIPE: "ConnectionReset",
  ETIMEDOUT: "ConnectionTimedOut",
  EHOSTUNREACH: "HostUnreachable",
  ENETUNREACH: "NetworkUnreachable",
};

/**
 * The AWS error code of an error (`ThrottlingException`, `AccessDeniedException`, ...),
 * or a short description for errors that carry none (`RequestTimeout`, `ConnectionRefused`,
 * `DnsLookupFailed`, `NetworkError`).
 */
export function awsErrorCode(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { Code?: unknown }).Code;
    if (typeof code === "string" && code !== "") return code;
    const systemCode = (error as { code?: unknown }).code;
    if (typeof systemCode === "string" && systemCode in CONNECTION_FAILURES) return CONNECTION_FAILURES[systemCode]!;
    if (error.name === "TimeoutError") return "RequestTimeout";
    if (error.name && error.name !== "Error") return error.name;
    return "NetworkError";
  }
  return "UnknownError";
}

/** Whether the error is a connection that got no HTTP answer at all (an outage, not a refusal). */
export function isConnectionFailure(error: unknown): boolean {
  return Object.values(CONNECTION_FAILURES).includes(awsErrorCode(error)) || awsErrorCode(error) === "NetworkError";
}

/** Sorts an error from an SDK call into an {@link AwsErrorKind}. */
export function classifyAwsError(error: unknown): AwsErrorKind {
  const code = awsErrorCode(error);
  if (THROTTLING_CODES.has(code)) return "throttling";
  if (EXPIRED_CREDENTIAL_CODES.has(code)) return "expired-credentials";
  if (code === "InvalidNextTokenException") return "invalid-next-token";
  if (INVALID_CREDENTIAL_CODES.has(code)) return "invalid-credentials";
  const status = (error as { $metadata?: { httpStatusCode?: number } })
    ?.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return "transient";
  if (
    code === "RequestTimeout" || code === "NetworkError" || code === "AbortError" ||
    Object.values(CONNECTION_FAILURES).includes(code)
  ) return "transient";
  const fault = (error as { $fault?: unknown })?.$fault;
  // An error that never got an HTTP answer (connection reset, refused) is worth retrying.
  if (status === undefined && fault !== "client") return "transient";
  return "fatal";
}
