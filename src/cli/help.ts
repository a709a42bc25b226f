/** The usage line and the `--help` text. */
import { PROGRAM_NAME, VERSION } from "../version.ts";

/** One line, printed after a usage error. */
export const USAGE_LINE =
  `usage: ${PROGRAM_NAME} [flags] | ${PROGRAM_NAME} plot FILE [--output-dir DIR] [--overwrite] | ${PROGRAM_NAME} report FILE [--html [--output FILE]]`;

/** The `--help` text. */
export const HELP_TEXT = `${PROGRAM_NAME} ${VERSION}
Summarizes who has been active in an AWS account, from CloudTrail event history
(LookupEvents in every enabled region): API calls, regions, IP addresses, user
agents and errors per principal, plus findings on risky calls.

${USAGE_LINE}

Commands:
  (none)                      read CloudTrail and write the summary (the main job)
  plot FILE                   write the PNG charts of an existing summary file
  report FILE                 print the terminal report of an existing summary file
  report FILE --html          write its HTML report next to it (or to --output FILE)
  athena-table                print the CREATE EXTERNAL TABLE statement for a trail
                              bucket (--trail-bucket, --athena-table, --accounts,
                              --regions, [--organization-id o-...]); --create runs it

Flags (all optional):
  --activity-type TYPE        ALL (default), SUCCESSFUL or FAILED API calls
  --dump-raw-cloudtrail-data  also write every record fetched, as JSONL per region
  --past-hours N              hours to look back, 1 to 2160 (default: 336 = 14 days)
  --start-time TIME           start of the time window, ISO 8601 with a zone
                              (2026-11-01T00:00:00Z); every source
  --end-time TIME             end of the time window (default: now)
  --trail-files PATH          read CloudTrail log files from a file or folder
                              instead (repeatable; no AWS credentials needed;
                              default: every record in them)
  --trail-bucket s3://B[/P]   read the trail's log files from S3 instead
  --late-slack MINUTES        with --trail-bucket: files delivered this long
                              after the window's end are read (default: 60)
  --include-data-events       trail files: count data events too (default:
                              management events only)
  --workers N                 trail files: counting workers (default: cores)
  --athena-table DB.TABLE     the whole summary as one Athena query over this
                              CloudTrail table (no event leaves AWS); with the
                              window, --regions, --accounts, --include-data-events
  --athena-workgroup NAME     Athena workgroup (default: primary)
  --athena-output s3://...    where Athena writes results (default: the workgroup's)
  --athena-catalog NAME       data catalog (default: AwsDataCatalog)
  --athena-reuse-minutes N    reuse the same query's result up to N minutes old
                              (default: 60; 0: never)
  --athena-max-scanned-gb N   stop a query that scans more than N GB
  --plot-results              also write PNG bar charts of the summary
  --html                      also write the HTML report next to the summary
  --profile NAME              named AWS profile (default: the SDK's default chain)
  --output-dir DIR            where results go (default: ./results)
  --cache-dir DIR             keep fetched records in DIR (sensitive: private
                              files) and fetch only what is new next time
  --region NAME               region for STS and EC2 calls (default: from the AWS
                              config or environment, else us-east-1)
  --regions A,B,...           read only these regions (each must be enabled)
  --lookup-attribute K=V      one LookupEvents filter; K is one of EventId,
                              EventName, ReadOnly, Username, ResourceType,
                              ResourceName, EventSource, AccessKeyId
  --fail-on LEVEL             exit with 4 when a finding of LEVEL or above exists:
                              critical, high, medium or low
  --json-stdout               print the summary JSON to stdout
  --lookup-rate N             LookupEvents requests per second per region
                              (default: 2, the AWS quota; lower it when other
                              tools share the quota)
  --lookup-burst N            requests that may go at once per region (default: 1)
  --request-timeout SECONDS   time limit of one API call (default: 30)
  --rate-threshold N          finding when a principal makes more than N calls
                              in one minute (default: 300)
  --ip-threshold N            ... uses more than N source IPs (default: 10)
  --user-agent-threshold N    ... uses more than N user agents (default: 10)
  --denied-threshold N        ... gets N access-denied errors within ten
                              minutes (default: 20)
  --sigma-rules PATH          also run the Sigma rules in this file or folder
                              (repeatable; the bundled SigmaHQ CloudTrail
                              rules run too)
  --no-builtin-sigma          leave the bundled SigmaHQ CloudTrail rules out
  --sigma-status LIST         run only Sigma rules with these statuses, of stable,
                              test, experimental, deprecated, unsupported
                              (default: all but the last two)
  --accounts all|ID,ID,...    every ACTIVE account of the AWS Organization (or
                              these accounts), each through a role assumed in it:
                              one summary per account plus an organization roll-up
  --role-name NAME            the role assumed in each account (default:
                              OrganizationAccountAccessRole)
  --external-id ID            the external id the role's trust policy asks for
  --skip-accounts ID,ID,...   accounts that --accounts leaves out
  --account-concurrency N     accounts read at once (default: 10)
  --overwrite                 with plot: replace an existing charts folder
  -q, --quiet                 no progress or report on stderr
  -v, --verbose               stack traces and causes of errors
  -h, --help                  this text
  --version                   the version

Exit codes: 0 every region read; 1 cannot run (credentials, profile, files);
2 usage error; 3 summary written but some regions, accounts or trail files failed;
4 --fail-on met;
130 interrupted (a partial summary was written).
`;
