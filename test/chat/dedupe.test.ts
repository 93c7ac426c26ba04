import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openFilesChat } from '../../src/storage/files/chat.ts';
import { AppendLog } from '../../src/storage/files/append-log.ts';
import { KeyedJournal } from '../../src/storage/files/keyed-journal.ts';
import { openFilesIn, useTempDirs } from '../helpers/tmp-dir.ts';

/** The inbox and collections of the files backend, reopened as a restart would. */
describe('dedupe and chat collections on files', () => {
  const folder = useTempDirs();
  afterEach(() => {
    vi.useRealTimers();
  });
  const lines = (dir: string, name: string) =>
    readFileSync(join(dir, 'chat', `${name}.jsonl`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));

  it('a delivery accepted before a restart is refused after it, and the message it held is still unfinished until finished', async () => {
    const dir = folder();
    const first = openFilesChat(dir);
    expect(await first.inbox().accept('event:E1', 60_000, { text: 'hi' })).toBe(true);
    expect(await first.inbox().accept('event:E2', 60_000)).toBe(true);
    first.close();
    const second = openFilesChat(dir);
    expect(await second.inbox().accept('event:E1', 60_000, { text: 'again' })).toBe(false);
    expect(await second.inbox().accept('event:E2', 60_000)).toBe(false);
    expect(await second.inbox().unfinished()).toEqual([{ key: 'event:E1', held: { text: 'hi' } }]);
    await second.inbox().finish('event:E1');
    await second.inbox().finish('event:unknown');
    second.close();
    const third = openFilesChat(dir);
    expect(await third.inbox().unfinished()).toEqual([]);
    expect(await third.inbox().accept('event:E1', 60_000)).toBe(false);
    third.close();
  });

  it('what unfinished gives is a copy', async () => {
    const chat = openFilesChat(folder());
    await chat.inbox().accept('k', 60_000, { text: 'hi' });
    const [entry] = await chat.inbox().unfinished();
    (entry!.held as { text: string }).text = 'changed';
    expect(await chat.inbox().unfinished()).toEqual([{ key: 'k', held: { text: 'hi' } }]);
    chat.close();
  });

  it('a key is accepted again once expired (not at the instant it expires), and expired keys are swept a minute apart, held ones kept', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z'), toFake: ['Date'] });
    const dir = folder();
    const chat = openFilesChat(dir);
    const inbox = chat.inbox();
    expect(await inbox.accept('short', 1_000)).toBe(true);
    expect(await inbox.accept('held', 1_000, { text: 'keep me' })).toBe(true);
    vi.setSystemTime(Date.now() + 1_000);
    expect(await inbox.accept('short', 1_000)).toBe(false);
    vi.setSystemTime(Date.now() + 1);
    expect(await inbox.accept('short', 1_000)).toBe(true);
    expect(await inbox.accept('other', 1_000)).toBe(true);
    // The first accept swept (nothing had expired then); the next sweep is due a minute after it.
    vi.setSystemTime(Date.now() + 58_000);
    await inbox.accept('trigger1', 1_000);
    expect(lines(dir, 'dedupe').filter((line) => line.d === 1)).toEqual([]);
    vi.setSystemTime(Date.now() + 2_000);
    await inbox.accept('trigger2', 1_000);
    const deleted = lines(dir, 'dedupe')
      .filter((line) => line.d === 1)
      .map((line) => line.k);
    expect(deleted.sort()).toEqual(['other', 'short', 'trigger1']);
    expect(await inbox.unfinished()).toEqual([{ key: 'held', held: { text: 'keep me' } }]);
    chat.close();
  });

  it('collections are kept apart, survive a restart, and the inbox file cannot be opened as one', async () => {
    const dir = folder();
    const chat = openFilesChat(dir);
    await chat.collection('outbox').put('a', { n: 1 });
    await chat.collection('replies').put('a', { n: 2 });
    expect(chat.collection('outbox')).toBe(chat.collection('outbox'));
    expect(() => chat.collection('dedupe')).toThrow('"dedupe" cannot name a chat collection');
    expect(() => chat.collection('Bad Name')).toThrow('cannot name a chat collection');
    chat.close();
    const again = openFilesChat(dir);
    expect(await again.collection('outbox').get('a')).toEqual({ n: 1 });
    expect(await again.collection('replies').list()).toEqual([{ key: 'a', value: { n: 2 } }]);
    again.close();
  });

  it('a key whose expiry is the very instant of a sweep is kept by the sweep, and refused at that instant', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z'), toFake: ['Date'] });
    const dir = folder();
    const chat = openFilesChat(dir);
    const inbox = chat.inbox();
    // The first accept sweeps; the next sweep is due just over a minute later, when 'edge' expires.
    expect(await inbox.accept('edge', 60_001)).toBe(true);
    vi.setSystemTime(Date.now() + 60_001);
    expect(await inbox.accept('edge', 1_000)).toBe(false);
    expect(lines(dir, 'dedupe').filter((line) => line.d === 1)).toEqual([]);
    chat.close();
  });

  it('sweeps a minute apart, not sooner: at exactly 60 s after the last sweep an expired key is still on file', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z'), toFake: ['Date'] });
    const dir = folder();
    const chat = openFilesChat(dir);
    expect(await chat.inbox().accept('old', 1_000)).toBe(true);
    vi.setSystemTime(Date.now() + 60_000);
    await chat.inbox().accept('at-the-minute', 1_000);
    expect(lines(dir, 'dedupe').filter((line) => line.d === 1)).toEqual([]);
    vi.setSystemTime(Date.now() + 1);
    await chat.inbox().accept('past-the-minute', 1_000);
    expect(lines(dir, 'dedupe').filter((line) => line.d === 1)).toEqual([{ k: 'old', d: 1 }]);
    chat.close();
  });

  it('names the collections that have a journal in the folder: not the inbox, not other files; none before the folder exists', async () => {
    const dir = folder();
    const chat = openFilesChat(dir);
    expect(chat.collectionNames()).toEqual([]);
    await chat.collection('outbox').put('a', 1);
    await chat.collection('replies').put('b', 2);
    await chat.inbox().accept('event:E1', 60_000);
    writeFileSync(join(dir, 'chat', 'notes.txt'), 'not a journal');
    writeFileSync(join(dir, 'chat', 'Bad Name.jsonl'), '');
    mkdirSync(join(dir, 'chat', 'folder.jsonl.d'));
    expect(chat.collectionNames().sort()).toEqual(['outbox', 'replies']);
    chat.close();
  });

  it('gives every delivery key with its expiry and a copy of what it holds, and restores keys from elsewhere as they were, never over a key it knows', async () => {
    const dir = folder();
    const chat = openFilesChat(dir);
    const inbox = chat.inbox();
    expect(chat.inboxEntries()).toEqual([]);
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z'), toFake: ['Date'] });
    await inbox.accept('plain', 1_000);
    await inbox.accept('holding', 2_000, { text: 'hi' });
    const entries = chat.inboxEntries();
    expect(entries).toEqual([
      { key: 'plain', expires: Date.now() + 1_000 },
      { key: 'holding', expires: Date.now() + 2_000, held: { text: 'hi' } },
    ]);
    (entries[1]!.held as { text: string }).text = 'changed';
    expect(await inbox.unfinished()).toEqual([{ key: 'holding', held: { text: 'hi' } }]);

    expect(chat.restoreInboxEntry({ key: 'moved', expires: Date.now() + 5_000, held: { text: 'from elsewhere' } })).toBe(true);
    expect(chat.restoreInboxEntry({ key: 'moved-plain', expires: Date.now() + 5_000 })).toBe(true);
    expect(chat.restoreInboxEntry({ key: 'holding', expires: 1, held: { text: 'other' } })).toBe(false);
    chat.close();
    const again = openFilesChat(dir);
    expect(again.inboxEntries()).toEqual([
      { key: 'plain', expires: Date.now() + 1_000 },
      { key: 'holding', expires: Date.now() + 2_000, held: { text: 'hi' } },
      { key: 'moved', expires: Date.now() + 5_000, held: { text: 'from elsewhere' } },
      { key: 'moved-plain', expires: Date.now() + 5_000 },
    ]);
    // A restored key is a delivery seen: refused until it expires.
    expect(await again.inbox().accept('moved', 1_000)).toBe(false);
    expect(await again.inbox().unfinished()).toEqual([
      { key: 'holding', held: { text: 'hi' } },
      { key: 'moved', held: { text: 'from elsewhere' } },
    ]);
    again.close();
  });

  it('close releases every file it opened', async () => {
    const dir = folder();
    const openHere = () => openFilesIn(dir);
    const chat = openFilesChat(dir);
    await chat.inbox().accept('event:E1', 60_000);
    await chat.collection('outbox').put('a', 1);
    await chat.collection('replies').put('b', 2);
    expect(openHere()).toBe(3);
    chat.close();
    expect(openHere()).toBe(0);
  });
});

