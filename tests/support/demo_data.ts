/** The demo data set: real records (see tests/fixtures/demo/SOURCES.md), times moved into the last days. */
import { type EmulatorEvent, emulatorEventFromRecord } from "./aws_emulator.ts";

const DEMO_FILE = new URL("../fixtures/demo/demo-records.jsonl.gz", import.meta.url);

/** The regions of the demo account, as DescribeRegions reports them. */
export const DEMO_REGIONS = [
  "ap-southeast-2",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface DemoLine {
  source: string;
  region: string;
  record: Record<string, unknown>;
}

/**
 * The demo events per region, with times inside the 13 days before `nowMs`: each
 * source keeps its order and spacing, compressed only when it spans more than that.
 */
export async function loadDemoEvents(nowMs: number): Promise<Record<string, EmulatorEvent[]>> {
  const file = await Deno.open(DEMO_FILE);
  const text = await new Response(file.readable.pipeThrough(new DecompressionStream("gzip"))).text();
  const lines: DemoLine[] = text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  const bySource = Map.groupBy(lines, (line) => line.source);
  const events: Record<string, EmulatorEvent[]> = {};
  let sourceIndex = 0;
  for (const [source, sourceLines] of bySource) {
    const times = sourceLines.map((line) => Date.parse(String(line.record.eventTime)) || 0);
    const oldest = Math.min(...times);
    const newest = Math.max(...times);
    const newestTarget = nowMs - HOUR - sourceIndex * 7 * HOUR;
    const span = Math.min(newest - oldest, 12 * DAY - sourceIndex * 7 * HOUR);
    const scale = newest === oldest ? 0 : span / (newest - oldest);
    sourceLines.forEach((line, index) => {
      const eventTimeMs = newestTarget - (newest - times[index]!) * scale;
      (events[line.region] ??= []).push(emulatorEventFromRecord(line.record, eventTimeMs, `demo-${source}-${index}`));
    });
    sourceIndex += 1;
  }
  return events;
}
