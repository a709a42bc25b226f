/**
 * `athena-table`: prints the CREATE EXTERNAL TABLE statement for a trail bucket and, with
 * `--create`, runs it in Athena (one DDL query; it scans nothing).
 */
import { createTableStatement, PROJECTION_FIRST_DAY } from "../athena/cloudtrail_table.ts";
import { AthenaQueryError, runQuery } from "../athena/query_run.ts";
import { CannotRunError, CliError, EXIT_CODES, type ExitCode } from "../errors.ts";
import type { AthenaTableOptions } from "./athena_flags.ts";
import type { RunDependencies } from "./context.ts";

/**
 * Runs the command.
 * @returns 0 once the statement is printed (and, with `--create`, ran)
 * @throws {CannotRunError} when Athena refuses the statement (its reason, one line)
 */
export async function athenaTableCommand(options: AthenaTableOptions, deps: RunDependencies): Promise<ExitCode> {
  const statement = createTableStatement({
    database: options.database,
    table: options.table,
    bucket: options.bucket,
    prefix: options.prefix,
    organizationId: options.organizationId,
    accounts: options.accounts,
    regions: options.regions,
    firstDay: PROJECTION_FIRST_DAY,
  });
  deps.stdout.write(`${statement};\n`);
  if (!options.create) return EXIT_CODES.ok;
  const apis = await deps.createAwsApis({
    profile: options.profile,
    homeRegion: options.region,
    requestTimeoutMilliseconds: 30_000,
  });
  try {
    const outcome = await runQuery(apis.athena(), deps.clock, {
      sql: statement,
      catalog: options.catalog,
      database: options.database,
      workgroup: options.workgroup,
      outputLocation: options.outputLocation,
      reuseMinutes: 0,
    }, { maxScannedBytes: undefined, signal: deps.interrupt, onHeader: () => {}, onRow: () => {} });
    if (!options.quiet) {
      deps.stderr.write(`Created table ${options.database}.${options.table} (Athena query ${outcome.queryId})\n`);
    }
    return EXIT_CODES.ok;
  } catch (error) {
    if (!(error instanceof AthenaQueryError)) throw error;
    if (error.kind === "interrupted") throw new CliError(error.message, EXIT_CODES.interrupted, { cause: error });
    throw new CannotRunError(error.message, { cause: error });
  }
}
