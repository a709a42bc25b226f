/**
 * An AWS emulator for tests, on 127.0.0.1: STS GetCallerIdentity and EC2
 * DescribeRegions (query protocol, XML) and CloudTrail LookupEvents (JSON 1.1)
 * with paging, the real quota of 2 requests/s per region (a token bucket of
 * size 1), credential checks and fault injection. The real AWS SDK clients talk
 * to it over HTTP; nothing in the SDK is mocked.
 */

/** One event the emulator serves. */
export interface EmulatorEvent {
  eventId: string;
  eventTimeMs: number;
  eventName: string;
  eventSource: string;
  username?: string | undefined;
  readOnly?: string | undefined;
  accessKeyId?: string | undefined;
  resources?: { ResourceType?: string; ResourceName?: string }[] | undefined;
  /** The record as JSON text, served as `CloudTrailEvent`. */
  cloudTrailEvent: string;
}

/** Faults of one region; change them at any time, the next request sees them. */
export interface RegionFaults {
  /** Every LookupEvents answers AccessDeniedException. */
  accessDenied: boolean;
  /** The next N LookupEvents answer HTTP `serverErrorStatus`. */
  serverErrors: number;
  serverErrorStatus: number;
  /** The next N LookupEvents never answer (until the client gives up). */
  hangs: number;
  /** Added to every LookupEvents answer. */
  latencyMs: number;
  /** The next N LookupEvents answer ThrottlingException whatever the bucket says. */
  throttles: number;
  /** The next LookupEvents that carries a NextToken answers InvalidNextTokenException. */
  invalidateNextToken: boolean;
}

/** Per-region counts, for assertions. */
export interface RegionStats {
  /** LookupEvents requests received (all of them, faults included). */
  requests: number;
  /** Arrival times (ms since start) of every LookupEvents request. */
  requestTimes: number[];
  throttled: number;
  faults: number;
  pages: number;
  eventsServed: number;
}

/** How the emulator starts. */
export interface AwsEmulatorOptions {
  accountId?: string;
  callerArn?: string;
  /** Enabled regions, as DescribeRegions reports them. */
  regions: string[];
  /** Events per region (any order). */
  events: Record<string, EmulatorEvent[]>;
  /** Access key ids whose requests are accepted; others get InvalidClientTokenId / UnrecognizedClientException. */
  acceptedAccessKeys: string[];
  /** LookupEvents quota per region; null for none. Default: 2 requests/s, bucket size 1. */
  quota?: { ratePerSecond: number; burst: number } | null;
}

/** A running emulator. */
export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL. */
  readonly url: string;
  /** Faults of a region (mutable). */
  faults(region: string): RegionFaults;
  /** Counts of a region. */
  stats(region: string): RegionStats;
  /** The highest number of LookupEvents requests in flight at once, over all regions. */
  readonly maxConcurrentRequests: number;
  /** Accepts requests signed with this key from now on. */
  acceptAccessKey(accessKeyId: string): void;
  /** Answers requests signed with this key with ExpiredTokenException from now on. */
  expireAccessKey(accessKeyId: string): void;
  /** Called on every LookupEvents request before it is answered (to change faults mid-run). */
  onLookupEvents: ((region: string, requestNumber: number) => void) | undefined;
  /** Every distinct user agent (`user-agent` and `x-amz-user-agent` headers) seen. */
  readonly userAgents: ReadonlySet<string>;
  close(): Promise<void>;
}

const LOOKUP_ATTRIBUTE_FIELDS: Record<string, (event: EmulatorEvent) => string[]> = {
  EventId: (event) => [event.eventId],
  EventName: (event) => [event.eventName],
  ReadOnly: (event) => [event.readOnly ?? ""],
  Username: (event) => [event.username ?? ""],
  EventSource: (event) => [event.eventSource],
  AccessKeyId: (event) => [event.accessKeyId ?? ""],
  ResourceType: (event) => (event.resources ?? []).map((resource) => resource.ResourceType ?? ""),
  ResourceName: (event) => (event.resources ?? []).map((resource) => resource.ResourceName ?? ""),
};

class EmulatorError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(message);
  }
}

function newFaults(): RegionFaults {
  return {
    accessDenied: false,
    serverErrors: 0,
    serverErrorStatus: 500,
    hangs: 0,
    latencyMs: 0,
    throttles: 0,
    invalidateNextToken: false,
  };
}

function newStats(): RegionStats {
  return { requests: 0, requestTimes: [], throttled: 0, faults: 0, pages: 0, eventsServed: 0 };
}

