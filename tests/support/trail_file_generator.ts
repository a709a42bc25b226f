/**
 * Generated CloudTrail log files for benchmarks: realistic shapes (~1.6 KB a record with request
 * and response elements, several identity types, errors, data events), gzipped like CloudTrail's
 * own files, named and foldered as a trail delivers them. Deterministic for a given seed.
 */
import { gzipSync } from "node:zlib";

/** What to generate. */
export interface GeneratedTrailOptions {
  files: number;
  recordsPerFile: number;
  /** Accounts of the organization (keys and records); the first is the management account. */
  accounts: readonly string[];
  regions: readonly string[];
  /** Delivery time of the first file; the others follow every `spacingMs`. */
  firstDeliveryMs: number;
  spacingMs: number;
  organizationId: string;
}

/** One generated file: its key in the trail's layout and its gzipped bytes. */
export interface GeneratedTrailFile {
  key: string;
  bytes: Uint8Array;
  records: number;
}

const IDENTITIES = (account: string, index: number) => [
  {
    type: "IAMUser",
    principalId: `AIDA${account}EXAMPLE${index % 5}`,
    arn: `arn:aws:iam::${account}:user/engineer-${index % 5}`,
    accountId: account,
    accessKeyId: `AKIA${account.slice(0, 8)}${index % 5}XMPL`,
    userName: `engineer-${index % 5}`,
  },
  {
    type: "AssumedRole",
    principalId: `AROA${account}EXAMPLE:session-${index % 17}`,
    arn: `arn:aws:sts::${account}:assumed-role/${["Deploy", "ReadOnly", "Admin"][index % 3]}/session-${index % 17}`,
    accountId: account,
    accessKeyId: `ASIA${account.slice(0, 8)}${index % 9}XMPL`,
    sessionContext: {
      sessionIssuer: {
        type: "Role",
        principalId: `AROA${account}EXAMPLE`,
        arn: `arn:aws:iam::${account}:role/${["Deploy", "ReadOnly", "Admin"][index % 3]}`,
        accountId: account,
        userName: ["Deploy", "ReadOnly", "Admin"][index % 3],
      },
      attributes: { creationDate: "2026-11-01T09:00:00Z", mfaAuthenticated: "false" },
    },
  },
  { type: "AWSService", invokedBy: ["ec2.amazonaws.com", "lambda.amazonaws.com", "config.amazonaws.com"][index % 3] },
  {
    type: "Root",
    principalId: account,
    arn: `arn:aws:iam::${account}:root`,
    accountId: account,
    accessKeyId: "",
  },
];

const CALLS: [string, string, boolean][] = [
  ["ec2.amazonaws.com", "DescribeInstances", true],
  ["s3.amazonaws.com", "ListBuckets", true],
  ["iam.amazonaws.com", "ListRoles", true],
  ["sts.amazonaws.com", "AssumeRole", false],
  ["lambda.amazonaws.com", "Invoke", false],
  ["kms.amazonaws.com", "Decrypt", true],
  ["logs.amazonaws.com", "CreateLogStream", false],
  ["iam.amazonaws.com", "CreateAccessKey", false],
];

/** A small seeded generator (xorshift32): the same files every run. */
class Random {
  #state: number;
  constructor(seed: number) {
    this.#state = seed || 1;
  }
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
  hex(length: number): string {
    let text = "";
    while (text.length < length) text += this.next().toString(16).padStart(8, "0");
    return text.slice(0, length);
  }
}

