/**
 * Findings of one incident together: a finding grouped with another (`grouped_with`: a Sigma rule
 * that fired on the same records as our rule, for the same principal) is placed right after it.
 * Pure; tolerates summaries from older runs (no `grouped_with`, or its finding missing).
 */

interface Groupable {
  rule?: string;
  principal?: string;
  grouped_with?: string;
}

/** One finding in report order, and whether it belongs to the incident of the row above. */
export interface OrderedFinding<T> {
  finding: T;
  grouped: boolean;
}

/**
 * The findings in their order, each grouped one moved under the finding it is grouped with.
 * @example
 * ```ts
 * groupedOrder([own, unrelated, sigmaOnOwn]); // own, sigmaOnOwn (grouped), unrelated
 * ```
 */
export function groupedOrder<T extends Groupable>(findings: readonly T[]): OrderedFinding<T>[] {
  const key = (rule: unknown, principal: unknown) => JSON.stringify([rule, principal]);
  const leads = new Set(findings.filter((finding) => !finding.grouped_with).map((f) => key(f.rule, f.principal)));
  const members = new Map<string, T[]>();
  for (const finding of findings) {
    if (finding.grouped_with === undefined) continue;
    const lead = key(finding.grouped_with, finding.principal);
    if (!leads.has(lead)) continue;
    members.set(lead, [...members.get(lead) ?? [], finding]);
  }
  const ordered: OrderedFinding<T>[] = [];
  for (const finding of findings) {
    const lead = finding.grouped_with === undefined ? undefined : key(finding.grouped_with, finding.principal);
    if (lead !== undefined && leads.has(lead)) continue;
    ordered.push({ finding, grouped: false });
    for (const member of members.get(key(finding.rule, finding.principal)) ?? []) {
      ordered.push({ finding: member, grouped: true });
    }
  }
  return ordered;
}
