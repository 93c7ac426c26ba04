import { closeSync, existsSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { SwitchboardError } from '../../errors.ts';

/** Where an entry sits in its file, to read it again later without keeping it in memory. */
export interface EntryRef {
  offset: number;
  length: number;
}

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

  /** Opens (creating it when `create`) and hands every complete line to `onEntry`. */
  static open(path: string, onEntry: (entry: unknown, ref: EntryRef) => void, options: { create: boolean }): AppendLog | null {
    if (!existsSync(path)) {
      if (!options.create) return null;
      mkdirSync(dirname(path), { recursive: true });
    }
    // Append mode: every write lands at the end, whatever the read position.
    const fd = openSync(path, 'a+');
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) read += readSync(fd, buffer, read, size - read, read);
    let start = 0;
    let lineNumber = 0;
    while (start < size) {
      const end = buffer.indexOf(0x0a, start);
      if (end === -1) break; // an unfinished last line: never acknowledged, dropped below
      lineNumber += 1;
      const text = buffer.toString('utf8', start, end);
      let entry: unknown;
      try {
        entry = JSON.parse(text);
      } catch (error) {
        closeSync(fd);
        throw new SwitchboardError('storage_corrupt', `${path} line ${lineNumber} is not valid JSON`, { cause: error });
      }
      onEntry(entry, { offset: start, length: end - start });
      start = end + 1;
    }
    if (start < size) ftruncateSync(fd, start);
    return new AppendLog(path, fd, start);
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
    const buffer = Buffer.alloc(ref.length);
    let read = 0;
    while (read < ref.length) read += readSync(this.#fd, buffer, read, ref.length - read, ref.offset + read);
    return JSON.parse(buffer.toString('utf8')) as T;
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
