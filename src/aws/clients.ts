/**
 * Adapters from the AWS SDK v3 to our own narrow interfaces: the only place that
 * knows SDK types. Everything else sees {@link AccountApi} and {@link EventHistoryApi}.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { EC2Client } from "@aws-sdk/client-ec2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { getHomeDir, loadSharedConfigFiles } from "@smithy/shared-ini-file-loader";
import { join } from "node:path";
import { StandardRetryStrategy } from "@smithy/util-retry";
import { checkProfileChain, explainCredentialError, type ProfileInUse } from "./credential_errors.ts";
import { createTrailBucketApi, endpointConfigured, type TrailBucketApi } from "./trail_bucket.ts";
import { type AthenaApi, createAthenaApi } from "./athena_api.ts";
import { PROGRAM_NAME, VERSION } from "../version.ts";
import { RenewingCredentials } from "./renewing_credentials.ts";

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
  /** S3 reads of one trail bucket, in the home region (the SDK follows a redirect to the bucket's region). */
  trailBucket(bucket: string): TrailBucketApi;
  /** Athena in the home region (queries run where the table's catalog is). */
  athena(): AthenaApi;
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
  /** Act as this role (another account's), assumed with the caller's credentials; undefined: as the caller. */
  assumeRole?: AssumeRoleTarget | undefined;
}

/** A role to assume in another account (sts:AssumeRole). */
export interface AssumeRoleTarget {
  roleArn: string;
  /** Shows in the target account's CloudTrail as the session of the role. */
  sessionName: string;
  externalId?: string | undefined;
}

/** One account of an organization, from Organizations ListAccounts. */
export interface OrganizationAccount {
  id: string;
  name: string;
  /** `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`, ... (the account's State, else its older Status). */
  state: string;
}

/** Organizations calls, made with the caller's credentials (the management or a delegated administrator account). */
export interface OrganizationApi {
  /** DescribeOrganization: the management account's id. */
  managementAccountId(signal?: AbortSignal): Promise<string>;
  /** ListAccounts, every page (a page may be empty before the last). */
  listAccounts(signal?: AbortSignal): Promise<OrganizationAccount[]>;
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
  const profileInUse = profileOf(options.profile);
  if (profileInUse !== undefined) await assertProfileExists(profileInUse);
  const profileOption = options.profile === undefined ? {} : { profile: options.profile };
  let credentials: CredentialProvider = fromNodeProviderChain(profileOption);
  const clientSettings = () => sharedClientSettings(options, credentials);
  const homeRegion = options.homeRegion ??
    await configuredRegion(profileOption) ?? FALLBACK_HOME_REGION;
  // An assumed role signs with keys from sts:AssumeRole (signed with the caller's), renewed before they expire;
  // they are obtained here, so a role that cannot be assumed fails this call, naming sts:AssumeRole.
  const role = options.assumeRole === undefined
    ? undefined
    : await assumedRole(options.assumeRole, new STSClient({ ...clientSettings(), region: homeRegion }));
  if (role !== undefined) credentials = () => role.current();
  const sts = new STSClient({ ...clientSettings(), region: homeRegion });
  // The EC2 and CloudTrail clients are loaded on first use: a run over trail files or Athena never needs them,
  // and the EC2 client alone holds about 40 MB once loaded.
  let ec2: EC2Client | undefined;
  const cloudTrailClients = new Map<string, CloudTrailClient>();

  const cloudTrailClient = (cloudTrail: CloudTrailModule, region: string): CloudTrailClient => {
    let client = cloudTrailClients.get(region);
    if (client === undefined) {
      client = new cloudTrail.CloudTrailClient({ ...clientSettings(), region });
      cloudTrailClients.set(region, client);
    }
    return client;
  };