/** A per-region token bucket, as AWS enforces the quota. */
class QuotaBucket {
  #tokens: number;
  #refilledAt = performance.now();
  constructor(readonly ratePerSecond: number, readonly burst: number) {
    this.#tokens = burst;
  }
  tryTake(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) * this.ratePerSecond) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** Newest first; binary searches find the time window. */
function sortNewestFirst(events: EmulatorEvent[]): EmulatorEvent[] {
  return [...events].sort((a, b) => b.eventTimeMs - a.eventTimeMs || (a.eventId < b.eventId ? -1 : 1));
}

/** First index whose time is <= `timeMs` (events are newest first). */
function firstAtOrBefore(events: EmulatorEvent[], timeMs: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (events[middle]!.eventTimeMs > timeMs) low = middle + 1;
    else high = middle;
  }
  return low;
}

const XML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };
function xml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => XML_ESCAPES[character]!);
}

/** The SigV4 credential scope: access key, region and service. */
function credentialScope(request: Request): { accessKeyId: string; region: string; service: string } | undefined {
  const match = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
    request.headers.get("authorization") ?? "",
  );
  return match ? { accessKeyId: match[1]!, region: match[2]!, service: match[3]! } : undefined;
}

/**
 * Starts the emulator on 127.0.0.1 and an ephemeral port.
 * @example
 * ```ts
 * const emulator = startAwsEmulator({ regions: ["us-east-1"], events: {}, acceptedAccessKeys: [key] });
 * // AWS_ENDPOINT_URL=emulator.url
 * await emulator.close();
 * ```
 */
