import type { Run, RunFeedback, Thread } from '../types.ts';
import { AppendLog, type EntryRef } from './append-log.ts';
import { journalLineHead } from './journal-line-head.ts';
import { type CheckpointRecord, type Entry, type Stored, splitWritesKey, type ThreadWithoutValues, type WriteMeta, type WriteValue, writesKey } from './journal-entries.ts';

export type { CheckpointRecord, Stored, WriteMeta, WriteValue } from './journal-entries.ts';

interface CheckpointMeta {
  id: string;
  s: number;
  ref: EntryRef;
}

/** What one checkpoint's or write's index entry costs in memory, about. */
const INDEX_ENTRY_BYTES = 200;

/** Compact when this many bytes are dead and they are more than half the file. */
const COMPACT_MIN_DEAD_BYTES = 64 * 1024;

/**
 * Everything stored about one thread — its record, its runs, its checkpoints and their
 * pending writes — as one append-only journal (`threads/<id>.jsonl`). Every change is
 * one appended line; memory keeps an index (and the small records), and checkpoint
 * bodies are read back from the file when needed. When most of the file is superseded
 * lines, it is rewritten with only the live ones.
 */
export class ThreadJournal {
  readonly threadId: string;
  #log: AppendLog;
  #thread: { value: ThreadWithoutValues; ref: EntryRef } | null = null;
  /**
   * The thread's values (a whole conversation) with the line that holds them. Held only
   * weakly while that line exists: whoever is using them keeps them alive, and once nobody
   * is they are read again from the line when asked for. Why: 200 open journals of long
   * conversations held tens of MiB of message objects nobody was reading. `strong` is for
   * values with no line of their own (null, or inside an older-format thread line).
   */
  #values: { strong: Thread['values'] | undefined; weak: WeakRef<object> | undefined; ref: EntryRef | null } = { strong: null, weak: undefined, ref: null };
  /**
   * Each run as its JSON text, parsed when read. Why: as objects, a thread's run records took
   * two to three times their JSON size in the heap (a run's kwargs and config are many small
   * objects); as text, what heldBytes counts is what memory holds.
   */
  readonly #runs = new Map<string, { text: string; ref: EntryRef }>();
  /** Each run's feedback, one line per user and key: the run's lines die together. */
  readonly #feedback = new Map<string, Map<string, { value: RunFeedback; ref: EntryRef }>>();
  /** namespace -> checkpoint id -> where it is; ids are kept sorted per namespace. */
  readonly #checkpoints = new Map<string, Map<string, CheckpointMeta>>();
  readonly #sortedIds = new Map<string, string[]>();
  readonly #writes = new Map<string, WriteMeta[]>();
  /** Live writes left in each `w` line, by offset: a line with none left is dead. */
  readonly #liveInLine = new Map<number, number>();
  #deadBytes = 0;
  /** Bytes of the run texts held in `#runs`. */
  #runBytes = 0;

  private constructor(threadId: string, log: AppendLog) {
    this.threadId = threadId;
    this.#log = log;
  }

  static open(threadId: string, path: string, create: boolean): ThreadJournal | null {
    let journal: ThreadJournal | undefined;
    const pending: Array<[Entry, EntryRef]> = [];
    const log = AppendLog.open(path, (entry, ref) => pending.push([entry as Entry, ref]), { create, light: journalLineHead });
    if (!log) return null;
    journal = new ThreadJournal(threadId, log);
    for (const [entry, ref] of pending) journal.#apply(entry, ref);
    return journal;
  }

  // ---- reading ----

  /**
   * About what this journal holds in memory: the JSON size of its record and runs, and a fixed
   * cost per indexed checkpoint and write (their bodies stay in the file, as do the values).
   */
  get heldBytes(): number {
    let indexed = this.#liveInLine.size;
    for (const byId of this.#checkpoints.values()) indexed += byId.size;
    return (this.#thread?.ref.length ?? 0) + this.#runBytes + indexed * INDEX_ENTRY_BYTES;
  }

  /**
   * A copy of the thread's record. `values` is shared, not copied (it can be a whole
   * conversation): callers replace it, they never change it in place.
   */
  get thread(): Thread | null {
    return this.#thread ? { ...structuredClone(this.#thread.value), values: this.#currentValues() } : null;
  }

  #currentValues(): Thread['values'] {
    const held = this.#heldValues();
    if (held !== undefined) return held;
    const value = this.#log.read<{ v: Thread['values'] }>(this.#values.ref!).v;
    this.#setValues(value, this.#values.ref);
    return value;
  }

  /** The values if still in memory; undefined when they must be read from their line. */
  #heldValues(): Thread['values'] | undefined {
    return this.#values.strong !== undefined ? this.#values.strong : (this.#values.weak?.deref() as Thread['values'] | undefined);
  }

