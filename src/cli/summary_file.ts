/** Reading a summary file written by an earlier run: untrusted input, checked field by field. */
import { CannotRunError } from "../errors.ts";
import { checkSummaryShape } from "../summary/summary_shape.ts";
import type { Summary } from "../summary/types.ts";
import type { RunDependencies } from "./context.ts";
import { printablePath } from "./summary_output.ts";

/**
 * Reads and checks a summary file.
 * @throws {CannotRunError} when it cannot be read or is not a summary, naming the wrong field
 */
export async function readSummaryFile(path: string, deps: Pick<RunDependencies, "files">): Promise<Summary> {
  const cannot = `Cannot read the summary file '${printablePath(path)}'`;
  let text: string;
  try {
    text = await deps.files.readText(path);
  } catch (error) {
    throw new CannotRunError(`${cannot}: ${readFailure(error)}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CannotRunError(`${cannot}: it is not valid JSON`, { cause: error });
  }
  try {
    return checkSummaryShape(parsed);
  } catch (error) {
    throw new CannotRunError(
      `${cannot}: it is not a summary of this tool: ${printablePath((error as Error).message)}`,
      {
        cause: error,
      },
    );
  }
}

function readFailure(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.NotCapable) {
    return "deno task reads only below the folder you run it from: run it from the folder that holds the file " +
      "(or copy the file there), or use the compiled binary";
  }
  if (error instanceof Deno.errors.IsADirectory) return "it is a folder";
  return printablePath(error instanceof Error ? error.message : String(error));
}
