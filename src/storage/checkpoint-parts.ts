import { TASKS, WRITES_IDX_MAP, compareWritesSortKeys, copyCheckpoint, maxChannelVersion, writesSortKey, type Checkpoint } from '@langchain/langgraph-checkpoint';

/** Rules every Switchboard checkpointer shares, whatever it stores in. */

/** A write's position: LangGraph's special channels (error, interrupt, resume) have fixed negative ones. */
export const writeIndex = (channel: string, position: number): number => WRITES_IDX_MAP[channel] ?? position;

/** Pending writes in LangGraph's order (by task path, task id, then index). */
export function inWriteOrder<T>(writes: T[], key: (write: T) => { path: string; task: string; idx: number }): T[] {
  return [...writes].sort((a, b) => {
    const left = key(a);
    const right = key(b);
    return compareWritesSortKeys(writesSortKey(left.path, left.task, left.idx), writesSortKey(right.path, right.task, right.idx));
  });
}

/** Checkpoints before format v4 kept pending sends as writes on their parent: they become the TASKS channel. */
export function addLegacySends(checkpoint: Checkpoint, sends: unknown[], nextVersion: () => string | number): void {
  checkpoint.channel_values[TASKS] = sends;
  const versions = Object.values(checkpoint.channel_versions);
  checkpoint.channel_versions[TASKS] = versions.length > 0 ? maxChannelVersion(...versions) : nextVersion();
}

/**
 * A checkpoint copied for storage. LangGraph 1.x's `copyCheckpoint` keeps only today's
 * fields, but a project that pins LangGraph 0.2 (format v1 to v3) also writes
 * `pending_sends` and crashes reading a checkpoint without it: that field is kept as written.
 */
export function copyForStorage(checkpoint: Checkpoint): Checkpoint {
  const copy = copyCheckpoint(checkpoint);
  const legacy = (checkpoint as { pending_sends?: unknown }).pending_sends;
  return Array.isArray(legacy) ? Object.assign(copy, { pending_sends: [...legacy] }) : copy;
}