describe('the keyed journal (a durable map on one append-only file)', () => {
  const folder = useTempDirs();
  const fileLines = (dir: string) => readFileSync(join(dir, 'map.jsonl'), 'utf8').split('\n').filter(Boolean);

  it('the latest line of a key wins after reopening; deletes stick; values are copies both ways', async () => {
    const dir = folder();
    const map = new KeyedJournal<{ n: number }>(dir, 'map');
    const value = { n: 1 };
    await map.put('a', value);
    value.n = 99;
    await map.put('b', { n: 2 });
    await map.put('a', { n: 3 });
    await map.delete('b');
    await map.delete('never');
    const got = (await map.get('a'))!;
    got.n = 100;
    expect(await map.get('a')).toEqual({ n: 3 });
    expect(await map.get('b')).toBeNull();
    expect(fileLines(dir)).toEqual(['{"k":"a","v":{"n":1}}', '{"k":"b","v":{"n":2}}', '{"k":"a","v":{"n":3}}', '{"k":"b","d":1}']);
    map.close();
    const again = new KeyedJournal<{ n: number }>(dir, 'map');
    expect(await again.list()).toEqual([{ key: 'a', value: { n: 3 } }]);
    expect(again.keys()).toEqual(['a']);
    const [listed] = await again.list();
    listed!.value.n = 7;
    expect(again.peek('a')).toEqual({ n: 3 });
    again.close();
  });

  it('lists in the order keys were first stored', async () => {
    const map = new KeyedJournal<number>(folder(), 'map');
    for (const key of ['c', 'a', 'b']) await map.put(key, 1);
    await map.put('c', 2);
    expect((await map.list()).map((entry) => entry.key)).toEqual(['c', 'a', 'b']);
    map.close();
  });

  it('rewrites the file with only live lines once it holds over 1000 lines, three times the live keys, and keeps every value', async () => {
    const dir = folder();
    const map = new KeyedJournal<number>(dir, 'map');
    for (let i = 0; i < 1000; i += 1) await map.put(`k${i % 10}`, i);
    // 1000 lines, 10 live: not yet past 1000.
    expect(fileLines(dir)).toHaveLength(1000);
    await map.put('k0', 1000);
    expect(fileLines(dir)).toHaveLength(10);
    expect(await map.get('k0')).toBe(1000);
    // Counting starts again from the live lines: 990 more writes stay under the limit.
    for (let i = 0; i < 990; i += 1) await map.put(`k${i % 10}`, i);
    expect(fileLines(dir)).toHaveLength(1000);
    map.close();
    const again = new KeyedJournal<number>(dir, 'map');
    expect(await again.get('k9')).toBe(989);
    // Reopened, the lines read count too: one more line (a delete) compacts.
    again.remove('k1');
    expect(fileLines(dir)).toHaveLength(9);
    expect(await again.get('k1')).toBeNull();
    again.close();
  });

  it('does not compact a file whose lines are mostly live', async () => {
    const dir = folder();
    const map = new KeyedJournal<number>(dir, 'map');
    for (let i = 0; i < 1200; i += 1) await map.put(`k${i % 500}`, i);
    expect(fileLines(dir)).toHaveLength(1200);
    map.close();
  });

  it('a value that cannot be written leaves memory and the file as they were', async () => {
    const dir = folder();
    const map = new KeyedJournal<unknown>(dir, 'map');
    await map.put('a', 1);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    await expect(map.put('a', cyclic)).rejects.toThrow();
    expect(await map.get('a')).toBe(1);
    expect(fileLines(dir)).toEqual(['{"k":"a","v":1}']);
    map.close();
  });

  it('a line cut short by a machine crash is dropped on reopening; a corrupt line is refused, naming the file and line', async () => {
    const dir = folder();
    const map = new KeyedJournal<number>(dir, 'map');
    await map.put('a', 1);
    map.close();
    writeFileSync(join(dir, 'map.jsonl'), '{"k":"a","v":1}\n{"k":"b","v":', { flag: 'w' });
    const cut = new KeyedJournal<number>(dir, 'map');
    expect(await cut.list()).toEqual([{ key: 'a', value: 1 }]);
    await cut.put('c', 3);
    expect(fileLines(dir)).toEqual(['{"k":"a","v":1}', '{"k":"c","v":3}']);
    cut.close();
    writeFileSync(join(dir, 'map.jsonl'), '{"k":"a","v":1}\nnot json\n');
    expect(() => new KeyedJournal<number>(dir, 'map').keys()).toThrow(`${join(dir, 'map.jsonl')} line 2 is not valid JSON`);
  });

  it('an append that cannot be written throws, and the file keeps only whole lines', async () => {
    const dir = folder();
    const path = join(dir, 'log.jsonl');
    const log = AppendLog.open(path, () => undefined, { create: true })!;
    expect(log.append({ a: 1 })).toEqual({ offset: 0, length: 7 });
    log.close();
    expect(() => log.append({ b: 2 })).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}\n');
    expect(AppendLog.open(join(dir, 'missing.jsonl'), () => undefined, { create: false })).toBeNull();
  });
});