  #setValues(value: Thread['values'] | undefined, ref: EntryRef | null) {
    const weakly = ref !== null && typeof value === 'object' && value !== null;
    this.#values = { strong: weakly ? undefined : value, weak: weakly ? new WeakRef(value) : undefined, ref };
  }

  run(runId: string): Run | null {
    const found = this.#runs.get(runId);
    return found ? (JSON.parse(found.text) as Run) : null;
  }

  runs(): Run[] {
    return [...this.#runs.values()].map((entry) => JSON.parse(entry.text) as Run);
  }

  feedback(runId: string): RunFeedback[] {
    return [...(this.#feedback.get(runId)?.values() ?? [])].map((entry) => ({ ...entry.value }));
  }

  namespaces(): string[] {
    return [...this.#sortedIds.keys()];
  }

  /** Checkpoint ids of a namespace, oldest first. */
  checkpointIds(ns: string): readonly string[] {
    return this.#sortedIds.get(ns) ?? [];
  }

  hasCheckpoint(ns: string, id: string): boolean {
    return this.#checkpoints.get(ns)?.has(id) ?? false;
  }

  checkpoint(ns: string, id: string): (CheckpointRecord & { s: number }) | null {
    const meta = this.#checkpoints.get(ns)?.get(id);
    if (!meta) return null;
    const entry = this.#log.read<{ s: number } & CheckpointRecord>(meta.ref);
    return entry;
  }

  writes(ns: string, checkpointId: string): WriteMeta[] {
    return this.#writes.get(writesKey(ns, checkpointId)) ?? [];
  }

  writeValue(meta: WriteMeta): Stored {
    return this.#log.read<{ w: WriteValue[] }>(meta.ref).w[meta.pos]!.v;
  }

  // ---- changing ----

  /** Stores the record; its values only when they are a new object (a run ended), not at every status change. */
  putThread(thread: Thread, seq: number): void {
    const { values, ...record } = thread;
    // The same object as held: unchanged (values held weakly are alive while the caller holds them).
    if (values !== this.#heldValues()) this.#append({ t: 'values', s: seq, v: values });
    this.#append({ t: 'thread', s: seq, v: record });
  }

  putRun(run: Run, seq: number): void {
    this.#append({ t: 'run', s: seq, v: run });
  }

  putFeedback(runId: string, feedback: RunFeedback, seq: number): void {
    this.#append({ t: 'fb', s: seq, run: runId, v: feedback });
  }

  deleteRun(runId: string, seq: number): boolean {
    if (!this.#runs.has(runId)) return false;
    this.#append({ t: 'run-', s: seq, id: runId });
    return true;
  }

  clearRuns(seq: number): void {
    if (this.#runs.size > 0) this.#append({ t: 'runs-clear', s: seq });
  }

  putCheckpoint(record: CheckpointRecord, seq: number): void {
    this.#append({ t: 'cp', s: seq, ...record });
  }

  putWrites(ns: string, checkpointId: string, task: string, path: string, values: WriteValue[], seq: number): void {
    if (values.length > 0) this.#append({ t: 'w', s: seq, ns, cp: checkpointId, task, path, w: values });
  }

  /** Drops every checkpoint and write stored after `afterSeq`. */
  rollback(afterSeq: number, seq: number): void {
    this.#append({ t: 'rb', s: seq, after: afterSeq });
  }

  clearCheckpoints(seq: number): void {
    if (this.#checkpoints.size > 0) this.#append({ t: 'cp-clear', s: seq });
  }

  /** The live checkpoint lines and write values, to copy into another thread's journal. */
  exportCheckpoints(): { checkpoints: Array<CheckpointRecord & { s: number }>; writes: Array<{ meta: WriteMeta; ns: string; cp: string; value: Stored }> } {
    const checkpoints: Array<CheckpointRecord & { s: number }> = [];
    for (const [ns, ids] of this.#sortedIds) for (const id of ids) checkpoints.push(this.checkpoint(ns, id)!);
    const writes: Array<{ meta: WriteMeta; ns: string; cp: string; value: Stored }> = [];
    for (const [key, list] of this.#writes) {
      const [ns, cp] = splitWritesKey(key);
      for (const meta of list) writes.push({ meta, ns, cp, value: this.writeValue(meta) });
    }
    return { checkpoints, writes };
  }

  close(): void {
    this.#log.close();
  }

  remove(): void {
    this.#log.remove();
  }

  #append(entry: Entry) {
    const ref = this.#log.append(entry);
    this.#apply(entry, ref);
    if (this.#deadBytes > COMPACT_MIN_DEAD_BYTES && this.#deadBytes * 2 > this.#log.size) this.#compact();
  }

  #apply(entry: Entry, ref: EntryRef) {
    switch (entry.t) {
      case 'thread': {
        if (this.#thread) this.#deadBytes += this.#thread.ref.length;
        const { values, ...record } = entry.v;
        this.#thread = { value: record, ref };
        if (values !== undefined) this.#setValues(values, null);
        return;
      }
      case 'values':
        if (this.#values.ref) this.#deadBytes += this.#values.ref.length;
        // A line read at open by its head only has no `v`: its values are read when asked for.
        this.#setValues('v' in entry ? entry.v : undefined, ref);
        return;
      case 'run': {
        const previous = this.#runs.get(entry.v.run_id);
        if (previous) this.#deadBytes += previous.ref.length;
        const text = JSON.stringify(entry.v);
        this.#runBytes += text.length - (previous?.text.length ?? 0);
        this.#runs.set(entry.v.run_id, { text, ref });
        return;
      }
      case 'run-': {
        const previous = this.#runs.get(entry.id);
        if (previous) this.#deadBytes += previous.ref.length;
        this.#runBytes -= previous?.text.length ?? 0;
        this.#runs.delete(entry.id);
        this.#dropFeedback(entry.id);
        this.#deadBytes += ref.length;
        return;
      }
      case 'fb': {
        let votes = this.#feedback.get(entry.run);
        if (!votes) this.#feedback.set(entry.run, (votes = new Map()));
        const key = `${entry.v.user}\u0000${entry.v.key}`;
        const previous = votes.get(key);
        if (previous) this.#deadBytes += previous.ref.length;
        votes.set(key, { value: entry.v, ref });
        return;
      }
      case 'runs-clear':
        for (const run of this.#runs.values()) this.#deadBytes += run.ref.length;
        for (const runId of [...this.#feedback.keys()]) this.#dropFeedback(runId);
        this.#runs.clear();
        this.#runBytes = 0;
        this.#deadBytes += ref.length;
        return;
      case 'cp':
        this.#addCheckpoint(entry.ns, { id: entry.id, s: entry.s, ref });
        return;
      case 'w':
        this.#addWrites(entry, ref);
        return;
      case 'rb':
        this.#dropAfter(entry.after);
        this.#deadBytes += ref.length;
        return;
      case 'cp-clear':
        this.#dropAfter(Number.NEGATIVE_INFINITY);
        this.#deadBytes += ref.length;
        return;
    }
  }

  #dropFeedback(runId: string) {
    for (const vote of this.#feedback.get(runId)?.values() ?? []) this.#deadBytes += vote.ref.length;
    this.#feedback.delete(runId);
  }

  #addCheckpoint(ns: string, meta: CheckpointMeta) {
    let byId = this.#checkpoints.get(ns);
    if (!byId) {
      byId = new Map();
      this.#checkpoints.set(ns, byId);
      this.#sortedIds.set(ns, []);
    }
    const previous = byId.get(meta.id);
    if (previous) this.#deadBytes += previous.ref.length;
    byId.set(meta.id, meta);
    const ids = this.#sortedIds.get(ns)!;
    if (previous) return;
    if (ids.length === 0 || ids[ids.length - 1]! < meta.id) ids.push(meta.id);
    else {
      ids.push(meta.id);
      ids.sort();
    }
  }

  #addWrites(entry: Extract<Entry, { t: 'w' }>, ref: EntryRef) {
    const key = writesKey(entry.ns, entry.cp);
    let list = this.#writes.get(key);
    if (!list) this.#writes.set(key, (list = []));
    let live = 0;
    entry.w.forEach((write, pos) => {
      const existing = list.findIndex((meta) => meta.task === entry.task && meta.idx === write.idx);
      const meta: WriteMeta = { task: entry.task, idx: write.idx, ch: write.ch, path: entry.path, s: entry.s, ref, pos };
      if (existing >= 0) {
        this.#releaseWrite(list[existing]!);
        list[existing] = meta;
      } else list.push(meta);
      live += 1;
    });
    this.#liveInLine.set(ref.offset, live);
  }

  #releaseWrite(meta: WriteMeta) {
    const left = (this.#liveInLine.get(meta.ref.offset) ?? 1) - 1;
    if (left <= 0) {
      this.#liveInLine.delete(meta.ref.offset);
      this.#deadBytes += meta.ref.length;
    } else this.#liveInLine.set(meta.ref.offset, left);
  }

  #dropAfter(after: number) {
    for (const [ns, byId] of this.#checkpoints) {
      for (const [id, meta] of byId) {
        if (meta.s <= after) continue;
        byId.delete(id);
        this.#deadBytes += meta.ref.length;
      }
      this.#sortedIds.set(ns, [...byId.keys()].sort());
      if (byId.size === 0) {
        this.#checkpoints.delete(ns);
        this.#sortedIds.delete(ns);
      }
    }
    for (const [key, list] of this.#writes) {
      const kept = list.filter((meta) => {
        if (meta.s <= after) return true;
        this.#releaseWrite(meta);
        return false;
      });
      if (kept.length === 0) this.#writes.delete(key);
      else this.#writes.set(key, kept);
    }
  }

  /** Rewrites the journal with only its live lines, in their original order. */
  #compact() {
    const lines: Array<{ offset: number; text: string }> = [];
    if (this.#thread) lines.push({ offset: this.#thread.ref.offset, text: this.#log.readRaw(this.#thread.ref) });
    if (this.#values.ref) lines.push({ offset: this.#values.ref.offset, text: this.#log.readRaw(this.#values.ref) });
    else if (this.#thread && this.#values.strong !== null && this.#values.strong !== undefined) {
      // Values that came inside an older-format thread line: keep them as their own line.
      lines.push({ offset: this.#thread.ref.offset - 0.5, text: JSON.stringify({ t: 'values', s: 0, v: this.#values.strong }) });
    }
    for (const run of this.#runs.values()) lines.push({ offset: run.ref.offset, text: this.#log.readRaw(run.ref) });
    for (const votes of this.#feedback.values()) for (const vote of votes.values()) lines.push({ offset: vote.ref.offset, text: this.#log.readRaw(vote.ref) });
    for (const byId of this.#checkpoints.values()) for (const meta of byId.values()) lines.push({ offset: meta.ref.offset, text: this.#log.readRaw(meta.ref) });
    const writeLines = new Map<number, EntryRef>();
    for (const list of this.#writes.values()) for (const meta of list) writeLines.set(meta.ref.offset, meta.ref);
    for (const ref of writeLines.values()) {
      // A line whose writes were partly superseded keeps only the live ones.
      const entry = this.#log.read<Extract<Entry, { t: 'w' }>>(ref);
      const key = writesKey(entry.ns, entry.cp);
      const livePositions = new Set((this.#writes.get(key) ?? []).filter((meta) => meta.ref.offset === ref.offset).map((meta) => meta.pos));
      const text = livePositions.size === entry.w.length ? this.#log.readRaw(ref) : JSON.stringify({ ...entry, w: entry.w.filter((_w, pos) => livePositions.has(pos)) });
      lines.push({ offset: ref.offset, text });
    }
    lines.sort((a, b) => a.offset - b.offset);
    this.#log.rewrite(lines.map((line) => line.text));
    // Re-read the compacted file to rebuild the index with the new positions.
    this.#log.close();
    const reopened = ThreadJournal.open(this.threadId, this.#log.path, false)!;
    this.#log = reopened.#log;
    this.#thread = reopened.#thread;
    this.#values = reopened.#values;
    this.#runs.clear();
    for (const [id, run] of reopened.#runs) this.#runs.set(id, run);
    this.#runBytes = reopened.#runBytes;
    this.#feedback.clear();
    for (const [runId, votes] of reopened.#feedback) this.#feedback.set(runId, votes);
    this.#checkpoints.clear();
    for (const [ns, byId] of reopened.#checkpoints) this.#checkpoints.set(ns, byId);
    this.#sortedIds.clear();
    for (const [ns, ids] of reopened.#sortedIds) this.#sortedIds.set(ns, ids);
    this.#writes.clear();
    for (const [key, list] of reopened.#writes) this.#writes.set(key, list);
    this.#liveInLine.clear();
    for (const [offset, live] of reopened.#liveInLine) this.#liveInLine.set(offset, live);
    this.#deadBytes = 0;
  }
}
