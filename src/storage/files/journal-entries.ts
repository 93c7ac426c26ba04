/** The lines of a thread journal (threads/<id>.jsonl) and the records they carry: what ThreadJournal reads and writes. */
import type { Run, RunFeedback, Thread } from '../types.ts';
import type { EntryRef } from './append-log.ts';

/** A serialized value: the serde's type tag and its text (base64 for bytes). */
export type Stored = [type: string, data: string];

export interface CheckpointRecord {
  ns: string;
  id: string;
  parent: string | null;
  /** The checkpoint without its channel values, which are stored as blobs. */
  cp: Stored;
  md: Stored;
  /** Channel values whose version is new in this checkpoint (`null`: the channel is empty). */
  blobs: Record<string, { version: string | number; value: Stored | null }>;
  /** For the other channels: the id of the checkpoint whose record holds their blob. */
  refs: Record<string, string>;
}

export interface WriteValue {
  idx: number;
  ch: string;
  v: Stored;
}

/** The lines of a thread's journal. `s` orders them: a rollback drops what came after a mark. */
export type Entry =
  | { t: 'thread'; s: number; v: ThreadWithoutValues & { values?: Thread['values'] } }
  | { t: 'values'; s: number; v: Thread['values'] }
  | { t: 'run'; s: number; v: Run }
  | { t: 'run-'; s: number; id: string }
  | { t: 'runs-clear'; s: number }
  | { t: 'fb'; s: number; run: string; v: RunFeedback }
  | ({ t: 'cp'; s: number } & CheckpointRecord)
  | { t: 'w'; s: number; ns: string; cp: string; task: string; path: string; w: WriteValue[] }
  | { t: 'rb'; s: number; after: number }
  | { t: 'cp-clear'; s: number };

/** A thread's record is stored without its values, which are large and change only at a run's end. */
export type ThreadWithoutValues = Omit<Thread, 'values'>;

export interface WriteMeta {
  task: string;
  idx: number;
  ch: string;
  path: string;
  s: number;
  /** The `w` line that holds the value, and the value's position in it. */
  ref: EntryRef;
  pos: number;
}

export function writesKey(ns: string, checkpointId: string) {
  return `${ns}\u0000${checkpointId}`;
}

export function splitWritesKey(key: string): [string, string] {
  const at = key.indexOf('\u0000');
  return [key.slice(0, at), key.slice(at + 1)];
}
