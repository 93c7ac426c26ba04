import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { invalidInput, SwitchboardError } from '../../errors.ts';
import type { MovableStorage } from '../../storage/types.ts';
import { COUNTED, countDifferences, countRecord, type Counts, describeCounts, FORMAT, FORMAT_VERSION, type Header, type MoveRecord, zeroCounts } from './format.ts';
import { Restorer } from './restore.ts';
import { countRecords } from './count.ts';
import { THREAD_PARTS, ThreadLanes } from './lanes.ts';

export interface ImportOptions {
  /** Import into a target that already holds records; records whose keys it has are kept as it has them. */
  merge?: boolean;
}

export interface ImportSummary {
  header: Header;
  stored: Counts;
  skipped: Counts;
  /** What the target holds afterwards. */
  target: Counts;
}

const KINDS = new Set<MoveRecord['kind']>(['assistant', 'checkpoint', 'run', 'thread', 'store_item', 'cron', 'installation', 'chat_record', 'inbox_entry']);
/** Kinds added after format version 1 was first written: an export from before them holds none. */
const LATER_KINDS: ReadonlyArray<(typeof COUNTED)[number]> = ['installations'];

/**
 * Reads an export line by line into `target`, then checks that the file held what its
 * header promised and that the target gained exactly what was stored. An empty target is
 * required unless `merge`. A failure part-way leaves what was stored: importing the same
 * file again with `merge` completes it.
 */
export async function importFrom(target: MovableStorage, path: string, options: ImportOptions = {}): Promise<ImportSummary> {
  const before = await countRecords(target);
  if (!options.merge && COUNTED.some((name) => before[name] > 0)) {
    throw invalidInput(`the target is not empty (${describeCounts(before)}); import into an empty one, or pass --merge to keep its records and add the others`);
  }
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY });
  const read = zeroCounts();
  const stored = zeroCounts();
  const threads = new ThreadLanes(target, stored);
  const restorer = new Restorer(target);
  let header: Header | undefined;
  let number = 0;
  try {
    for await (const line of lines) {
      number += 1;
      if (line.trim() === '') continue;
      if (!header) {
        header = parseHeader(line, path);
        continue;
      }
      const record = parseRecord(line, number, path);
      countRecord(read, record);
      if (THREAD_PARTS.has(record.kind)) await threads.add(record);
      else if (await restorer.restore(record)) countRecord(stored, record);
    }
  } finally {
    // What was read is stored (or has failed) before anything is said about it.
    await threads.finish();
    lines.close();
  }
  if (!header) throw invalidInput(`${path} is empty: not a Switchboard export`);
  const missing = countDifferences(header.counts, read);
  if (missing.length > 0) {
    throw new SwitchboardError('invalid_input', `${path} does not hold what its header says (${missing.join('; ')}): it was cut short or edited; what it held is imported`);
  }
  const after = await countRecords(target);
  const expected = Object.fromEntries(COUNTED.map((name) => [name, before[name] + stored[name]])) as Counts;
  const wrong = countDifferences(expected, after);
  if (wrong.length > 0) throw new SwitchboardError('conflict', `the target does not hold what was imported (${wrong.join('; ')}); was another process writing to it?`);
  const skipped = Object.fromEntries(COUNTED.map((name) => [name, read[name] - stored[name]])) as Counts;
  return { header, stored, skipped, target: after };
}

function parseHeader(line: string, path: string): Header {
  const header = parseJson(line, 1, path) as Partial<Header> | null;
  if (header?.format !== FORMAT) throw invalidInput(`${path} is not a Switchboard export (its first line has no "format": "${FORMAT}")`);
  if (typeof header.version !== 'number' || header.version > FORMAT_VERSION) {
    throw invalidInput(`${path} is export format version ${String(header.version)}; this Switchboard reads version ${FORMAT_VERSION} (upgrade Switchboard to import it)`);
  }
  if (header.counts) for (const name of LATER_KINDS) header.counts[name] ??= 0;
  if (!header.counts || COUNTED.some((name) => typeof header.counts?.[name] !== 'number')) throw invalidInput(`${path}: the header's counts are missing or incomplete`);
  return header as Header;
}

function parseRecord(line: string, number: number, path: string): MoveRecord {
  const record = parseJson(line, number, path) as { kind?: unknown } | null;
  if (!record || typeof record !== 'object' || !KINDS.has(record.kind as MoveRecord['kind'])) {
    throw invalidInput(`${path} line ${number}: not a record of a kind this Switchboard knows (${[...KINDS].join(', ')})`);
  }
  return record as MoveRecord;
}

function parseJson(line: string, number: number, path: string): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    throw invalidInput(`${path} line ${number} is not JSON (${(error as Error).message})`);
  }
}
