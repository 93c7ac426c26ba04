import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakePng, sha } from '../fixtures/graphs/files.ts';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness } from '../helpers/discord.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MiB = 1024 * 1024;

/** Switchboard with the files graph (test/fixtures/graphs/files.ts) answering every conversation. */
const filesConfig = (chat: Record<string, unknown> = {}) => ({
  graphs: { files: resolve(ROOT, 'test/fixtures/graphs/files.ts:graph') },
  assistants: [{ name: 'files', graph: 'files' }],
  chat: { assistant: 'files', ...chat },
});

describe('Discord files through the real discord.js client', () => {
  const h = useDiscordHarness();
  const texts = () => h.discord.botMessages(GENERAL).map((message) => message.content);
  const withFiles = () => h.discord.botMessages(GENERAL).filter((message) => (message.attachments ?? []).length > 0);
  const download = async (attachment: unknown) => Buffer.from(await (await fetch((attachment as { url: string }).url)).arrayBuffer());

  it('attachments reach the graph after the text as image and file blocks, fetched from the CDN', async () => {
    await h.start(filesConfig());
    const png = fakePng(30_000);
    const log = Buffer.from('12:00 boot\n12:01 crash\n');
    h.discord.userMessage({
      channel: GENERAL,
      user: 'ana',
      content: 'what happened?',
      mention: true,
      attachments: [
        { filename: 'screen.png', contentType: 'image/png', bytes: png },
        { filename: 'boot.log', contentType: 'text/plain; charset=utf-8', bytes: log },
      ],
    });
    await eventually(() => expect(texts().join('\n')).toContain('files: 2'), 15_000);
    const answer = texts().find((text) => text.includes('files: 2'))!;
    expect(answer).toContain('text: what happened?');
    expect(answer).toContain(`image screen.png image/png 30000 bytes ${sha(png)}`);
    expect(answer).toContain(`file boot.log text/plain; charset=utf-8 ${log.length} bytes ${sha(log)}`);
    expect(h.discord.files.downloads).toHaveLength(2);
  });

  it('a file too large or of a kind not taken is not fetched: the person is told, naming it, and the text still goes through', async () => {
    await h.start(filesConfig({ files: { max_bytes: 2000 } }));
    h.discord.userMessage({
      channel: GENERAL,
      user: 'ana',
      content: 'see attached',
      mention: true,
      attachments: [
        { filename: 'big.png', contentType: 'image/png', bytes: fakePng(5000) },
        { filename: 'setup.exe', contentType: 'application/x-msdownload', bytes: Buffer.from('MZ') },
      ],
    });
    await eventually(() => expect(texts().join('\n')).toContain('files: 0'), 15_000);
    expect(texts().join('\n')).toContain('text: see attached');
    expect(h.discord.files.downloads).toEqual([]);
    const notice = texts().find((text) => text.includes('I did not read'))!;
    expect(notice).toContain(`<@${h.discord.userId('ana')}>`);
    expect(notice).toContain('big.png');
    expect(notice).toContain('setup.exe');
    expect(notice).toContain('application/x-msdownload is not a kind I take');
  });

  it('a CDN hiccup is retried and the file arrives', async () => {
    await h.start(filesConfig());
    const png = fakePng(1000);
    h.discord.files.failDownloads(2);
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'retry me', mention: true, attachments: [{ filename: 'a.png', contentType: 'image/png', bytes: png }] });
    await eventually(() => expect(texts().join('\n')).toContain('files: 1'), 15_000);
    expect(texts().join('\n')).toContain(sha(png));
    expect(h.discord.files.downloads).toHaveLength(3);
  });

  it("an answer's image is posted as an attachment (multipart files[0] + payload_json) after the text", async () => {
    await h.start(filesConfig());
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'make image 6000', mention: true });
    await eventually(() => expect(withFiles()).toHaveLength(1), 15_000);
    const [message] = withFiles();
    const [attachment] = message!.attachments as Array<{ filename: string; content_type: string; size: number }>;
    expect(attachment).toMatchObject({ filename: 'chart.png', content_type: 'image/png', size: 6000 });
    expect(sha(await download(attachment))).toBe(sha(fakePng(6000)));
    // The text came first, then the file.
    const all = h.discord.botMessages(GENERAL);
    expect(all.findIndex((each) => each.content.includes('text: make image'))).toBeLessThan(all.indexOf(message!));
    const upload = h.discord.callsTo(/^POST \/channels\/\d+\/messages$/).find((call) => call.body && !('content' in call.body));
    expect(upload).toBeDefined();
  });

  it('round-trips a 10 MiB file (the default chat.files.max_bytes and the upload limit): in to the graph, and back as an attachment', async () => {
    await h.start(filesConfig());
    const big = fakePng(10 * MiB);
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'echo files', mention: true, attachments: [{ filename: 'big.png', contentType: 'image/png', bytes: big }] });
    await eventually(() => expect(withFiles()).toHaveLength(1), 60_000);
    const [attachment] = withFiles()[0]!.attachments as Array<{ filename: string; size: number }>;
    expect(attachment).toMatchObject({ filename: 'echo-big.png', size: big.length });
    expect(sha(await download(attachment))).toBe(sha(big));
  }, 90_000);

  it('a file beyond the upload limit gets a clear note: above 10 MiB before trying, and when Discord refuses with 40005', async () => {
    await h.start(filesConfig());
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: `make image ${10 * MiB + 1}`, mention: true });
    await eventually(() => expect(texts().join('\n')).toContain('larger than the 10 MiB a message can carry here'), 30_000);
    expect(texts().join('\n')).toContain('`chart.png` (10 MiB)');
    expect(withFiles()).toEqual([]);

    // A server whose limit is lower than the adapter expects: Discord answers 413 / 40005.
    h.discord.files.uploadLimit = 1000;
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'make image 5000', mention: true });
    await eventually(() => expect(texts().join('\n')).toContain('Discord refused it as too large'), 15_000);
    expect(h.discord.calls.some((call) => call.method === 'POST' && call.path.endsWith('/messages') && call.body?.content === undefined)).toBe(true);
    expect(withFiles()).toEqual([]);
    await h.t.sb.chat.idle();
    expect(await h.t.sb.chat.outbox.pending()).toEqual([]);
  });
});
