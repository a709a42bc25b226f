/**
 * The `findings` section: sensitive calls, identity red flags and anomalies,
 * sorted by severity then count, and a risk score per principal. Pure; every
 * rule and threshold is documented in doc/findings.md.
 */
import sensitiveCalls from "./sensitive_calls.json" with { type: "json" };
import { isoTimestamp } from "../summary/timestamps.ts";
import type { ActivityRecord } from "../summary/types.ts";
import { addSeen, compareFindings, type Finding, SEVERITIES, type Severity } from "./finding.ts";
import type { SigmaRuleSet } from "./sigma/rule_set.ts";
import { SigmaFindingsCollector, type SigmaOccurrences } from "./sigma/sigma_findings.ts";

export { addSeen, compareFindings, type Finding, type Seen, SEVERITIES, type Severity } from "./finding.ts";

/** Thresholds of the anomaly rules. */
export interface AnomalyThresholds {
  /** Calls by one principal within one minute. */
  callsPerMinute: number;
  /** Distinct source IP addresses of one principal. */
  sourceIps: number;
  /** Distinct user agents of one principal. */
  userAgents: number;
  /** AccessDenied-like errors of one principal within ten minutes. */
  deniedPerTenMinutes: number;
}

/** The default {@link AnomalyThresholds}. */
export const DEFAULT_THRESHOLDS: AnomalyThresholds = {
  callsPerMinute: 300,
  sourceIps: 10,
  userAgents: 10,
  deniedPerTenMinutes: 20,
};

/** Risk points a finding adds to its principal's score, by severity. */
export const RISK_WEIGHTS: Record<Severity, number> = { critical: 40, high: 15, medium: 5, low: 1 };

/** A principal's score never goes above this. */
export const MAXIMUM_RISK_SCORE = 100;

interface SensitiveCallRule {
  id: string;
  eventSource: string;
  eventName: string;
  severity: Severity;
  reason: string;
}

const RULES_BY_CALL = new Map(
  (sensitiveCalls.rules as SensitiveCallRule[]).map((rule) => [`${rule.eventSource}:${rule.eventName}`, rule]),
);

/** The sensitive-call rule of an API call (`<eventSource>:<eventName>`), if it has one. */
export function sensitiveCallRule(apiCall: string): Readonly<SensitiveCallRule> | undefined {
  return RULES_BY_CALL.get(apiCall);
}

/** The rules on who acted and how they signed in (also computed in SQL by src/athena). */
export const IDENTITY_RULES = {
  rootActivity: {
    rule: "root-activity",
    severity: "high",
    description: "The root user was used: it cannot be restricted by policies",
  },
  consoleLoginFailed: { rule: "console-login-failed", severity: "medium", description: "Failed console sign-in" },
  consoleLoginWithoutMfa: {
    rule: "console-login-without-mfa",
    severity: "high",
    description: "Console sign-in without MFA",
  },
} as const satisfies Record<string, { rule: string; severity: Severity; description: string }>;

/** Error codes that mean "not allowed", with or without the EC2 `Client.` prefix. */
const DENIED_CODES = /(^|:)(Client\.)?(AccessDenied|AccessDeniedException|UnauthorizedOperation|UnauthorizedAccess)$/;

const MINUTE = 60_000;
const TEN_MINUTES = 10 * MINUTE;

/** How often one rule fired for one principal and call (structured-cloneable). */
export interface Occurrences {
  rule: string;
  severity: Severity;
  principal: string;
  apiCall: string | null;
  description: string;
  count: number;
  firstMs: number | undefined;
  lastMs: number | undefined;
}

/** What the anomaly rules track per principal (structured-cloneable). */
export interface PrincipalTraits {
  sourceIps: Set<string>;
  userAgents: Set<string>;
  callsPerMinute: Map<number, number>;
  deniedPerTenMinutes: Map<number, number>;
}

/** Traits of a principal not seen yet. */
export function emptyTraits(): PrincipalTraits {
  return { sourceIps: new Set(), userAgents: new Set(), callsPerMinute: new Map(), deniedPerTenMinutes: new Map() };
}

function field(record: Readonly<Record<string, unknown>>, ...path: string[]): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A collector's mergeable state: occurrences by rule, principal and call; traits by principal; Sigma rules' occurrences. */
export interface FindingsState {
  occurrences: Map<string, Occurrences>;
  traits: Map<string, PrincipalTraits>;
  /** When Sigma rules run. */
  sigma?: ReadonlyMap<string, SigmaOccurrences>;
}

function addCounts(into: Map<number, number>, from: ReadonlyMap<number, number>): void {
  for (const [bucket, count] of from) into.set(bucket, (into.get(bucket) ?? 0) + count);
}

/** The highest count in any bucket, and that bucket's start. */
function busiest(buckets: Map<number, number>): [number, number] {
  let best: [number, number] = [0, 0];
  for (const [start, count] of buckets) {
    if (count > best[1] || (count === best[1] && start < best[0])) best = [start, count];
  }
  return best;
}

