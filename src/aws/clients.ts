/**
 * Adapters from the AWS SDK v3 to our own narrow interfaces: the only place that
 * knows SDK types. Everything else sees {@link AccountApi} and {@link EventHistoryApi}.
 */
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { CannotRunError } from "../errors.ts";
import { PROGRAM_NAME, VERSION } from "../version.ts";

/** The caller's account, from STS GetCallerIdentity. */
export interface CallerIdentity {
  accountId: string;
  arn: string;
}

/** Account-wide calls, made in the home region. */
export interface AccountApi {
  /** STS GetCallerIdentity. */
  callerIdentity(signal?: AbortSignal): Promise<CallerIdentity>;
  /** EC2 DescribeRegions with AllRegions=false: the enabled regions, sorted. */
  enabledRegions(signal?: AbortSignal): Promise<string[]>;
}

/** One LookupAttribute filter (the API allows one). */
export interface LookupAttribute {
  key: string;
  value: string;
}

/** One LookupEvents request. */
export interface LookupEventsRequest {
  startTime: Date;
  endTime: Date;
  nextToken?: string | undefined;
  lookupAttribute?: LookupAttribute | undefined;
}

/** One event of a LookupEvents page, as far as we use it. */
export interface LookupEventsItem {
  eventId: string | undefined;
  eventTime: Date | undefined;
  cloudTrailEvent: string | undefined;
}

/** One LookupEvents page. */
export interface LookupEventsPage {
  events: LookupEventsItem[];
  nextToken: string | undefined;
}

/** How one LookupEvents call runs. */
export interface LookupEventsCallOptions {
  signal?: AbortSignal | undefined;
  /**
   * Awaited right before each HTTP attempt goes out (the SDK's own retries of
   * transient faults included): the quota counts every request, so pacing sits
   * at the wire, where client set-up and signing no longer skew the spacing.
   */
  beforeEachAttempt?: (() => Promise<void>) | undefined;
}

/** CloudTrail event history of one region. */
export interface EventHistoryApi {
  /** One LookupEvents call (MaxResults 50). */
  lookupEvents(request: LookupEventsRequest, options?: LookupEventsCallOptions): Promise<LookupEventsPage>;
}

/** All AWS access the program needs. */
export interface AwsApis {
  /** Account-wide calls in the home region. */
  readonly account: AccountApi;
  /** The event history of `region`. */
  eventHistory(region: string): EventHistoryApi;
  /**
   * Resolves credentials anew through the provider chain (after `ExpiredTokenException`):
   * clients made from now on sign with the new credentials.
   */
  refreshCredentials(): void;
}

/** How the SDK clients are set up. */
export interface AwsClientOptions {
  /** Named profile, or the default chain when undefined. */
  profile?: string | undefined;
  /** Region for STS and EC2 calls; undefined: from the AWS config/env, else us-east-1. */
  homeRegion?: string | undefined;
  /** Time limit of one HTTP attempt. */
  requestTimeoutMilliseconds: number;
}

const FALLBACK_HOME_REGION = "us-east-1";
const SDK_MAX_ATTEMPTS = 3;

/**
 * Retries transient faults with the SDK's standard strategy, but never throttling:
 * the SDK's retry allowance runs dry under sustained throttling, so pacing is ours.
 */
