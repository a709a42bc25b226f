/**
 * Every query the builder can produce parses under a Trino SQL grammar, and the table DDL under
 * Hive's (Athena runs DDL as Hive): a syntax error never reaches Athena.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import { buildSummaryQuery, type SummaryQueryOptions } from "../../src/athena/summary_query.ts";
import { ACTIVITY_TYPES } from "../../src/summary/types.ts";
import { hiveGrammar, trinoGrammar } from "../support/sql_grammars.ts";
import { TEST_QUERY_INPUT } from "./test_records.ts";
import { createTableStatement, type TableDefinition } from "../../src/athena/cloudtrail_table.ts";

const BASE: SummaryQueryOptions = {
  database: "security",
  table: "cloudtrail_logs",
  partitionKeys: ["timestamp"],
  ...TEST_QUERY_INPUT,
  windowStartMs: Date.UTC(2026, 10, 1, 12, 30),
  windowEndMs: Date.UTC(2026, 10, 15, 23, 59, 59, 999),
};

/** The option combinations that change the query text. */
function variants(): SummaryQueryOptions[] {
  const tables = [
    { partitionKeys: ["timestamp"] },
    { partitionKeys: ["account", "region", "timestamp"] },
    { partitionKeys: [] },
    { database: "my-db", table: 'odd"name' },
  ];
  const filters = [
    {},
    { regions: ["us-east-1", "eu-west-1"] },
    { accounts: ["111122223333", "444455556666"], regions: ["us-east-1"] },
    { includeDataEvents: true },
  ];
  return tables.flatMap((table) =>
    filters.flatMap((filter) => ACTIVITY_TYPES.map((activityType) => ({ ...BASE, ...table, ...filter, activityType })))
  );
}

Deno.test("trino grammar: every generated query parses", async () => {
  const grammar = await trinoGrammar();
  const queries = variants().map(buildSummaryQuery);
  ok(queries.length >= 48);
  for (const query of queries) deepStrictEqual(grammar.validate(query), [], query);
});

Deno.test("trino grammar: it does reject a broken query (the check is not vacuous)", async () => {
  const grammar = await trinoGrammar();
  const broken = buildSummaryQuery(BASE).replace("GROUP BY GROUPING SETS", "GROUP GROUPING SETS");
  ok(grammar.validate(broken).length > 0);
});

const TABLE: TableDefinition = {
  database: "security",
  table: "cloudtrail_org",
  bucket: "trail-bucket",
  prefix: "logs/org",
  organizationId: "o-a1b2c3d4e5",
  accounts: ["111122223333", "444455556666"],
  regions: ["us-east-1", "eu-west-1"],
  firstDay: "2013/11/01",
};

Deno.test("table DDL: projection on account, region and day over the organization layout; parses as Hive DDL", async () => {
  const statement = createTableStatement(TABLE);
  for (
    const expected of [
      "CREATE EXTERNAL TABLE `security`.`cloudtrail_org` (",
      "PARTITIONED BY (`account` STRING, `region` STRING, `timestamp` STRING)",
      "ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'",
      "STORED AS INPUTFORMAT 'com.amazon.emr.cloudtrail.CloudTrailInputFormat'",
      "LOCATION 's3://trail-bucket/logs/org/AWSLogs/o-a1b2c3d4e5/'",
      "'projection.account.values'='111122223333,444455556666'",
      "'projection.region.values'='us-east-1,eu-west-1'",
      "'projection.timestamp.format'='yyyy/MM/dd'",
      "'projection.timestamp.range'='2013/11/01,NOW'",
      "'storage.location.template'='s3://trail-bucket/logs/org/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${timestamp}'",
      "  useridentity STRUCT<type:STRING,principalid:STRING,arn:STRING,accountid:STRING,invokedby:STRING,",
      "  resources ARRAY<STRUCT<arn:STRING,accountid:STRING,type:STRING>>,",
    ]
  ) ok(statement.includes(expected), expected);
  const single = createTableStatement({ ...TABLE, prefix: "", organizationId: undefined });
  ok(single.includes("'s3://trail-bucket/AWSLogs/${account}/CloudTrail/${region}/${timestamp}'"));
  const hive = await hiveGrammar();
  deepStrictEqual(hive.validate(statement), []);
  deepStrictEqual(hive.validate(single), []);
});