export function startAwsEmulator(options: AwsEmulatorOptions): AwsEmulator {
  const accountId = options.accountId ?? "111122223333";
  const callerArn = options.callerArn ?? `arn:aws:iam::${accountId}:user/emulated-auditor`;
  const accepted = new Set(options.acceptedAccessKeys);
  const expired = new Set<string>();
  const events = new Map(Object.entries(options.events).map(([region, list]) => [region, sortNewestFirst(list)]));
  const faults = new Map<string, RegionFaults>();
  const stats = new Map<string, RegionStats>();
  const quota = options.quota === undefined ? { ratePerSecond: 2, burst: 1 } : options.quota;
  const buckets = new Map<string, QuotaBucket>();
  const tokenGenerations = new Map<string, number>();
  const startedAt = performance.now();
  const hangingRequests = new Set<AbortController>();
  const userAgents = new Set<string>();
  let inFlight = 0;
  let maxConcurrentRequests = 0;

  const faultsOf = (region: string) => {
    let regionFaults = faults.get(region);
    if (!regionFaults) faults.set(region, regionFaults = newFaults());
    return regionFaults;
  };
  const statsOf = (region: string) => {
    let regionStats = stats.get(region);
    if (!regionStats) stats.set(region, regionStats = newStats());
    return regionStats;
  };

  function checkCredentials(accessKeyId: string, service: string): void {
    if (expired.has(accessKeyId)) {
      throw new EmulatorError(
        service === "ec2" ? "RequestExpired" : "ExpiredTokenException",
        service === "ec2" ? 400 : 400,
        "The security token included in the request is expired",
      );
    }
    if (!accepted.has(accessKeyId)) {
      const code = service === "cloudtrail"
        ? "UnrecognizedClientException"
        : service === "ec2"
        ? "AuthFailure"
        : "InvalidClientTokenId";
      throw new EmulatorError(
        code,
        service === "ec2" ? 401 : service === "sts" ? 403 : 400,
        "The security token included in the request is invalid.",
      );
    }
  }

  function queryResponse(service: string, action: string, region: string): Response {
    if (service === "sts" && action === "GetCallerIdentity") {
      return xmlResponse(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${xml(callerArn)}</Arn><UserId>AIDAEMULATED</UserId><Account>${xml(accountId)}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId>` +
          `</ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }
    if (service === "ec2" && action === "DescribeRegions") {
      const items = options.regions.map((name) =>
        `<item><regionName>${xml(name)}</regionName><regionEndpoint>ec2.${xml(name)}.amazonaws.com</regionEndpoint>` +
        `<optInStatus>opt-in-not-required</optInStatus></item>`
      ).join("");
      return xmlResponse(
        `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${crypto.randomUUID()}</requestId>` +
          `<regionInfo>${items}</regionInfo></DescribeRegionsResponse>`,
      );
    }
    throw new EmulatorError("InvalidAction", 400, `The emulator does not know ${service}:${action} (region ${region})`);
  }

  function nextToken(region: string, queryKey: string, offset: number): string {
    return btoa(JSON.stringify({ region, queryKey, offset, generation: tokenGenerations.get(region) ?? 0 }));
  }

  function offsetOfToken(token: string, region: string, queryKey: string): number {
    try {
      const parsed = JSON.parse(atob(token));
      if (
        parsed.region === region && parsed.queryKey === queryKey &&
        parsed.generation === (tokenGenerations.get(region) ?? 0) && Number.isInteger(parsed.offset)
      ) return parsed.offset;
    } catch {
      // Not one of ours: answered below like AWS does.
    }
    throw new EmulatorError("InvalidNextTokenException", 400, "Invalid NextToken");
  }

  async function lookupEvents(region: string, body: Record<string, unknown>, signal: AbortSignal) {
    const regionStats = statsOf(region);
    const regionFaults = faultsOf(region);
    regionStats.requests += 1;
    regionStats.requestTimes.push(performance.now() - startedAt);
    emulator.onLookupEvents?.(region, regionStats.requests);

    if (quota !== null) {
      let bucket = buckets.get(region);
      if (!bucket) buckets.set(region, bucket = new QuotaBucket(quota.ratePerSecond, quota.burst));
      if (!bucket.tryTake()) {
        regionStats.throttled += 1;
        throw new EmulatorError("ThrottlingException", 400, "Rate exceeded");
      }
    }
    if (regionFaults.throttles > 0) {
      regionFaults.throttles -= 1;
      regionStats.throttled += 1;
      throw new EmulatorError("ThrottlingException", 400, "Rate exceeded");
    }
    if (regionFaults.accessDenied) {
      regionStats.faults += 1;
      throw new EmulatorError(
        "AccessDeniedException",
        400,
        `User is not authorized to perform: cloudtrail:LookupEvents in ${region}`,
      );
    }
    if (regionFaults.serverErrors > 0) {
      regionFaults.serverErrors -= 1;
      regionStats.faults += 1;
      throw new EmulatorError("InternalFailure", regionFaults.serverErrorStatus, "Injected server error");
    }
    if (regionFaults.hangs > 0) {
      regionFaults.hangs -= 1;
      regionStats.faults += 1;
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      throw new EmulatorError("Hang", 504, "The client gave up");
    }
    if (regionFaults.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, regionFaults.latencyMs));

    const maxResults = body.MaxResults ?? 50;
    if (typeof maxResults !== "number" || maxResults < 1 || maxResults > 50) {
      throw new EmulatorError("InvalidMaxResultsException", 400, "MaxResults must be from 1 to 50");
    }
    const attributes = Array.isArray(body.LookupAttributes) ? body.LookupAttributes : [];
    if (attributes.length > 1) {
      throw new EmulatorError("InvalidLookupAttributesException", 400, "Only one lookup attribute is allowed");
    }
    const attribute = attributes[0] as { AttributeKey?: string; AttributeValue?: string } | undefined;
    const matches = attribute ? LOOKUP_ATTRIBUTE_FIELDS[attribute.AttributeKey ?? ""] : undefined;
    if (attribute && !matches) {
      throw new EmulatorError("InvalidLookupAttributesException", 400, `Unknown attribute ${attribute.AttributeKey}`);
    }
    const startMs = typeof body.StartTime === "number" ? body.StartTime * 1000 : -Infinity;
    const endMs = typeof body.EndTime === "number" ? body.EndTime * 1000 : Infinity;
    if (startMs > endMs) throw new EmulatorError("InvalidTimeRangeException", 400, "StartTime is after EndTime");

    const queryKey = JSON.stringify([startMs, endMs, attribute ?? null]);
    let offset = 0;
    if (typeof body.NextToken === "string") {
      if (regionFaults.invalidateNextToken) {
        regionFaults.invalidateNextToken = false;
        tokenGenerations.set(region, (tokenGenerations.get(region) ?? 0) + 1);
        regionStats.faults += 1;
      }
      offset = offsetOfToken(body.NextToken, region, queryKey);
    }

    const all = events.get(region) ?? [];
    let window = all.slice(firstAtOrBefore(all, endMs), firstAtOrBefore(all, startMs - 1));
    if (attribute && matches) {
      window = window.filter((event) => matches(event).includes(attribute.AttributeValue ?? ""));
    }
    const page = window.slice(offset, offset + maxResults);
    regionStats.pages += 1;
    regionStats.eventsServed += page.length;
    const hasMore = offset + maxResults < window.length;
    return {
      Events: page.map((event) => ({
        EventId: event.eventId,
        EventName: event.eventName,
        ReadOnly: event.readOnly,
        AccessKeyId: event.accessKeyId,
        EventTime: event.eventTimeMs / 1000,
        EventSource: event.eventSource,
        Username: event.username,
        Resources: event.resources ?? [],
        CloudTrailEvent: event.cloudTrailEvent,
      })),
      ...(hasMore ? { NextToken: nextToken(region, queryKey, offset + maxResults) } : {}),
    };
  }

  async function handle(request: Request): Promise<Response> {
    for (const header of ["user-agent", "x-amz-user-agent"]) {
      const value = request.headers.get(header);
      if (value !== null) userAgents.add(value);
    }
    const scope = credentialScope(request);
    const target = request.headers.get("x-amz-target") ?? "";
    const service = scope?.service ?? "";
    const queryProtocol = service === "sts" || service === "ec2";
    try {
      if (!scope) throw new EmulatorError("MissingAuthenticationToken", 403, "Request is missing Authentication Token");
      checkCredentials(scope.accessKeyId, service);
      if (queryProtocol) {
        const parameters = new URLSearchParams(await request.text());
        return queryResponse(service, parameters.get("Action") ?? "", scope.region);
      }
      if (service === "cloudtrail" && target.endsWith(".LookupEvents")) {
        inFlight += 1;
        maxConcurrentRequests = Math.max(maxConcurrentRequests, inFlight);
        // A hanging request is let go when the emulator closes; the client has given up by then.
        const controller = new AbortController();
        hangingRequests.add(controller);
        try {
          const body = JSON.parse(await request.text() || "{}");
          return jsonResponse(await lookupEvents(scope.region, body, controller.signal));
        } finally {
          inFlight -= 1;
          hangingRequests.delete(controller);
        }
      }
      throw new EmulatorError("UnknownOperationException", 400, `Unknown operation ${service} ${target}`);
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      return queryProtocol ? queryError(service, error) : jsonError(error);
    }
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handle);
  const { port } = server.addr as Deno.NetAddr;
  const emulator: AwsEmulator = {
    onLookupEvents: undefined,
    userAgents,
    url: `http://127.0.0.1:${port}`,
    faults: faultsOf,
    stats: statsOf,
    get maxConcurrentRequests() {
      return maxConcurrentRequests;
    },
    acceptAccessKey(accessKeyId) {
      expired.delete(accessKeyId);
      accepted.add(accessKeyId);
    },
    expireAccessKey(accessKeyId) {
      accepted.delete(accessKeyId);
      expired.add(accessKeyId);
    },
    async close() {
      for (const controller of hangingRequests) controller.abort();
      await server.shutdown();
    },
  };
  return emulator;
}

