/**
 * Reads the real CloudTrail corpus in ../shared/data/cloudtrail-real/ (one record
 * per line, gzipped). It is read from there, never copied (see its SOURCES.md);
 * on a clone without it, tests that need it are skipped with a message.
 */
const CORPUS_DIRECTORY = new URL("../../../shared/data/cloudtrail-real/", import.meta.url);

/** The record files of the corpus (the userIdentity fragments file is not records). */
export const CORPUS_FILES = [
  "awsdocs",
  "cloud-custodian",
  "elastic-integrations",
  "invictus-ir-aws-dataset",
  "large-sans504-s3-ransomware-lab",
  "panther-analysis",
  "plaso",
  "stratus-red-team",
  "traildiscover",
] as const;

/** Whether the corpus is there. */
export function corpusAvailable(): boolean {
  try {
    return Deno.statSync(CORPUS_DIRECTORY).isDirectory;
  } catch {
    return false;
  }
}

/** Why corpus tests are skipped, for their names. */
export const CORPUS_MISSING = "(skipped: ../shared/data/cloudtrail-real/ is not here)";

/** The lines of one gzipped JSONL file of the corpus, as text. */
export async function corpusLines(name: string): Promise<string[]> {
  const file = await Deno.open(new URL(`${name}.jsonl.gz`, CORPUS_DIRECTORY));
  const text = await new Response(file.readable.pipeThrough(new DecompressionStream("gzip"))).text();
  return text.split("\n").filter((line) => line.trim() !== "");
}

/** The parsed records of one corpus file. */
export async function corpusRecords(name: string): Promise<Record<string, unknown>[]> {
  return (await corpusLines(name)).map((line) => JSON.parse(line));
}
