/**
 * An AWS emulator for tests, on 127.0.0.1: STS GetCallerIdentity and EC2
 * DescribeRegions (query protocol, XML) and CloudTrail LookupEvents (JSON 1.1)
 * with paging, the real quota of 2 requests/s per region (a token bucket of
 * size 1), credential checks and fault injection. The real AWS SDK clients talk
 * to it over HTTP; nothing in the SDK is mocked.
 *
 * Several accounts (`accounts`): each has its own regions, events, faults, stats and
 * quota buckets; STS AssumeRole hands out temporary keys that act as the target account
 * from then on, and Organizations ListAccounts / DescribeOrganization (JSON 1.1) list them,
 * paged, with empty pages before the last when asked.
 */
import type { AthenaEmulator } from "./athena_emulator.ts";
import type { S3Emulator } from "./s3_emulator.ts";

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
  /** StartTime, EndTime (epoch ms; null when absent) and whether a NextToken came, per LookupEvents request. */
  requestWindows: { startMs: number | null; endMs: number | null; nextToken: boolean }[];
  throttled: number;
  faults: number;
  pages: number;
  eventsServed: number;
}

/** One more account of the emulated organization (the caller's own account is the management account). */
export interface EmulatorAccount {
  /** Enabled regions, as DescribeRegions reports them. */
  regions: string[];
  /** Events per region (any order). */
  events: Record<string, EmulatorEvent[]>;
  name?: string;
  /** Organizations account state (default ACTIVE). */
  state?: "ACTIVE" | "SUSPENDED" | "PENDING_CLOSURE" | "CLOSED";
  /** sts:AssumeRole into this account answers AccessDenied (an invited account without the role). */
  denyAssumeRole?: boolean;
  /** The role that may be assumed (default OrganizationAccountAccessRole). */
  roleName?: string;
  /** The external id the role's trust policy requires, if any. */
  externalId?: string;
}

/** How Organizations ListAccounts pages. */
export interface EmulatorOrganizationOptions {
  /** Accounts per page at most (default 20, the API's maximum; MaxResults may lower it). */
  pageSize?: number;
  /** Empty pages (with a NextToken) served before the last page. */
  emptyPages?: number;
}

/** One sts:AssumeRole the emulator answered. */
export interface AssumeRoleCall {
  accountId: string;
  roleArn: string;
  sessionName: string;
  externalId: string | undefined;
  durationSeconds: number;
  /** Arrival time (ms since start). */
  atMs: number;
  granted: boolean;
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
  /** Other accounts of the organization, by account id; each has its own quota per region. */
  accounts?: Record<string, EmulatorAccount>;
  organization?: EmulatorOrganizationOptions;
  /** Lifetime of AssumeRole keys in seconds, whatever DurationSeconds asked (default: DurationSeconds). */
  assumedRoleSeconds?: number;
  /** Buckets served to requests signed for service `s3` (path-style; see s3_emulator.ts). */
  s3?: S3Emulator;
  /** Answers requests signed for service `athena` (see athena_emulator.ts). */
  athena?: AthenaEmulator;
}

