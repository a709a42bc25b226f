/**
 * The organization roll-up: every account's records counted once more into one summary with the
 * same sections (principal keys carry the account already), principals, findings and a risk top
 * list across the organization, and `_metadata.accounts` telling how each account ended.
 */
import { FindingsCollector } from "../findings/findings.ts";
import { PrincipalActivity } from "../findings/principals.ts";
import { SummaryAggregator } from "../summary/aggregate.ts";
import type { ActivityObserver } from "../summary/summarizer.ts";
import type { ActivityRecord, Summary, SummaryMetadata } from "../summary/types.ts";
import { summaryBody } from "./summary_body.ts";

/** How one account of an organization run ended, as `_metadata.accounts[<id>]` holds it. */
export interface AccountOutcome {
  name: string;
  /** `complete`; `partial` (summary written, some regions failed); `failed` (no summary); `skipped`; `interrupted`. */
  status: "complete" | "partial" | "failed" | "skipped" | "interrupted";
  /** `failed`: the AWS error code, the call that failed and the message (with a hint when we know one). */
  error_code?: string;
  failed_call?: string;
  error?: string;
  /** `skipped`: why (`SUSPENDED`, `--skip-accounts`, ...). */
  skip_reason?: string;
  /** How it was read: `caller` (own credentials) or the role ARN assumed. */
  read_as?: string;
  regions_failed?: Record<string, string>;
  records_read?: number;
  records_counted?: number;
  /** The account's own summary file (its name, in the same folder). */
  summary_file?: string;
}

/** The account's own summary, the part the roll-up adds up. */
export type AccountSummaryMetadata =
  & Pick<
    SummaryMetadata,
    "regions_enabled" | "regions_failed"
  >
  & {
    regions_read?: unknown;
    records_read?: unknown;
    records_counted?: unknown;
    records_unreadable?: unknown;
    records_with_unrecognized_identity?: unknown;
    incomplete?: unknown;
  };

const RECORD_COUNTS = [
  "records_read",
  "records_counted",
  "records_unreadable",
  "records_with_unrecognized_identity",
] as const;

/** What the roll-up's `_metadata` says beyond the counts. */
export interface RollupDescription {
  managementAccountId: string;
  callerArn: string;
  base: Pick<SummaryMetadata, "activity_type" | "cloudtrail_data_analyzed" | "invocation" | "run_timestamp">;
  /** Extra `_metadata` keys every summary of the run carries (`lookup_attribute`). */
  extra: Record<string, unknown>;
  accounts: Record<string, AccountOutcome>;
  /** The `_metadata` of every account summary written, by account id. */
  accountSummaries: ReadonlyMap<string, AccountSummaryMetadata>;
}

/**
 * Sees every counted record of every account (an observer of each account's summarizer) and builds
 * the roll-up summary: the sections and principals are exactly the sum of the accounts'.
 */
export class OrganizationRollup implements ActivityObserver {
  readonly #aggregator = new SummaryAggregator();
  readonly #principals = new PrincipalActivity();
  readonly #findings: FindingsCollector;

  /** @param findingsSettings what each account's findings are made with (thresholds, Sigma rules) */
  constructor(...findingsSettings: ConstructorParameters<typeof FindingsCollector>) {
    this.#findings = new FindingsCollector(...findingsSettings);
  }

  /** Counts one record of any account. */
  observe(activity: ActivityRecord): void {
    this.#aggregator.add(activity);
    this.#principals.observe(activity);
    this.#findings.observe(activity);
  }

  /** The roll-up summary. */
  summary(description: RollupDescription): Summary {
    const findings = this.#findings.findings();
    return {
      _metadata: { ...rollupMetadata(description), ...description.extra },
      ...summaryBody(this.#aggregator.sections(), this.#principals.section(), findings),
    };
  }
}

/**
 * The roll-up's `_metadata`. Regions are named `<account>:<region>` in `regions_read` and
 * `regions_failed`; `regions_enabled` is every region enabled in any account read. Pure.
 */
export function rollupMetadata(description: RollupDescription): SummaryMetadata {
  const enabled = new Set<string>();
  const read: string[] = [];
  const failed: Record<string, string> = {};
  const counts = Object.fromEntries(RECORD_COUNTS.map((key) => [key, 0])) as Record<
    typeof RECORD_COUNTS[number],
    number
  >;
  let incomplete = false;
  for (const [accountId, metadata] of [...description.accountSummaries].sort(([a], [b]) => (a < b ? -1 : 1))) {
    for (const region of metadata.regions_enabled ?? []) enabled.add(region);
    for (const region of Array.isArray(metadata.regions_read) ? metadata.regions_read : []) {
      read.push(`${accountId}:${region}`);
    }
    for (const [region, code] of Object.entries(metadata.regions_failed ?? {})) failed[`${accountId}:${region}`] = code;
    for (const key of RECORD_COUNTS) counts[key] += typeof metadata[key] === "number" ? metadata[key] as number : 0;
    if (metadata.incomplete === true) incomplete = true;
  }
  return {
    account_id: description.managementAccountId,
    account_principal: description.callerArn,
    ...description.base,
    organization_management_account_id: description.managementAccountId,
    accounts: description.accounts,
    regions_enabled: [...enabled].sort(),
    regions_read: read,
    regions_failed: failed,
    ...counts,
    incomplete: incomplete || Object.values(description.accounts).some((account) => account.status === "interrupted"),
  };
}