class TransientFaultRetryStrategy extends StandardRetryStrategy {
  override refreshRetryTokenForRetry(
    ...[token, errorInfo]: Parameters<
      StandardRetryStrategy["refreshRetryTokenForRetry"]
    >
  ): ReturnType<StandardRetryStrategy["refreshRetryTokenForRetry"]> {
    if (errorInfo.errorType === "THROTTLING") {
      return Promise.reject(
        new Error("Throttling is paced by the caller, not retried by the SDK"),
      );
    }
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}

/**
 * Builds the real SDK-backed {@link AwsApis}. The standard `AWS_ENDPOINT_URL` and
 * `AWS_ENDPOINT_URL_<SERVICE>` variables are honoured by the SDK itself.
 */
export async function createAwsApis(
  options: AwsClientOptions,
): Promise<AwsApis> {
  if (options.profile !== undefined) await assertProfileExists(options.profile);
  const profileOption = options.profile === undefined ? {} : { profile: options.profile };
  let credentials = fromNodeProviderChain(profileOption);
  const clientSettings = () => ({
    ...profileOption,
    credentials,
    customUserAgent: `${PROGRAM_NAME}/${VERSION}`,
    maxAttempts: SDK_MAX_ATTEMPTS,
    retryStrategy: new TransientFaultRetryStrategy(SDK_MAX_ATTEMPTS),
    requestHandler: { requestTimeout: options.requestTimeoutMilliseconds },
  });
  const homeRegion = options.homeRegion ??
    await configuredRegion(profileOption) ?? FALLBACK_HOME_REGION;
  const sts = new STSClient({ ...clientSettings(), region: homeRegion });
  const ec2 = new EC2Client({ ...clientSettings(), region: homeRegion });
  const cloudTrailClients = new Map<string, CloudTrailClient>();

  const cloudTrailClient = (region: string): CloudTrailClient => {
    let client = cloudTrailClients.get(region);
    if (client === undefined) {
      client = new CloudTrailClient({ ...clientSettings(), region });
      cloudTrailClients.set(region, client);
    }
    return client;
  };

  return {
    account: {
      async callerIdentity(signal) {
        const output = await sts.send(
          new GetCallerIdentityCommand({}),
          abortOptions(signal),
        );
        return { accountId: output.Account ?? "", arn: output.Arn ?? "" };
      },
      async enabledRegions(signal) {
        const output = await ec2.send(
          new DescribeRegionsCommand({ AllRegions: false }),
          abortOptions(signal),
        );
        return (output.Regions ?? [])
          .filter((region) => region.OptInStatus !== "not-opted-in")
          .map((region) => region.RegionName)
          .filter((name): name is string => typeof name === "string" && name !== "")
          .sort();
      },
    },
    eventHistory(region) {
      return {
        async lookupEvents(request, { signal, beforeEachAttempt } = {}) {
          const command = new LookupEventsCommand({
            StartTime: request.startTime,
            EndTime: request.endTime,
            MaxResults: 50,
            ...(request.nextToken === undefined ? {} : { NextToken: request.nextToken }),
            ...(request.lookupAttribute === undefined ? {} : {
              LookupAttributes: [{
                // The SDK's enum type; the CLI validated the key against the same list.
                AttributeKey: request.lookupAttribute.key as "EventName",
                AttributeValue: request.lookupAttribute.value,
              }],
            }),
          });
          if (beforeEachAttempt !== undefined) {
            // The deserialize step runs once per HTTP attempt, inside the SDK's retry loop.
            command.middlewareStack.add((next) => async (args) => {
              await beforeEachAttempt();
              return next(args);
            }, { step: "deserialize", name: "paceEachAttempt" });
          }
          const output = await cloudTrailClient(region).send(command, abortOptions(signal));
          return {
            events: (output.Events ?? []).map((event) => ({
              eventId: event.EventId,
              eventTime: event.EventTime,
              cloudTrailEvent: event.CloudTrailEvent,
            })),
            nextToken: output.NextToken || undefined,
          };
        },
      };
    },
    refreshCredentials() {
      // ignoreCache: read the shared files again, in case the user (or a tool) renewed the keys there.
      credentials = fromNodeProviderChain({ ...profileOption, ignoreCache: true });
      for (const client of cloudTrailClients.values()) client.destroy();
      cloudTrailClients.clear();
    },
  };
}

function abortOptions(
  signal: AbortSignal | undefined,
): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

/**
 * Fails early and by name for a profile that is in neither file: the SDK would
 * only say it could not load credentials from any provider.
 */
async function assertProfileExists(profile: string): Promise<void> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  if (profile in configFile || profile in credentialsFile) return;
  throw new CannotRunError(
    `Cannot use profile '${profile}': it is in neither the AWS config file nor the credentials file`,
  );
}

/** The region the AWS config or environment names, if any (the SDK's own resolution). */
async function configuredRegion(
  profileOption: { profile?: string },
): Promise<string | undefined> {
  const probe = new STSClient(profileOption);
  try {
    return await probe.config.region();
  } catch {
    // No region configured anywhere: the caller falls back to us-east-1.
    return undefined;
  } finally {
    probe.destroy();
  }
}