const uuid = (random: Random) => {
  const hex = random.hex(32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
};

function record(
  index: number,
  account: string,
  region: string,
  timeMs: number,
  random: Random,
): Record<string, unknown> {
  const identities = IDENTITIES(account, index);
  const picked = identities[index % 11 === 0 ? 3 : index % 3]!;
  // Temporary keys differ per session, as in real trails.
  const identity = picked.type === "AssumedRole"
    ? { ...picked, accessKeyId: `ASIA${random.hex(16).toUpperCase()}` }
    : picked;
  const dataEvent = index % 10 === 9;
  const [eventSource, eventName, readOnly] = dataEvent
    ? ["s3.amazonaws.com", "GetObject", true] as const
    : CALLS[index % CALLS.length]!;
  const failed = index % 13 === 0;
  return {
    eventVersion: "1.10",
    userIdentity: identity,
    eventTime: new Date(timeMs).toISOString().slice(0, 19) + "Z",
    eventSource,
    eventName,
    awsRegion: region,
    sourceIPAddress: identity.type === "AWSService"
      ? (identity.invokedBy as string)
      : `203.0.${random.next() % 4}.${random.next() % 250}`,
    userAgent: [
      "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe command/ec2.describe-instances",
      "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
      "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/s3#1.53.0",
      "console.amazonaws.com",
    ][index % 4],
    ...(failed
      ? {
        errorCode: index % 26 === 0 ? "AccessDenied" : "Client.UnauthorizedOperation",
        errorMessage:
          `User: arn:aws:sts::${account}:assumed-role/ReadOnly/session-${index % 17} is not authorized to perform: ` +
          `${eventSource.split(".")[0]}:${eventName} on resource: arn:aws:${
            eventSource.split(".")[0]
          }:${region}:${account}:*`,
      }
      : {}),
    requestParameters: dataEvent
      ? {
        bucketName: `data-${account}`,
        Host: `data-${account}.s3.${region}.amazonaws.com`,
        key: `exports/${index}.csv`,
      }
      : {
        instancesSet: { items: [1, 2, 3].map(() => ({ instanceId: `i-${random.hex(17)}` })) },
        filterSet: { items: [{ name: "instance-state-name", valueSet: { items: [{ value: "running" }] } }] },
        maxResults: 1000,
        clientToken: uuid(random),
        roleArn: `arn:aws:iam::${account}:role/Deploy`,
        roleSessionName: `session-${random.hex(8)}`,
        durationSeconds: 3600,
      },
    responseElements: failed || readOnly ? null : {
      credentials: {
        accessKeyId: `ASIA${account.slice(0, 8)}${index % 9}XMPL`,
        sessionToken: `REDACTED${random.hex(56)}`,
        expiration: "Nov 1, 2026, 11:00:00 AM",
      },
      assumedRoleUser: { assumedRoleId: `AROA${account}:session-${index % 17}`, arn: `arn:aws:sts::${account}:x` },
    },
    additionalEventData: dataEvent
      ? {
        SignatureVersion: "SigV4",
        CipherSuite: "TLS_AES_128_GCM_SHA256",
        bytesTransferredIn: 0,
        AuthenticationMethod: "AuthHeader",
        "x-amz-id-2": random.hex(76),
        bytesTransferredOut: 4096,
      }
      : undefined,
    requestID: uuid(random),
    eventID: uuid(random),
    readOnly,
    resources: [{ accountId: account, type: "AWS::IAM::Role", ARN: `arn:aws:iam::${account}:role/Deploy` }],
    eventType: "AwsApiCall",
    managementEvent: !dataEvent,
    recipientAccountId: account,
    eventCategory: dataEvent ? "Data" : "Management",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: `${eventSource.split(".")[0]}.${region}.amazonaws.com`,
    },
  };
}

function twoDigits(value: number): string {
  return String(value).padStart(2, "0");
}

/** The files, one at a time (so a million records never sit in memory at once). */
export function* generateTrailFiles(options: GeneratedTrailOptions): Generator<GeneratedTrailFile> {
  let recordIndex = 0;
  const random = new Random(20261101);
  for (let file = 0; file < options.files; file++) {
    const account = options.accounts[file % options.accounts.length]!;
    const region = options.regions[Math.floor(file / options.accounts.length) % options.regions.length]!;
    const deliveryMs = options.firstDeliveryMs + file * options.spacingMs;
    const records = Array.from({ length: options.recordsPerFile }, (_, offset) => {
      // Events fall in the five minutes before delivery, oldest first.
      const timeMs = deliveryMs - 300_000 + Math.floor((offset * 299_000) / options.recordsPerFile);
      return record(recordIndex++, account, region, timeMs, random);
    });
    const date = new Date(deliveryMs);
    const day = `${date.getUTCFullYear()}/${twoDigits(date.getUTCMonth() + 1)}/${twoDigits(date.getUTCDate())}`;
    const stamp = `${day.replaceAll("/", "")}T${twoDigits(date.getUTCHours())}${twoDigits(date.getUTCMinutes())}Z`;
    const unique = (file * 7919).toString(36).padStart(16, "0").slice(-16);
    yield {
      key: `AWSLogs/${options.organizationId}/${account}/CloudTrail/${region}/${day}/` +
        `${account}_CloudTrail_${region}_${stamp}_${unique}.json.gz`,
      bytes: gzipSync(JSON.stringify({ Records: records })),
      records: records.length,
    };
  }
}