function xmlResponse(body: string): Response {
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    headers: { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": crypto.randomUUID() },
  });
}

function queryError(service: string, error: EmulatorError): Response {
  const requestId = crypto.randomUUID();
  const body = service === "ec2"
    ? `<Response><Errors><Error><Code>${xml(error.code)}</Code><Message>${
      xml(error.message)
    }</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`
    : `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${
      xml(error.code)
    }</Code><Message>${xml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`, {
    status: error.status,
    headers: { "content-type": "text/xml;charset=UTF-8" },
  });
}

function jsonResponse(body: unknown): Response {
  return new Response(JSON.stringify(body), {
    headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": crypto.randomUUID() },
  });
}

function jsonError(error: EmulatorError): Response {
  return new Response(JSON.stringify({ __type: error.code, message: error.message }), {
    status: error.status,
    headers: {
      "content-type": "application/x-amz-json-1.1",
      "x-amzn-errortype": error.code,
      "x-amzn-requestid": crypto.randomUUID(),
    },
  });
}

/**
 * An {@link EmulatorEvent} from a CloudTrail record, its `eventTime` set to `eventTimeMs`.
 * @param record a CloudTrail record (not changed)
 * @param eventTimeMs when the event happened
 * @param fallbackId the event id when the record has no `eventID`
 */
export function emulatorEventFromRecord(
  record: Record<string, unknown>,
  eventTimeMs: number,
  fallbackId: string,
): EmulatorEvent {
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const identity =
    (typeof record.userIdentity === "object" && record.userIdentity !== null ? record.userIdentity : {}) as Record<
      string,
      unknown
    >;
  const eventTime = new Date(eventTimeMs).toISOString().slice(0, 19) + "Z";
  return {
    eventId: text(record.eventID) ?? fallbackId,
    eventTimeMs: Math.floor(eventTimeMs / 1000) * 1000,
    eventName: text(record.eventName) ?? "",
    eventSource: text(record.eventSource) ?? "",
    username: text(identity.userName) ?? text(identity.principalId),
    readOnly: typeof record.readOnly === "boolean" ? String(record.readOnly) : text(record.readOnly),
    accessKeyId: text(identity.accessKeyId),
    cloudTrailEvent: JSON.stringify({ ...record, eventTime }),
  };
}