/**
 * Collects findings as records go by.
 * @example
 * ```ts
 * const collector = new FindingsCollector();
 * collector.observe(activity);
 * collector.findings(); // [{ rule: "cloudtrail-stop-logging", severity: "critical", ... }]
 * ```
 */
export class FindingsCollector {
  readonly #thresholds: AnomalyThresholds;
  readonly #occurrences = new Map<string, Occurrences>();
  readonly #traits = new Map<string, PrincipalTraits>();
  readonly #firedOnLastRecord: string[] = [];
  readonly #sigma: SigmaFindingsCollector | undefined;

  /**
   * @param sigmaRules Sigma rules to run too (doc/findings.md): their findings join ours, grouped with ours on the same records
   */
  constructor(thresholds: Partial<AnomalyThresholds> = {}, sigmaRules?: SigmaRuleSet) {
    this.#thresholds = { ...DEFAULT_THRESHOLDS, ...thresholds };
    this.#sigma = sigmaRules && new SigmaFindingsCollector(sigmaRules, () => this.#firedOnLastRecord);
  }

  /** Looks at one record. */
  observe(activity: ActivityRecord): void {
    this.#firedOnLastRecord.length = 0;
    const rule = RULES_BY_CALL.get(activity.apiCall);
    if (rule !== undefined && activity.successful) {
      this.#add(activity, rule.id, rule.severity, activity.apiCall, rule.reason);
    }
    const record = activity.record;
    if (field(record, "userIdentity", "type") === "Root" && field(record, "eventType") !== "AwsServiceEvent") {
      this.#addRule(activity, IDENTITY_RULES.rootActivity, null);
    }
    if (activity.apiCall === "signin.amazonaws.com:ConsoleLogin") {
      const failed = field(record, "responseElements", "ConsoleLogin") === "Failure" || !activity.successful;
      if (failed) {
        this.#addRule(activity, IDENTITY_RULES.consoleLoginFailed, activity.apiCall);
      } else if (field(record, "additionalEventData", "MFAUsed") === "No") {
        this.#addRule(activity, IDENTITY_RULES.consoleLoginWithoutMfa, activity.apiCall);
      }
    }
    this.#observeTraits(activity);
    // After our rules: a Sigma finding notes which of ours fired on the same record.
    this.#sigma?.observe(activity);
  }

  /** The collector's state, for {@link FindingsCollector.merge} elsewhere (live: do not change it). */
  get state(): FindingsState {
    return {
      occurrences: this.#occurrences,
      traits: this.#traits,
      ...(this.#sigma === undefined ? {} : { sigma: this.#sigma.state }),
    };
  }

  /** Adds another collector's state (a worker's): the findings are as if this one had seen its records. */
  merge(state: FindingsState): void {
    for (const [key, other] of state.occurrences) {
      const occurrences = this.#occurrences.get(key);
      if (occurrences === undefined) {
        this.#occurrences.set(key, other);
        continue;
      }
      addSeen(occurrences, other);
    }
    for (const [principal, other] of state.traits) {
      const traits = this.#traits.get(principal);
      if (traits === undefined) {
        this.#traits.set(principal, other);
        continue;
      }
      for (const ip of other.sourceIps) traits.sourceIps.add(ip);
      for (const agent of other.userAgents) traits.userAgents.add(agent);
      addCounts(traits.callsPerMinute, other.callsPerMinute);
      addCounts(traits.deniedPerTenMinutes, other.deniedPerTenMinutes);
    }
    if (state.sigma !== undefined) this.#sigma?.merge(state.sigma);
  }

  /** Every finding (ours and the Sigma rules'), most severe first, then by count. */
  findings(): Finding[] {
    const own = this.#ownFindings();
    return this.#sigma === undefined ? own : this.#sigma.findings(own);
  }

  #ownFindings(): Finding[] {
    const found = [...this.#occurrences.values(), ...this.#anomalies()];
    return found
      .sort(compareFindings)
      .map((occurrences) => ({
        rule: occurrences.rule,
        severity: occurrences.severity,
        principal: occurrences.principal,
        api_call: occurrences.apiCall,
        description: occurrences.description,
        count: occurrences.count,
        first_seen: occurrences.firstMs === undefined ? null : isoTimestamp(occurrences.firstMs),
        last_seen: occurrences.lastMs === undefined ? null : isoTimestamp(occurrences.lastMs),
      }));
  }

  #addRule(
    activity: ActivityRecord,
    { rule, severity, description }: { rule: string; severity: Severity; description: string },
    apiCall: string | null,
  ): void {
    this.#add(activity, rule, severity, apiCall, description);
  }

