import type { Assistant, AssistantVersion, Cron, InboxEntry, Installation, Run, RunFeedback, StoreItemRecord, Thread } from '../../storage/types.ts';

/**
 * The export format: JSON lines. The first line is a header naming the format, its
 * version and how many records of each kind follow; then one record per line. A thread's
 * checkpoints and runs come before the thread's own record, so a thread record in a
 * target means the whole thread arrived (an interrupted import is completed by importing
 * again with --merge).
 */
export const FORMAT = 'switchboard-export';
export const FORMAT_VERSION = 1;

/** A value as the checkpointer's serializer wrote it: its type and its bytes in base64. */
export type Serialized = [type: string, base64: string];

export interface CheckpointWriteRecord {
  task_id: string;
  channel: string;
  value: Serialized;
}

export type MoveRecord =
  | { kind: 'assistant'; assistant: Assistant; versions: AssistantVersion[] }
  | {
      kind: 'checkpoint';
      thread_id: string;
      checkpoint_ns: string;
      checkpoint_id: string;
      parent_checkpoint_id: string | null;
      checkpoint: Serialized;
      metadata: Serialized;
      writes: CheckpointWriteRecord[];
    }
  /** A run, with the votes on it (an export from before feedback has none). */
  | { kind: 'run'; run: Run; feedback?: RunFeedback[] }
  | { kind: 'thread'; thread: Thread }
  | { kind: 'store_item'; item: StoreItemRecord }
  | { kind: 'cron'; cron: Cron }
  /** A workspace's installation, its token still sealed: the target needs the same SWITCHBOARD_SECRET_KEY. */
  | { kind: 'installation'; installation: Installation }
  | { kind: 'chat_record'; collection: string; key: string; value: unknown }
  | { kind: 'inbox_entry'; entry: InboxEntry };

export const COUNTED = [
  'assistants',
  'assistant_versions',
  'threads',
  'checkpoints',
  'checkpoint_writes',
  'runs',
  'store_items',
  'crons',
  'installations',
  'chat_records',
  'inbox_entries',
] as const;

export type Counts = Record<(typeof COUNTED)[number], number>;

export interface Header {
  format: typeof FORMAT;
  version: number;
  exported_at: string;
  /** The backend the records came from (`lowdb`, `postgres`). */
  source: string;
  counts: Counts;
}

export const zeroCounts = (): Counts => Object.fromEntries(COUNTED.map((name) => [name, 0])) as Counts;

/** Adds what one record contributes to the counts (an assistant brings its versions, a checkpoint its writes). */
export function countRecord(counts: Counts, record: MoveRecord): void {
  switch (record.kind) {
    case 'assistant':
      counts.assistants += 1;
      counts.assistant_versions += record.versions.length;
      return;
    case 'checkpoint':
      counts.checkpoints += 1;
      counts.checkpoint_writes += record.writes.length;
      return;
    case 'run':
      counts.runs += 1;
      return;
    case 'thread':
      counts.threads += 1;
      return;
    case 'store_item':
      counts.store_items += 1;
      return;
    case 'cron':
      counts.crons += 1;
      return;
    case 'installation':
      counts.installations += 1;
      return;
    case 'chat_record':
      counts.chat_records += 1;
      return;
    case 'inbox_entry':
      counts.inbox_entries += 1;
      return;
  }
}

/** The kinds whose counts differ, as `threads: 3 ≠ 2` (empty when equal). */
export function countDifferences(expected: Counts, actual: Counts): string[] {
  return COUNTED.filter((name) => expected[name] !== actual[name]).map((name) => `${name}: expected ${expected[name]}, found ${actual[name]}`);
}

export const describeCounts = (counts: Counts): string => COUNTED.map((name) => `${counts[name]} ${name}`).join(', ');
