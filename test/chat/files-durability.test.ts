import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChatService } from '../../src/chat/chat.ts';
import type { IncomingFile, IncomingMessage } from '../../src/chat/types.ts';
import type { ChatSpec } from '../../src/config/schema.ts';
import { silentLogger } from '../../src/log.ts';
import { MemoryChatAdapter } from '../fakes/memory-chat.ts';
import { fakePng, graph as filesGraph, sha } from '../fixtures/graphs/files.ts';
import { eventually } from '../helpers/chat.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

const CONFIG: ChatSpec = {
  collect_quiet_ms: 300,
  edit_interval_ms: 200,
  context_messages: 20,
  files: { max_bytes: 10 * 1024 * 1024, types: ['image/*'] },
  channels: [],
  assistant: 'files',
};

/** A platform whose files come from a map; `hang` makes downloads never finish (a process about to die mid-download). */
class FilesPlatform extends MemoryChatAdapter {
  readonly hosted = new Map<string, Buffer>();
  readonly fetched: string[] = [];
  hang = false;
  async fetchFile(file: IncomingFile): Promise<Uint8Array> {
    this.fetched.push(file.id);
    if (this.hang) return new Promise(() => undefined);
    return this.hosted.get(file.id)!;
  }
}

describe('files in, across a process that stops mid-download', () => {
  let engine: TestEngine | undefined;
  afterEach(async () => {
    await engine?.dispose();
    engine = undefined;
  });

  it('the held message names its files (no bytes), and the process that takes it up downloads them and runs it', async () => {
    engine = await startTestEngine({ graphs: { files: filesGraph }, assistants: [{ name: 'files', graph: 'files' }] });
    const png = fakePng(200_000);
    const dying = new FilesPlatform();
    dying.hang = true;
    dying.hosted.set('F1', png);
    const first = new ChatService({ engine, store: engine.storage.chat, config: CONFIG, log: silentLogger() });
    first.addAdapter(dying);
    await first.start();
    const message: IncomingMessage = {
      place: { platform: 'memory', workspace: 'T1', channel: 'C1', thread: '100.1' },
      messageId: '100.1',
      user: { id: 'U1', name: 'ana' },
      text: 'what is this?',
      mentionsBot: true,
      isDirect: false,
      files: [{ id: 'F1', name: 'shot.png', mimeType: 'image/png', size: png.length, url: 'memory://F1' }],
    };
    // Acknowledged to the platform, then the download never ends: this process is as good as dead.
    void first.handleMessage(message);
    await eventually(() => expect(dying.fetched).toEqual(['F1']));
    // What is held: the message with its file's description, not its 200 KB (on disk, for the files backend).
    const [held] = await engine.storage.chat.inbox<{ message: IncomingMessage }>().unfinished();
    expect(held!.held.message.files).toEqual(message.files);
    if (engine.storage.kind === 'lowdb') {
      const inbox = readFileSync(join(engine.dataDir, 'chat', 'dedupe.jsonl'), 'utf8');
      expect(inbox).toContain('"shot.png"');
      expect(inbox.length).toBeLessThan(5_000);
    }

    // The next process (same storage) takes up what was held: downloads, runs, answers.
    const next = new FilesPlatform();
    next.hosted.set('F1', png);
    const second = new ChatService({ engine, store: engine.storage.chat, config: CONFIG, log: silentLogger() });
    second.addAdapter(next);
    await second.start();
    await eventually(() => expect(next.texts(message.place).join('\n')).toContain('files: 1'), 10_000);
    expect(next.texts(message.place).join('\n')).toContain(`image shot.png image/png 200000 bytes ${sha(png)}`);
    expect(next.fetched).toEqual(['F1']);
    await second.idle();
    expect(await engine.storage.chat.inbox().unfinished()).toEqual([]);
    await second.stop();
  });

  it('under `collect`, the files of every message of a burst reach the one run that answers it', async () => {
    engine = await startTestEngine({ graphs: { files: filesGraph }, assistants: [{ name: 'files', graph: 'files' }] });
    const platform = new FilesPlatform();
    const [a, b] = [fakePng(1000), fakePng(2000)];
    platform.hosted.set('FA', a);
    platform.hosted.set('FB', b);
    const chat = new ChatService({ engine, store: engine.storage.chat, config: { ...CONFIG, strategy: 'collect' }, log: silentLogger() });
    chat.addAdapter(platform);
    await chat.start();
    const place = { platform: 'memory', workspace: 'T1', channel: 'C1', thread: '200.1' };
    const said = (messageId: string, text: string, file: IncomingFile): IncomingMessage => ({
      place,
      messageId,
      user: { id: 'U1', name: 'ana' },
      text,
      mentionsBot: true,
      isDirect: false,
      files: [file],
    });
    await chat.handleMessage(said('200.1', 'first', { id: 'FA', name: 'a.png', mimeType: 'image/png', size: a.length, url: 'memory://FA' }));
    await chat.handleMessage(said('200.2', 'second', { id: 'FB', name: 'b.png', mimeType: 'image/png', size: b.length, url: 'memory://FB' }));
    await eventually(() => expect(platform.texts(place).join('\n')).toContain('files: 2'), 10_000);
    const answer = platform.texts(place).join('\n');
    expect(answer).toContain('text: first\nsecond');
    expect(answer).toContain(`image a.png image/png 1000 bytes ${sha(a)}`);
    expect(answer).toContain(`image b.png image/png 2000 bytes ${sha(b)}`);
    await chat.idle();
    await chat.stop();
  });
});
