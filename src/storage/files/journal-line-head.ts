/**
 * Reading a thread journal at open by the heads of its long lines only.
 *
 * Why: a journal holds every checkpoint of its thread, and each checkpoint line carries the
 * channels it changed, for a chat the whole conversation: a thread of 150 messages has a file
 * of several MiB, almost all of it checkpoint bodies and superseded `values` lines. Opening
 * one (again after the pool closed it) parsed all of that to keep a few ids; measured on 200
 * such threads, every run reopened its journal and the server slowed sevenfold. The index
 * needs only a checkpoint's sequence, namespace and id, and only the last `values` line
 * (read when asked for), all at the head of their line as `JSON.stringify` wrote it.
 */

/** Shorter lines are parsed whole: cheap, and checked at once. */
const HEAD_ONLY_FROM_BYTES = 2048;
/** Enough for the fields below with a long subgraph namespace. */
const HEAD_BYTES = 1024;

const CHECKPOINT = /^\{"t":"cp","s":(\d+),"ns":("(?:[^"\\]|\\.)*"),"id":("(?:[^"\\]|\\.)*"),"parent":/;
const VALUES = /^\{"t":"values","s":(\d+),"v":/;

/** The entry of a long checkpoint or values line from its head; undefined for every other line (parsed whole). */
export function journalLineHead(buffer: Buffer, start: number, end: number): unknown {
  // A line that does not end its object is left to the full parse, which says it is corrupt.
  if (end - start < HEAD_ONLY_FROM_BYTES || buffer[end - 1] !== 0x7d) return undefined;
  const head = buffer.toString('utf8', start, start + HEAD_BYTES);
  const checkpoint = CHECKPOINT.exec(head);
  if (checkpoint) return { t: 'cp', s: Number(checkpoint[1]), ns: JSON.parse(checkpoint[2]!) as string, id: JSON.parse(checkpoint[3]!) as string };
  const values = VALUES.exec(head);
  if (values) return { t: 'values', s: Number(values[1]) };
  return undefined;
}
