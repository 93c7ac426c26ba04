import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SwitchboardError } from '../../errors.ts';

/** Where an entry sits in its file, to read it again later without keeping it in memory. */
export interface EntryRef {
  offset: number;
  length: number;
}

/** Parses a line from its head alone (bytes `start` to `end` of `buffer`), or answers undefined to have it parsed whole. */
export type LightParser = (buffer: Buffer, start: number, end: number) => unknown;

/** How much of a file is read at once when it is opened. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * A file of JSON lines that only grows: each `append` is one write of one whole line to
 * an open descriptor (a few microseconds, against a few hundred for rewriting a file), so
 * it is in the file system the moment `append` returns and survives the process being
 * killed. A line cut short (only a crash of the machine can do that) is dropped when the
 * file is opened. `rewrite` replaces the content atomically (temporary file + rename),
 * for compaction.
 */
export class AppendLog {
  readonly path: string;
  #fd: number;
  #size: number;

  private constructor(path: string, fd: number, size: number) {
    this.path = path;
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Opens (creating it when `create`) and hands every complete line to `onEntry`. The file is
   * read a chunk at a time, so opening a long journal does not hold all of it in memory at
   * once. `light`, when it returns an entry for a line, stands in for parsing all of it: the
   * owner of the file knows which lines it only needs the head of (a checkpoint's id, not its
   * body); the rest of such a line is checked when it is read.
   */
  static open(path: string, onEntry: (entry: unknown, ref: EntryRef) => void, options: { create: boolean; light?: LightParser }): AppendLog | null {
    if (!existsSync(path)) {
      if (!options.create) return null;
      mkdirSync(dirname(path), { recursive: true });
    }
    // Append mode: every write lands at the end, whatever the read position.
    const fd = openSync(path, 'a+');
    const size = fstatSync(fd).size;
    let position = 0;
    /** The bytes of an unfinished line carried over from the previous chunk, and where they start in the file. */
    let carry: Buffer | null = null;
    let carryOffset = 0;
    let lineNumber = 0;
    while (position < size) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, size - position));
      let read = 0;
      while (read < chunk.length) read += readSync(fd, chunk, read, chunk.length - read, position + read);
      position += chunk.length;
      const data: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (;;) {
        const end = data.indexOf(0x0a, start);
        if (end === -1) break;
        lineNumber += 1;
        let entry: unknown;
        try {
          entry = options.light?.(data, start, end) ?? JSON.parse(data.toString('utf8', start, end));
        } catch (error) {
          closeSync(fd);
          throw new SwitchboardError('storage_corrupt', `${path} line ${lineNumber} is not valid JSON`, { cause: error });
        }
        onEntry(entry, { offset: carryOffset + start, length: end - start });
        start = end + 1;
      }
      carry = start < data.length ? data.subarray(start) : null;
      carryOffset += start;
    }
    // An unfinished last line: never acknowledged, dropped.
    if (carry) ftruncateSync(fd, carryOffset);
    return new AppendLog(path, fd, carryOffset);
  }

  get size(): number {
    return this.#size;
  }

  append(entry: unknown): EntryRef {
    // Serialized first: a value that cannot be (too deep, say) throws before the file is touched.
    const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
    const offset = this.#size;
    let written = 0;
    try {
      while (written < line.length) written += writeSync(this.#fd, line, written, line.length - written);
    } catch (error) {
      // A line half written (a full disk) is cut off again, so the next append starts a clean line.
      if (written > 0) ftruncateSync(this.#fd, offset);
      throw error;
    }
    this.#size += line.length;
    return { offset, length: line.length - 1 };
  }

  read<T>(ref: EntryRef): T {
    const text = this.readRaw(ref);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      // A line opened by its head only (see `open`) is checked here.
      throw new SwitchboardError('storage_corrupt', `${this.path} at byte ${ref.offset} is not valid JSON`, { cause: error });
    }
  }

  /** Raw text of an entry, to copy it into a compacted file without parsing it. */
  readRaw(ref: EntryRef): string {
    const buffer = Buffer.alloc(ref.length);
    let read = 0;
    while (read < ref.length) read += readSync(this.#fd, buffer, read, ref.length - read, ref.offset + read);
    return buffer.toString('utf8');
  }

  /**
   * Replaces the whole file with `lines` (already serialized) and returns where each one
   * now is. Atomic: a crash leaves the old file or the new one.
   */
  rewrite(lines: string[]): EntryRef[] {
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    const refs: EntryRef[] = [];
    let offset = 0;
    try {
      for (const text of lines) {
        const line = Buffer.from(`${text}\n`, 'utf8');
        let written = 0;
        while (written < line.length) written += writeSync(fd, line, written, line.length - written);
        refs.push({ offset, length: line.length - 1 });
        offset += line.length;
      }
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    closeSync(this.#fd);
    this.#fd = openSync(this.path, 'a+');
    this.#size = offset;
    return refs;
  }

  close(): void {
    if (this.#fd >= 0) closeSync(this.#fd);
    this.#fd = -1;
  }

  /** Closes and deletes the file. */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}
