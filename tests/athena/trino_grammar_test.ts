/** Every query the builder can produce parses under a Trino SQL grammar: a syntax error never reaches Athena. */
import { deepStrictEqual, ok } from "node:assert/strict";
import { buildSummaryQuery, type SummaryQueryOptions } from "../../src/athena/summary_query.ts";
import { DEFAULT_THRESHOLDS } from "../../src/findings/findings.ts";
import { ACTIVITY_TYPES } from "../../src/summary/types.ts";
import { trinoGrammar } from "../support/trino_grammar.ts";

const BASE: SummaryQueryOptions = {
  database: "security",
  table: "cloudtrail_logs",
  partitionKeys: ["timestamp"],
  windowStartMs: Date.UTC(2026, 10, 1, 12, 30),
  windowEndMs: Date.UTC(2026, 10, 15, 23, 59, 59, 999),
  lateSlackMinutes: 60,
  regions: undefined,
  accounts: undefined,
  activityType: "ALL",
  includeDataEvents: false,
  thresholds: DEFAULT_THRESHOLDS,
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
