/** Reading a summary file written by an earlier run. */
import { CannotRunError } from "../errors.ts";
import type { Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";

/**
 * Reads and checks a summary file.
 * @throws {CannotRunError} when it cannot be read or is not a summary
 */
export async function readSummaryFile(path: string, deps: Pick<RunDependencies, "files">): Promise<Summary> {
  let text: string;
  try {
    text = await deps.files.readText(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new CannotRunError(`Cannot read the summary file '${path}': ${reason}`, { cause: error });
  }
  let summary: unknown;
  try {
    summary = JSON.parse(text);
  } catch (error) {
    throw new CannotRunError(`Cannot read the summary file '${path}': it is not valid JSON`, { cause: error });
  }
  const metadata = (summary as { _metadata?: Record<string, unknown> } | null)?._metadata;
  if (
    typeof metadata !== "object" || metadata === null || typeof metadata.account_id !== "string" ||
    typeof metadata.run_timestamp !== "string"
  ) {
    throw new CannotRunError(
      `Cannot read the summary file '${path}': it has no _metadata with account_id and run_timestamp`,
    );
  }
  return summary as Summary;
}
