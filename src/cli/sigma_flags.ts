/**
 * The Sigma flags: `--sigma-rules PATH` (repeatable), `--no-builtin-sigma`, `--sigma-status LIST`.
 * Pure: throws {@link UsageError} for anything invalid. `flags.ts` spreads these into its definitions.
 */
import { UsageError } from "../errors.ts";
import { SIGMA_STATUSES, type SigmaStatus } from "../findings/sigma/rule.ts";
import type { SigmaOptions } from "./sigma_rules.ts";

/** The flags' definitions for `node:util` `parseArgs`. */
export const SIGMA_FLAG_DEFINITIONS = {
  "sigma-rules": { type: "string", multiple: true },
  "no-builtin-sigma": { type: "boolean" },
  "sigma-status": { type: "string" },
} as const;

/** The flags that only the summarize command takes. */
export const SIGMA_FLAG_NAMES = Object.keys(SIGMA_FLAG_DEFINITIONS) as (keyof typeof SIGMA_FLAG_DEFINITIONS)[];

/**
 * The Sigma options of a command line.
 * @example
 * ```ts
 * sigmaOptions({ "sigma-rules": ["team/"], "sigma-status": "stable,test" });
 * // { rulePaths: ["team/"], builtin: true, statuses: ["stable", "test"] }
 * ```
 * @throws {UsageError} for an empty path or an unknown status
 */
export function sigmaOptions(values: {
  "sigma-rules"?: string[];
  "no-builtin-sigma"?: boolean;
  "sigma-status"?: string;
}): SigmaOptions {
  const rulePaths = values["sigma-rules"] ?? [];
  if (rulePaths.some((path) => path.trim() === "")) throw new UsageError("--sigma-rules needs a file or folder");
  let statuses: SigmaStatus[] | undefined;
  const statusText = values["sigma-status"];
  if (statusText !== undefined) {
    statuses = statusText.split(",").map((status) => status.trim()) as SigmaStatus[];
    const unknown = statuses.find((status) => !SIGMA_STATUSES.includes(status));
    if (unknown !== undefined) {
      throw new UsageError(`--sigma-status: '${unknown}' is not one of ${SIGMA_STATUSES.join(", ")}`);
    }
  }
  return { rulePaths, builtin: values["no-builtin-sigma"] !== true, statuses };
}