/** A running emulator. */
export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`: the value for AWS_ENDPOINT_URL. */
  readonly url: string;
  /** Faults of a region (mutable), of the caller's account unless `accountId` is given. */
  faults(region: string, accountId?: string): RegionFaults;
  /** Counts of a region, of the caller's account unless `accountId` is given. */
  stats(region: string, accountId?: string): RegionStats;
  /** Every sts:AssumeRole call, in order. */
  readonly assumeRoleCalls: readonly AssumeRoleCall[];
  /** The highest number of LookupEvents requests in flight at once, over all regions. */
  readonly maxConcurrentRequests: number;
  /** Accepts requests signed with this key from now on. */
  acceptAccessKey(accessKeyId: string): void;
  /** Answers requests signed with this key with ExpiredTokenException from now on. */
  expireAccessKey(accessKeyId: string): void;
  /** Adds events to a region of the caller's account (events that show up between runs, late ones too). */
  addEvents(region: string, events: EmulatorEvent[]): void;
  /** Called on every LookupEvents request before it is answered (to change faults mid-run). */
  onLookupEvents: ((region: string, requestNumber: number, accountId: string) => void) | undefined;
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
  return { requests: 0, requestTimes: [], requestWindows: [], throttled: 0, faults: 0, pages: 0, eventsServed: 0 };
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
  const sortedEvents = (byRegion: Record<string, EmulatorEvent[]>) =>
    new Map(Object.entries(byRegion).map(([region, list]) => [region, sortNewestFirst(list)]));
  const accounts = new Map<string, EmulatorAccount & { sortedEvents: Map<string, EmulatorEvent[]> }>([
    [accountId, { regions: options.regions, events: options.events, sortedEvents: sortedEvents(options.events) }],
    ...Object.entries(options.accounts ?? {}).map(([id, account]) =>
      [id, { ...account, sortedEvents: sortedEvents(account.events) }] as const
    ),
  ]);
  /** Keys handed out by AssumeRole: they act as their account from then on. */
  const sessions = new Map<string, { accountId: string; arn: string; sessionToken: string; expiresAtMs: number }>();
  const assumeRoleCalls: AssumeRoleCall[] = [];
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

  const faultsOf = (region: string, account = accountId) => {
    let regionFaults = faults.get(`${account}/${region}`);
    if (!regionFaults) faults.set(`${account}/${region}`, regionFaults = newFaults());
    return regionFaults;
  };
  const statsOf = (region: string, account = accountId) => {
    let regionStats = stats.get(`${account}/${region}`);
    if (!regionStats) stats.set(`${account}/${region}`, regionStats = newStats());
    return regionStats;
  };

  /** Checks the key and tells which account and principal it acts as. */
  function checkCredentials(accessKeyId: string, service: string, request: Request): { account: string; arn: string } {
    const session = sessions.get(accessKeyId);
    if (session !== undefined && !expired.has(accessKeyId)) {
      if (request.headers.get("x-amz-security-token") !== session.sessionToken) {
        throw new EmulatorError("InvalidClientTokenId", 403, "The security token included in the request is invalid.");
      }
      if (performance.now() >= session.expiresAtMs) expired.add(accessKeyId);
      else return { account: session.accountId, arn: session.arn };
    }
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
    return { account: accountId, arn: callerArn };
  }

  /** sts:AssumeRole: temporary keys acting as the role's account, or AccessDenied as a trust policy would. */
  function assumeRole(parameters: URLSearchParams, caller: { arn: string }): Response {
    const roleArn = parameters.get("RoleArn") ?? "";
    const sessionName = parameters.get("RoleSessionName") ?? "";
    const externalId = parameters.get("ExternalId") ?? undefined;
    const durationSeconds = Number(parameters.get("DurationSeconds") ?? 3600);
    const [, target = "", roleName = ""] = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn) ?? [];
    const account = accounts.get(target);
    const granted = account !== undefined && !account.denyAssumeRole &&
      roleName === (account.roleName ?? "OrganizationAccountAccessRole") && externalId === account.externalId &&
      /^[\w+=,.@-]{2,64}$/.test(sessionName);
    assumeRoleCalls.push({
      accountId: target,
      roleArn,
      sessionName,
      externalId,
      durationSeconds,
      atMs: performance.now() - startedAt,
      granted,
    });
    if (!granted) {
      throw new EmulatorError(
        "AccessDenied",
        403,
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    const random = crypto.randomUUID().replaceAll("-", "").toUpperCase();
    const accessKeyId = `ASIA${random.slice(0, 16)}`;
    const sessionToken = `emulated-session-${random}`;
    const lifetimeMs = (options.assumedRoleSeconds ?? durationSeconds) * 1000;
    const arn = `arn:aws:sts::${target}:assumed-role/${roleName}/${sessionName}`;
    sessions.set(accessKeyId, { accountId: target, arn, sessionToken, expiresAtMs: performance.now() + lifetimeMs });
    return xmlResponse(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials>` +
        `<AccessKeyId>${accessKeyId}</AccessKeyId><SecretAccessKey>emulated-secret-${random}</SecretAccessKey>` +
        `<SessionToken>${sessionToken}</SessionToken>` +
        `<Expiration>${new Date(Date.now() + lifetimeMs).toISOString()}</Expiration></Credentials>` +
        `<AssumedRoleUser><Arn>${xml(arn)}</Arn><AssumedRoleId>AROAEMULATED:${xml(sessionName)}</AssumedRoleId>` +
        `</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId>` +
        `</ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  /** Organizations (JSON 1.1): only the management account (the caller's) may list the organization. */
  function organizationsResponse(target: string, body: Record<string, unknown>, caller: { account: string }) {
    if (caller.account !== accountId) {
      throw new EmulatorError("AccessDeniedException", 400, "You don't have permissions to access this resource.");
    }
    if (target.endsWith(".DescribeOrganization")) {
      return {
        Organization: {
          Id: "o-emulated",
          Arn: `arn:aws:organizations::${accountId}:organization/o-emulated`,
          FeatureSet: "ALL",
          MasterAccountArn: `arn:aws:organizations::${accountId}:account/o-emulated/${accountId}`,
          MasterAccountId: accountId,
          MasterAccountEmail: `management@example.com`,
        },
      };
    }
    if (!target.endsWith(".ListAccounts")) {
      throw new EmulatorError("UnknownOperationException", 400, `Unknown operation ${target}`);
    }
    const maxResults = typeof body.MaxResults === "number" ? body.MaxResults : 20;
    const pageSize = Math.min(maxResults, options.organization?.pageSize ?? 20);
    const listed = [...accounts].map(([id, account]) => {
      const state = account.state ?? "ACTIVE";
      return {
        Id: id,
        Arn: `arn:aws:organizations::${accountId}:account/o-emulated/${id}`,
        Email: `${id}@example.com`,
        Name: account.name ?? `account-${id}`,
        Status: state === "CLOSED" ? "SUSPENDED" : state,
        State: state,
        JoinedMethod: id === accountId ? "CREATED" : "INVITED",
        JoinedTimestamp: 1_700_000_000,
      };
    });
    const pages: (typeof listed)[] = [];
    for (let offset = 0; offset < listed.length; offset += pageSize) {
      pages.push(listed.slice(offset, offset + pageSize));
    }
    pages.splice(
      Math.max(0, pages.length - 1),
      0,
      ...Array.from({ length: options.organization?.emptyPages ?? 0 }, () => []),
    );
    const index = typeof body.NextToken === "string" ? Number(atob(body.NextToken)) : 0;
    if (!Number.isInteger(index) || index < 0 || index >= Math.max(1, pages.length)) {
      throw new EmulatorError("InvalidInputException", 400, "Invalid NextToken");
    }
    return {
      Accounts: pages[index] ?? [],
      ...(index + 1 < pages.length ? { NextToken: btoa(String(index + 1)) } : {}),
    };
  }

  function queryResponse(
    service: string,
    parameters: URLSearchParams,
    region: string,
    caller: { account: string; arn: string },
  ): Response {
    const action = parameters.get("Action") ?? "";
    if (service === "sts" && action === "AssumeRole") return assumeRole(parameters, caller);
    if (service === "sts" && action === "GetCallerIdentity") {
      return xmlResponse(
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
          `<Arn>${xml(caller.arn)}</Arn><UserId>AIDAEMULATED</UserId><Account>${xml(caller.account)}</Account>` +
          `</GetCallerIdentityResult><ResponseMetadata><RequestId>${crypto.randomUUID()}</RequestId>` +
          `</ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }
    if (service === "ec2" && action === "DescribeRegions") {
      const items = (accounts.get(caller.account)?.regions ?? []).map((name) =>
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

  // `partition` is `<account>/<region>`: a token of one account's region is invalid in any other.
  function nextToken(partition: string, queryKey: string, offset: number): string {
    return btoa(
      JSON.stringify({ region: partition, queryKey, offset, generation: tokenGenerations.get(partition) ?? 0 }),
    );
  }

  function offsetOfToken(token: string, partition: string, queryKey: string): number {
    try {
      const parsed = JSON.parse(atob(token));
      if (
        parsed.region === partition && parsed.queryKey === queryKey &&
        parsed.generation === (tokenGenerations.get(partition) ?? 0) && Number.isInteger(parsed.offset)
      ) return parsed.offset;
    } catch {
      // Not one of ours: answered below like AWS does.
    }
    throw new EmulatorError("InvalidNextTokenException", 400, "Invalid NextToken");
  }

  async function lookupEvents(account: string, region: string, body: Record<string, unknown>, signal: AbortSignal) {
    const partition = `${account}/${region}`;
    const regionStats = statsOf(region, account);
    const regionFaults = faultsOf(region, account);
    regionStats.requests += 1;
    regionStats.requestTimes.push(performance.now() - startedAt);
    regionStats.requestWindows.push({
      startMs: typeof body.StartTime === "number" ? body.StartTime * 1000 : null,
      endMs: typeof body.EndTime === "number" ? body.EndTime * 1000 : null,
      nextToken: typeof body.NextToken === "string",
    });
    emulator.onLookupEvents?.(region, regionStats.requests, account);

    if (quota !== null) {
      // The quota is per account and region.
      let bucket = buckets.get(partition);
      if (!bucket) buckets.set(partition, bucket = new QuotaBucket(quota.ratePerSecond, quota.burst));
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
        tokenGenerations.set(partition, (tokenGenerations.get(partition) ?? 0) + 1);
        regionStats.faults += 1;
      }
      offset = offsetOfToken(body.NextToken, partition, queryKey);
    }

    const all = accounts.get(account)?.sortedEvents.get(region) ?? [];
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
      ...(hasMore ? { NextToken: nextToken(partition, queryKey, offset + maxResults) } : {}),
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
      const caller = checkCredentials(scope.accessKeyId, service, request);
      if (service === "s3" && options.s3) return await options.s3.handle(request);
      if (service === "athena" && options.athena) return await options.athena.handle(request);
      if (queryProtocol) {
        const parameters = new URLSearchParams(await request.text());
        return queryResponse(service, parameters, scope.region, caller);
      }
      if (service === "organizations") {
        return jsonResponse(organizationsResponse(target, JSON.parse(await request.text() || "{}"), caller));
      }
      if (service === "cloudtrail" && target.endsWith(".LookupEvents")) {
        inFlight += 1;
        maxConcurrentRequests = Math.max(maxConcurrentRequests, inFlight);
        // A hanging request is let go when the emulator closes; the client has given up by then.
        const controller = new AbortController();
        hangingRequests.add(controller);
        try {
          const body = JSON.parse(await request.text() || "{}");
          return jsonResponse(await lookupEvents(caller.account, scope.region, body, controller.signal));
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
    assumeRoleCalls,
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
    addEvents(region, added) {
      const account = accounts.get(accountId)!;
      account.sortedEvents.set(region, sortNewestFirst([...(account.sortedEvents.get(region) ?? []), ...added]));
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
