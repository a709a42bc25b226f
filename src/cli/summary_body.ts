/** Everything of a summary after `_metadata`, the same for every source. */
import { type Finding, riskScores } from "../findings/findings.ts";
import type { PrincipalRow } from "../findings/principals.ts";
import type { CountSection, SectionName } from "../summary/types.ts";

/** How many principals the `risk` top list holds. */
const RISK_TOP_LIST_LENGTH = 20;

/** The five sections, `principals`, `findings` and the `risk` top list. */
export function summaryBody(
  sections: Record<SectionName, CountSection>,
  principals: Record<string, PrincipalRow>,
  findings: Finding[],
) {
  return { ...sections, principals, findings, risk: riskScores(findings).slice(0, RISK_TOP_LIST_LENGTH) };
}
