/**
 * The Athena table over a trail's log files: its columns (the layout AWS documents for CloudTrail
 * logs, every record field by its JSON key) and the `CREATE EXTERNAL TABLE` statement with
 * partition projection on account, region and day, so queries name the folders they read. Pure.
 */
import { identifier, literal } from "./sql.ts";

/** A column's type: a string, a struct of named fields, an array or a map. */
export type ColumnType =
  | "string"
  | { struct: readonly (readonly [string, ColumnType])[] }
  | { array: ColumnType }
  | { map: readonly [ColumnType, ColumnType] };

const struct = (...fields: (readonly [string, ColumnType])[]): ColumnType => ({ struct: fields });
const strings = (...names: string[]): (readonly [string, ColumnType])[] => names.map((name) => [name, "string"]);

/**
 * The record fields, spelled as in the log files (Athena lower-cases column names; the JSON
 * SerDe matches keys case-insensitively). Everything not listed here is not read.
 */
export const CLOUDTRAIL_COLUMNS: readonly (readonly [string, ColumnType])[] = [
  ["eventVersion", "string"],
  [
    "userIdentity",
    struct(
      ...strings("type", "principalId", "arn", "accountId", "invokedBy", "accessKeyId", "userName"),
      ["onBehalfOf", struct(...strings("userId", "identityStoreArn"))],
      [
        "sessionContext",
        struct(
          ["attributes", struct(...strings("mfaAuthenticated", "creationDate"))],
          ["sessionIssuer", struct(...strings("type", "principalId", "arn", "accountId", "userName"))],
          ["ec2RoleDelivery", "string"],
          [
            "webIdFederationData",
            struct(["federatedProvider", "string"], ["attributes", { map: ["string", "string"] }]),
          ],
        ),
      ],
    ),
  ],
  ...strings(
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
  ),
  ["resources", { array: struct(...strings("ARN", "accountId", "type")) }],
  ...strings(
    "eventType",
    "apiVersion",
    "recipientAccountId",
    "serviceEventDetails",
    "sharedEventID",
    "vpcEndpointId",
    "vpcEndpointAccountId",
    "eventCategory",
  ),
  ["addendum", struct(...strings("reason", "updatedFields", "originalRequestID", "originalEventID"))],
  ...strings("sessionCredentialFromConsole", "edgeDeviceDetails"),
  ["tlsDetails", struct(...strings("tlsVersion", "cipherSuite", "clientProvidedHostHeader"))],
];

/** The Hive type of a column, as Athena's DDL spells it. */
export function hiveType(type: ColumnType): string {
  if (type === "string") return "STRING";
  if ("array" in type) return `ARRAY<${hiveType(type.array)}>`;
  if ("map" in type) return `MAP<${hiveType(type.map[0])},${hiveType(type.map[1])}>`;
  return `STRUCT<${type.struct.map(([name, field]) => `${name.toLowerCase()}:${hiveType(field)}`).join(",")}>`;
}

/** The first day the projection of tables we create knows: CloudTrail's launch, so no older folder is missed. */
export const PROJECTION_FIRST_DAY = "2013/11/01";

/** Where the trail writes, and what the table projects. */
export interface TableDefinition {
  database: string;
  table: string;
  /** The trail's bucket and optional key prefix (without slashes at either end). */
  bucket: string;
  prefix: string | undefined;
  /** `o-…` for an organization trail (files under `AWSLogs/<org id>/<account>/`). */
  organizationId: string | undefined;
  /** The accounts and regions the projection enumerates. */
  accounts: readonly string[];
  regions: readonly string[];
  /** First day the projection knows, `yyyy/MM/dd`. */
  firstDay: string;
}

/**
 * The `CREATE EXTERNAL TABLE` statement: AWS's documented CloudTrail table (JSON SerDe, CloudTrail
 * input format, projected `timestamp` as `yyyy/MM/dd`), with `account` and `region` projected too.
 */
export function createTableStatement(definition: TableDefinition): string {
  const root = [definition.bucket, definition.prefix, "AWSLogs", definition.organizationId]
    .filter((part): part is string => part !== undefined && part !== "")
    .join("/");
  const properties: [string, string][] = [
    ["projection.enabled", "true"],
    ["projection.account.type", "enum"],
    ["projection.account.values", definition.accounts.join(",")],
    ["projection.region.type", "enum"],
    ["projection.region.values", definition.regions.join(",")],
    ["projection.timestamp.type", "date"],
    ["projection.timestamp.format", "yyyy/MM/dd"],
    ["projection.timestamp.interval", "1"],
    ["projection.timestamp.interval.unit", "DAYS"],
    ["projection.timestamp.range", `${definition.firstDay},NOW`],
    ["storage.location.template", `s3://${root}/\${account}/CloudTrail/\${region}/\${timestamp}`],
  ];
  const columns = CLOUDTRAIL_COLUMNS.map(([name, type]) => `  ${name.toLowerCase()} ${hiveType(type)}`);
  // Hive DDL: backquoted names (`timestamp` is reserved), single-quoted strings.
  return `CREATE EXTERNAL TABLE \`${definition.database}\`.\`${definition.table}\` (
${columns.join(",\n")}
)
PARTITIONED BY (\`account\` STRING, \`region\` STRING, \`timestamp\` STRING)
ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'
STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION ${literal(`s3://${root}/`)}
TBLPROPERTIES (
${properties.map(([key, value]) => `  ${literal(key)}=${literal(value)}`).join(",\n")}
)`;
}

/** `"database"."table"` for queries. */
export function qualifiedName(database: string, table: string): string {
  return `${identifier(database)}.${identifier(table)}`;
}
