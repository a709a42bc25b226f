/**
 * A large summary for the HTML report's tests and bench: `principalCount` principals with about ten
 * keys each over the five sections (10,000 principals → about 100,000 keys), a principals section
 * and findings. Numbers come from a fixed-seed generator, so every run is the same.
 */
import type { Summary } from "../../src/summary/types.ts";

const SERVICES = ["iam", "ec2", "s3", "sts", "lambda", "kms", "logs", "cloudtrail"];
const REGIONS = ["us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const SEVERITIES = ["critical", "high", "medium", "low"] as const;

/** The summary; every principal has five API calls, two IP addresses, two user agents and one error code. */
export function largeSummary(principalCount: number): Summary {
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const count = () => 1 + Math.floor(random() ** 3 * 400);
  const summary: Summary = {
    _metadata: {
      account_id: "123456789012",
      account_principal: "arn:aws:iam::123456789012:user/bench",
      activity_type: "ALL",
      cloudtrail_data_analyzed: { from_timestamp: "20250101000000", to_timestamp: "20250115000000" },
      invocation: "bench",
      regions_enabled: REGIONS,
      regions_failed: {},
      regions_read: REGIONS,
      run_timestamp: "20250115000000",
      incomplete: false,
    },
    api_calls_by_principal: {},
    api_calls_by_region: {},
    error_codes_by_principal: {},
    ip_addresses_by_principal: {},
    user_agents_by_principal: {},
  };
  const principals: Record<string, unknown> = {};
  const findings: unknown[] = [];
  for (let index = 0; index < principalCount; index++) {
    const principal = index % 4 === 0
      ? `123456789012:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/user${index}@example.com`
      : `123456789012:user/deploy-bot-${index}`;
    const calls: Record<string, number> = {};
    for (let key = 0; key < 5; key++) {
      calls[`${SERVICES[(index + key) % SERVICES.length]}.amazonaws.com:Operation${(index * 5 + key) % 977}`] = count();
    }
    summary.api_calls_by_principal[principal] = calls;
    summary.ip_addresses_by_principal[principal] = {
      [`198.51.100.${index % 250}`]: count(),
      [`203.0.113.${index % 199}`]: count(),
    };
    summary.user_agents_by_principal[principal] = {
      [`aws-cli/2.${index % 30}.0 Python/3.11 Linux/6.1 exe/x86_64 prompt/off command/s3.ls`]: count(),
      [`Boto3/1.34.${index % 90} md/Botocore#1.34 ua/2.0 os/linux lang/python#3.12 exec-env/AWS_Lambda`]: count(),
    };
    summary.error_codes_by_principal[principal] = { [`iam.amazonaws.com:AccessDenied${index % 3}`]: count() };
    const total = Object.values(calls).reduce((sum, value) => sum + value, 0);
    principals[principal] = {
      first_seen: "2025-01-01T00:00:00Z",
      last_seen: `2025-01-${String(1 + (index % 14)).padStart(2, "0")}T12:00:00Z`,
      total_calls: total,
      failed_calls: Math.floor(total / 10),
      distinct_regions: 1 + (index % REGIONS.length),
      distinct_source_ips: 2,
    };
    if (index % 10 === 0) {
      findings.push({
        rule: "iam-create-access-key",
        severity: SEVERITIES[index % 4],
        principal,
        api_call: "iam.amazonaws.com:CreateAccessKey",
        description: "New long-term credentials for a user",
        count: 1 + (index % 5),
        first_seen: "2025-01-02T00:00:00Z",
        last_seen: "2025-01-03T00:00:00Z",
      });
    }
  }
  for (const region of REGIONS) {
    summary.api_calls_by_region[region] = Object.fromEntries(
      Array.from({ length: 200 }, (_, key) => [`ec2.amazonaws.com:Operation${key}`, count()]),
    );
  }
  summary.principals = principals;
  summary.findings = findings;
  return summary;
}