  #add(activity: ActivityRecord, rule: string, severity: Severity, apiCall: string | null, description: string): void {
    this.#firedOnLastRecord.push(rule);
    const key = JSON.stringify([rule, activity.principal, apiCall]);
    let occurrences = this.#occurrences.get(key);
    if (occurrences === undefined) {
      occurrences = {
        rule,
        severity,
        principal: activity.principal,
        apiCall,
        description,
        count: 0,
        firstMs: undefined,
        lastMs: undefined,
      };
      this.#occurrences.set(key, occurrences);
    }
    occurrences.count += 1;
    const time = activity.eventTimeMs;
    if (time !== undefined) {
      if (occurrences.firstMs === undefined || time < occurrences.firstMs) occurrences.firstMs = time;
      if (occurrences.lastMs === undefined || time > occurrences.lastMs) occurrences.lastMs = time;
    }
  }

  #observeTraits(activity: ActivityRecord): void {
    let traits = this.#traits.get(activity.principal);
    if (traits === undefined) {
      traits = emptyTraits();
      this.#traits.set(activity.principal, traits);
    }
    traits.sourceIps.add(activity.ipAddress);
    traits.userAgents.add(activity.userAgent);
    const time = activity.eventTimeMs;
    if (time === undefined) return;
    const minute = Math.floor(time / MINUTE) * MINUTE;
    traits.callsPerMinute.set(minute, (traits.callsPerMinute.get(minute) ?? 0) + 1);
    if (activity.errorCode !== undefined && DENIED_CODES.test(activity.errorCode)) {
      const window = Math.floor(time / TEN_MINUTES) * TEN_MINUTES;
      traits.deniedPerTenMinutes.set(window, (traits.deniedPerTenMinutes.get(window) ?? 0) + 1);
    }
  }

  *#anomalies(): Generator<Occurrences> {
    const limits = this.#thresholds;
    for (const [principal, traits] of this.#traits) {
      const anomaly = (
        rule: string,
        severity: Severity,
        description: string,
        count: number,
        window?: [number, number],
      ): Occurrences => ({
        rule,
        severity,
        principal,
        apiCall: null,
        description,
        count,
        firstMs: window?.[0],
        lastMs: window?.[1],
      });
      const [busyMinute, callsInMinute] = busiest(traits.callsPerMinute);
      if (callsInMinute > limits.callsPerMinute) {
        yield anomaly(
          "call-rate",
          "medium",
          `${callsInMinute} calls within one minute (threshold ${limits.callsPerMinute}): automation or a compromised key`,
          callsInMinute,
          [busyMinute, busyMinute + MINUTE - 1000],
        );
      }
      const [deniedWindow, deniedCount] = busiest(traits.deniedPerTenMinutes);
      if (deniedCount >= limits.deniedPerTenMinutes) {
        yield anomaly(
          "access-denied-burst",
          "high",
          `${deniedCount} access-denied errors within ten minutes (threshold ${limits.deniedPerTenMinutes}): permission probing`,
          deniedCount,
          [deniedWindow, deniedWindow + TEN_MINUTES - 1000],
        );
      }
      if (traits.sourceIps.size > limits.sourceIps) {
        yield anomaly(
          "many-source-ips",
          "medium",
          `${traits.sourceIps.size} distinct source IP addresses (threshold ${limits.sourceIps})`,
          traits.sourceIps.size,
        );
      }
      if (traits.userAgents.size > limits.userAgents) {
        yield anomaly(
          "many-user-agents",
          "low",
          `${traits.userAgents.size} distinct user agents (threshold ${limits.userAgents})`,
          traits.userAgents.size,
        );
      }
    }
  }
}

/** One principal's score in the `risk` section. */
export interface RiskScore {
  principal: string;
  score: number;
  findings: number;
}

/**
 * A risk score per principal: the weights of its findings' severities
 * ({@link RISK_WEIGHTS}, each rule counted once however often it fired), capped
 * at {@link MAXIMUM_RISK_SCORE}; highest first. Findings grouped together
 * (`grouped_with`) are one incident: it counts once, at its highest severity.
 */
export function riskScores(findings: readonly Finding[]): RiskScore[] {
  const incidents = new Map<string, number>();
  for (const finding of findings) {
    const key = JSON.stringify([finding.principal, finding.grouped_with ?? finding.rule]);
    incidents.set(key, Math.max(incidents.get(key) ?? 0, RISK_WEIGHTS[finding.severity]));
  }
  const scores = new Map<string, RiskScore>();
  for (const [key, weight] of incidents) {
    const [principal] = JSON.parse(key) as [string];
    const score = scores.get(principal) ?? { principal, score: 0, findings: 0 };
    score.score = Math.min(MAXIMUM_RISK_SCORE, score.score + weight);
    score.findings += 1;
    scores.set(principal, score);
  }
  return [...scores.values()].sort((a, b) =>
    b.score - a.score || b.findings - a.findings || (a.principal < b.principal ? -1 : 1)
  );
}

/** Whether a finding at `level` or more severe exists (`--fail-on`). */
export function meetsFailOn(findings: readonly Pick<Finding, "severity">[], level: Severity): boolean {
  const limit = SEVERITIES.indexOf(level);
  return findings.some((finding) => SEVERITIES.indexOf(finding.severity) <= limit);
}
