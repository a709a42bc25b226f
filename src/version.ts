/** The program's name and version, as the SDK user agent and `--version` show them. */
import denoConfig from "../deno.json" with { type: "json" };

/** The program's name. */
export const PROGRAM_NAME = "aws-summarize-account-activity";

/** The program's version, from deno.json. */
export const VERSION: string = denoConfig.version;
