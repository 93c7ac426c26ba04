import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../../src/errors.ts';
import { AppendLog, type EntryRef } from '../../src/storage/files/append-log.ts';
import { openFilesIn, useTempDirs } from '../helpers/tmp-dir.ts';

/** The files backend's one primitive: a file of JSON lines that only grows, rewritten whole for compaction. */
describe('the append-only log', () => {
  const folder = useTempDirs();

  it('hands every line to the reader with where it sits, and reads an entry back from its place', () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, '{"a":1}\n{"b":"ü"}\n');
    const seen: Array<[unknown, EntryRef]> = [];
    const log = AppendLog.open(path, (entry, ref) => seen.push([entry, ref]), { create: false })!;
    expect(seen).toEqual([
      [{ a: 1 }, { offset: 0, length: 7 }],
      [{ b: 'ü' }, { offset: 8, length: 10 }],
    ]);
    expect(log.size).toBe(19);
    const third = log.append({ c: [1, 2] });
    expect(third).toEqual({ offset: 19, length: 11 });
    expect(log.read(seen[1]![1])).toEqual({ b: 'ü' });
    expect(log.read(third)).toEqual({ c: [1, 2] });
    expect(log.readRaw(seen[0]![1])).toBe('{"a":1}');
    log.close();
  });

  it('refuses a file with a line that is not JSON, with a stable code, the line number and the parse error as cause', () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, '{"a":1}\n{oops\n');
    let thrown: unknown;
    try {
      AppendLog.open(path, () => undefined, { create: false });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).code).toBe('storage_corrupt');
    expect((thrown as Error).message).toBe(`${path} line 2 is not valid JSON`);
    expect((thrown as Error).cause).toBeInstanceOf(SyntaxError);
    // The refused file is not left open.
    expect(openFilesIn(dir)).toBe(0);
  });

  it('rewrite replaces the content, returns where each line now is, appends after it, and leaves only the log open', () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    const log = AppendLog.open(path, () => undefined, { create: true })!;
    for (let i = 0; i < 5; i += 1) log.append({ i });
    const refs = log.rewrite(['{"x":1}', '{"y":"ü"}']);
    expect(refs).toEqual([
      { offset: 0, length: 7 },
      { offset: 8, length: 10 },
    ]);
    expect(refs.map((ref) => log.read(ref))).toEqual([{ x: 1 }, { y: 'ü' }]);
    expect(log.size).toBe(19);
    expect(log.append({ z: 2 })).toEqual({ offset: 19, length: 7 });
    expect(readFileSync(path, 'utf8')).toBe('{"x":1}\n{"y":"ü"}\n{"z":2}\n');
    expect(readdirSync(dir)).toEqual(['log.jsonl']);
    expect(openFilesIn(dir)).toBe(1);
    log.close();
    expect(openFilesIn(dir)).toBe(0);
    // Closing again is harmless (a journal closed by its pool, then at shutdown).
    expect(() => log.close()).not.toThrow();
  });

  it('an append the disk refuses throws the disk error itself (a full disk: ENOSPC)', () => {
    // /dev/full refuses every write with ENOSPC, as a full disk does.
    const log = AppendLog.open('/dev/full', () => undefined, { create: false })!;
    expect(() => log.append({ a: 1 })).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    log.close();
  });

  it('reads a file bigger than its read chunk: lines across chunk edges, one line longer than a chunk, a cut-off last line dropped', () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    // Lines of many sizes (one of 1.5 MiB) so that chunk edges fall inside lines, and multibyte text on both sides of them.
    const entries = [0, 10, 700_000, 3, 1_500_000, 5, 400_000, 1].map((size, i) => ({ i, text: `${'é'.repeat(size % 7)}${'x'.repeat(size)}` }));
    writeFileSync(path, `${entries.map((entry) => JSON.stringify(entry)).join('\n')}\n{"torn":`);
    const seen: Array<[unknown, EntryRef]> = [];
    const log = AppendLog.open(path, (entry, ref) => seen.push([entry, ref]), { create: false })!;
    expect(seen.map(([entry]) => entry)).toEqual(entries);
    for (const [entry, ref] of seen) expect(log.read(ref)).toEqual(entry);
    // The cut-off line is gone from the file, and the next append starts a line of its own.
    const appended = log.append({ after: true });
    expect(log.read(appended)).toEqual({ after: true });
    log.close();
    expect(readFileSync(path, 'utf8').endsWith(`${JSON.stringify(entries.at(-1))}\n{"after":true}\n`)).toBe(true);
  });

  it('takes the entry a light parser gives for a line, and says a line it skipped is corrupt when that line is read', () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    writeFileSync(path, '{"a":1}\n{"head":2,"body":[oops}\n');
    const seen: unknown[] = [];
    const light = (buffer: Buffer, start: number, end: number) => (buffer.toString('utf8', start, end).startsWith('{"head"') ? { head: 2 } : undefined);
    const log = AppendLog.open(path, (entry, ref) => seen.push([entry, ref]), { create: false, light })!;
    expect(seen.map((pair) => (pair as [unknown])[0])).toEqual([{ a: 1 }, { head: 2 }]);
    const ref = (seen[1] as [unknown, EntryRef])[1];
    expect(() => log.read(ref)).toThrow(`${path} at byte 8 is not valid JSON`);
    let thrown: unknown;
    try {
      log.read(ref);
    } catch (error) {
      thrown = error;
    }
    expect((thrown as SwitchboardError).code).toBe('storage_corrupt');
    log.close();
  });
});
