import { describe, expect, it } from 'vitest';
import { eventText, StreamPages } from '../../src/engine/stream-pages.ts';

const texts = (log: ReturnType<StreamPages['store']>) => log.ends.map((_end, index) => eventText(log, index));

describe('StreamPages: finished stream logs kept as text on shared pages outside the heap', () => {
  it('gives back every event of every log as stored, multi-byte characters included', () => {
    const pages = new StreamPages();
    const first = pages.store(['{"id":"0","event":"values","data":{"text":"héllo ✓ 🚀"}}', '{"id":"1","event":"end"}']);
    const second = pages.store(['{"id":"0","event":"updates","data":{"n":2}}']);
    expect(texts(first)).toEqual(['{"id":"0","event":"values","data":{"text":"héllo ✓ 🚀"}}', '{"id":"1","event":"end"}']);
    expect(texts(second)).toEqual(['{"id":"0","event":"updates","data":{"n":2}}']);
    // Lengths are UTF-8 bytes, what the broker's byte budget counts.
    expect(first.length).toBe(Buffer.byteLength(texts(first).join('')));
  });

  it('packs small logs one after another on one page, and gives a log larger than half a page its own', () => {
    const pages = new StreamPages();
    const small = Array.from({ length: 20 }, (_v, n) => pages.store([`{"id":"0","data":"${'x'.repeat(20_000)}${n}"}`]));
    expect(new Set(small.map((log) => log.page)).size).toBe(1);
    expect(small[1]!.start).toBe(small[0]!.length);
    const big = pages.store([`"${'y'.repeat(600_000)}"`]);
    expect(big.page).not.toBe(small[0]!.page);
    expect(big.page.bytes.length).toBe(600_002);
    const after = pages.store(['"z"']);
    expect(after.page).toBe(small[0]!.page);
    expect(texts(small[7]!)[0]).toBe(`{"id":"0","data":"${'x'.repeat(20_000)}7"}`);
  });

  it('starts a new page when the current one is full, leaving the logs on the old one readable', () => {
    const pages = new StreamPages();
    const logs = Array.from({ length: 12 }, (_v, n) => pages.store([`"${String(n).repeat(100_000)}"`]));
    const pagesUsed = new Set(logs.map((log) => log.page));
    expect(pagesUsed.size).toBe(2);
    for (const [n, log] of logs.entries()) expect(texts(log)[0]).toBe(`"${String(n).repeat(100_000)}"`);
  });

  it('holds the text in page buffers of their own (outside the JavaScript heap, not slices of a shared pool)', () => {
    const pages = new StreamPages();
    const kept = Array.from({ length: 40 }, () => pages.store([`"${'a'.repeat(50_000)}"`]));
    const used = [...new Set(kept.map((log) => log.page))];
    expect(used).toHaveLength(2);
    for (const page of used) {
      expect(Buffer.isBuffer(page.bytes)).toBe(true);
      // A page owns its memory: freed whole when its logs are gone, not held by a neighbour.
      expect(page.bytes.buffer.byteLength).toBe(1024 * 1024);
      expect(page.bytes.byteOffset).toBe(0);
    }
    expect(kept.reduce((bytes, log) => bytes + log.length, 0)).toBe(40 * 50_002);
  });

  it('appends a late event by storing the log again, the old copy still readable by whoever holds it', () => {
    const pages = new StreamPages();
    const log = pages.store(['"a"', '"b"']);
    const moved = pages.append(log, '"c"');
    expect(texts(moved)).toEqual(['"a"', '"b"', '"c"']);
    expect(moved.start).toBe(log.length);
    expect(texts(log)).toEqual(['"a"', '"b"']);
  });

  it('after a reset, the next log starts a new page and the old one is no longer filled', () => {
    const pages = new StreamPages();
    const before = pages.store(['"a"']);
    pages.reset();
    const after = pages.store(['"b"']);
    expect(after.page).not.toBe(before.page);
    expect(after.start).toBe(0);
    expect(texts(before)).toEqual(['"a"']);
  });
});
