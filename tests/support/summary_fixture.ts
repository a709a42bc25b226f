/** A summary with only the given sections filled, for chart tests and benches (no metadata). */
import type { Summary } from "../../src/summary/types.ts";

/** The five count sections empty, overridden by `sections`. */
export function summaryWith(sections: Partial<Summary>): Summary {
  return {
    _metadata: {} as Summary["_metadata"],
    api_calls_by_principal: {},
    api_calls_by_region: {},
    error_codes_by_principal: {},
    ip_addresses_by_principal: {},
    user_agents_by_principal: {},
    ...sections,
  } as Summary;
}