  return {
    account: {
      async callerIdentity(signal) {
        try {
          const output = await sts.send(new GetCallerIdentityCommand({}), abortOptions(signal));
          return { accountId: output.Account ?? "", arn: output.Arn ?? "" };
        } catch (error) {
          throw explainCredentialError(error, profileInUse);
        }
      },
      async enabledRegions(signal) {
        const { DescribeRegionsCommand, EC2Client } = await import("@aws-sdk/client-ec2");
        ec2 ??= new EC2Client({ ...clientSettings(), region: homeRegion });
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
          const cloudTrail = await import("@aws-sdk/client-cloudtrail");
          const command = new cloudTrail.LookupEventsCommand({
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
          const output = await cloudTrailClient(cloudTrail, region).send(command, abortOptions(signal));
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
    trailBucket(bucket) {
      return createTrailBucketApi(
        bucket,
        { ...clientSettings(), region: homeRegion },
        endpointConfigured((name) => Deno.env.get(name)),
      );
    },
    athena() {
      return createAthenaApi(
        { ...clientSettings(), region: homeRegion },
        endpointConfigured((name) => Deno.env.get(name)),
      );
    },
    refreshCredentials() {
      // ignoreCache: read the shared files again, in case the user (or a tool) renewed the keys there.
      if (role === undefined) credentials = fromNodeProviderChain({ ...profileOption, ignoreCache: true });
      else role.invalidate();
      for (const client of cloudTrailClients.values()) client.destroy();
      cloudTrailClients.clear();
    },
  };
}

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;
type CloudTrailModule = typeof import("@aws-sdk/client-cloudtrail");

/** The settings every SDK client of ours shares. */
function sharedClientSettings(options: AwsClientOptions, credentials: CredentialProvider) {
  return {
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    credentials,
    customUserAgent: `${PROGRAM_NAME}/${VERSION}`,
    maxAttempts: SDK_MAX_ATTEMPTS,
    retryStrategy: new TransientFaultRetryStrategy(SDK_MAX_ATTEMPTS),
    requestHandler: { requestTimeout: options.requestTimeoutMilliseconds },
  };
}

/** Assumes the role once now (so a denial surfaces here) and renews it before expiry from then on. */
async function assumedRole(target: AssumeRoleTarget, sts: STSClient): Promise<RenewingCredentials> {
  const role = new RenewingCredentials(async () => {
    const output = await sts.send(
      new AssumeRoleCommand({
        RoleArn: target.roleArn,
        RoleSessionName: target.sessionName,
        ...(target.externalId === undefined ? {} : { ExternalId: target.externalId }),
      }),
    );
    const keys = output.Credentials;
    if (!keys?.AccessKeyId || !keys.SecretAccessKey || !keys.SessionToken || !keys.Expiration) {
      throw new Error(`sts:AssumeRole of ${target.roleArn} returned no credentials`);
    }
    return {
      accessKeyId: keys.AccessKeyId,
      secretAccessKey: keys.SecretAccessKey,
      sessionToken: keys.SessionToken,
      expiration: keys.Expiration,
    };
  }, Date.now); // The SDK decides when to ask again by Date.now too: both must read the same clock.
  await role.current();
  return role;
}

/**
 * Builds the real SDK-backed {@link OrganizationApi}, signed with the caller's credentials.
 * Organizations has one endpoint per partition; the SDK picks it from the home region.
 */
export async function createOrganizationApi(options: AwsClientOptions): Promise<OrganizationApi> {
  const profileInUse = profileOf(options.profile);
  if (profileInUse !== undefined) await assertProfileExists(profileInUse);
  const profileOption = options.profile === undefined ? {} : { profile: options.profile };
  const homeRegion = options.homeRegion ?? await configuredRegion(profileOption) ?? FALLBACK_HOME_REGION;
  // Loaded here, not at start-up: only organization runs call Organizations.
  const { DescribeOrganizationCommand, ListAccountsCommand, OrganizationsClient } = await import(
    "@aws-sdk/client-organizations"
  );
  const organizations = new OrganizationsClient({
    ...sharedClientSettings(options, fromNodeProviderChain(profileOption)),
    region: homeRegion,
  });
  return {
    async managementAccountId(signal) {
      const output = await organizations.send(new DescribeOrganizationCommand({}), abortOptions(signal));
      const id = output.Organization?.MasterAccountId;
      if (!id) throw new Error("DescribeOrganization returned no management account");
      return id;
    },
    async listAccounts(signal) {
      const accounts: OrganizationAccount[] = [];
      let nextToken: string | undefined;
      // Organizations may answer empty pages that still carry a NextToken: only a missing token ends the list.
      do {
        const output = await organizations.send(
          new ListAccountsCommand(nextToken === undefined ? {} : { NextToken: nextToken }),
          abortOptions(signal),
        );
        for (const account of output.Accounts ?? []) {
          if (!account.Id) continue;
          accounts.push({ id: account.Id, name: account.Name ?? "", state: account.State ?? account.Status ?? "" });
        }
        nextToken = output.NextToken || undefined;
      } while (nextToken !== undefined);
      return accounts;
    },
  };
}

function abortOptions(
  signal: AbortSignal | undefined,
): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

/** The profile the SDK will use: `--profile`, else `AWS_PROFILE` (which the SDK reads itself). */
function profileOf(flag: string | undefined): ProfileInUse | undefined {
  if (flag !== undefined) return { name: flag, from: "--profile" };
  const fromEnvironment = Deno.env.get("AWS_PROFILE");
  return fromEnvironment ? { name: fromEnvironment, from: "AWS_PROFILE" } : undefined;
}

/**
 * Fails early and by name for a profile (or a `source_profile` it leads to) that is in neither file:
 * the SDK would only say it could not load credentials from any provider.
 */
async function assertProfileExists(profile: ProfileInUse): Promise<void> {
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ignoreCache: true });
  const home = getHomeDir();
  checkProfileChain(profile, {
    config: configFile,
    credentials: credentialsFile,
    configPath: Deno.env.get("AWS_CONFIG_FILE") || join(home, ".aws", "config"),
    credentialsPath: Deno.env.get("AWS_SHARED_CREDENTIALS_FILE") || join(home, ".aws", "credentials"),
  });
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
