import { resolve } from 'node:path';
import { WebClient } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { messageEvent, postSigned } from '../fakes/slack.ts';
import { fakePng, sha } from '../fixtures/graphs/files.ts';
import { eventually } from '../helpers/chat.ts';
import { tsCounter, useSlackHarness } from '../helpers/slack.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const nextTs = tsCounter(1_760_000_000);

/** Switchboard with the files graph (test/fixtures/graphs/files.ts) answering every conversation. */
const filesConfig = (chat: Record<string, unknown> = {}) => ({
  graphs: { files: resolve(ROOT, 'test/fixtures/graphs/files.ts:graph') },
  assistants: [{ name: 'files', graph: 'files' }],
  platforms: { slack: { streaming: 'edit' } },
  chat: { assistant: 'files', ...chat },
});

describe('Slack files through the real Bolt app', () => {
  const h = useSlackHarness('http');
  const send = (event: ReturnType<typeof messageEvent>) => postSigned(`${h.t.url}/slack/events`, JSON.stringify(event));
  const answer = (root: string) => h.slack.thread('C1', root).at(-1)?.text ?? '';
  const ephemeralsTo = (user: string) => h.slack.callsOf('chat.postEphemeral').filter((call) => call.args.user === user);

  it('an image and a PDF a person shares reach the graph after the text as image and file blocks, downloaded with the bot token', async () => {
    await h.start(filesConfig());
    const png = fakePng(20_000);
    const pdf = Buffer.from('%PDF-1.4\n% a small PDF\n');
    const files = [h.slack.files.add({ name: 'screen.png', mimetype: 'image/png', bytes: png }), h.slack.files.add({ name: 'spec.pdf', mimetype: 'application/pdf', bytes: pdf })];
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> what is in these?', ts: root, mention: true, files }));
    await eventually(() => expect(answer(root)).toContain('files: 2'), 15_000);
    expect(answer(root)).toContain('text: what is in these?');
    expect(answer(root)).toContain(`image screen.png image/png 20000 bytes ${sha(png)}`);
    expect(answer(root)).toContain(`file spec.pdf application/pdf ${pdf.length} bytes ${sha(pdf)}`);
    expect(h.slack.files.downloads.map((download) => download.authorized)).toEqual([true, true]);
    // The graph's input holds the blocks in order: text first, then the files.
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'slack', workspace: 'T1', channel: 'C1', thread: root });
    const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
    const content = (run!.kwargs.input as { messages: Array<{ content: Array<{ type: string }> }> }).messages.at(-1)!.content;
    expect(content.map((block) => block.type)).toEqual(['text', 'image', 'file']);
    expect(content[1]).toMatchObject({ type: 'image', mimeType: 'image/png', data: png.toString('base64') });
    expect(content[2]).toMatchObject({ type: 'file', mimeType: 'application/pdf', metadata: { filename: 'spec.pdf' } });
  });

  it('a file too large or of a kind not taken is not downloaded: the person is told, naming it, and the text still goes through', async () => {
    await h.start(filesConfig({ files: { max_bytes: 1000, types: ['image/*'] } }));
    const before = h.slack.files.downloads.length;
    const noticesBefore = ephemeralsTo('U1').length;
    const files = [
      h.slack.files.add({ name: 'huge.png', mimetype: 'image/png', bytes: fakePng(5000) }),
      h.slack.files.add({ name: 'tool.zip', mimetype: 'application/zip', bytes: Buffer.from('PK') }),
      h.slack.files.add({ name: 'ok.png', mimetype: 'image/png', bytes: fakePng(500) }),
    ];
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> look', ts: root, mention: true, files }));
    await eventually(() => expect(answer(root)).toContain('files: 1'), 15_000);
    expect(answer(root)).toContain('image ok.png image/png 500 bytes');
    // The graph is told what was left out, too.
    expect(answer(root)).toContain('attached file "huge.png" was not read');
    expect(h.slack.files.downloads.slice(before)).toHaveLength(1);
    expect(h.slack.files.downloads.at(-1)!.path).toContain('ok.png');
    await eventually(() => expect(ephemeralsTo('U1')).toHaveLength(noticesBefore + 1));
    const notice = String(ephemeralsTo('U1').at(-1)!.args.text);
    expect(notice).toContain('huge.png');
    expect(notice).toContain('more than the 1000 B');
    expect(notice).toContain('tool.zip');
    expect(notice).toContain('application/zip is not a kind I take');
    expect(notice).not.toContain('ok.png');
  });

  it('a failed download is retried; one that keeps failing is reported and the message runs without it', async () => {
    await h.start(filesConfig());
    const before = h.slack.files.downloads.length;
    const png = fakePng(3000);
    h.slack.files.failDownloads(1);
    const first = nextTs();
    await send(messageEvent({ text: '<@UBOT> flaky', ts: first, mention: true, files: [h.slack.files.add({ name: 'a.png', mimetype: 'image/png', bytes: png })] }));
    await eventually(() => expect(answer(first)).toContain('files: 1'), 15_000);
    expect(answer(first)).toContain(sha(png));
    expect(h.slack.files.downloads.slice(before)).toHaveLength(2);

    h.slack.files.failDownloads(10);
    const second = nextTs();
    await send(messageEvent({ text: '<@UBOT> broken', ts: second, mention: true, files: [h.slack.files.add({ name: 'b.png', mimetype: 'image/png', bytes: png })] }));
    await eventually(() => expect(answer(second)).toContain('files: 0'), 15_000);
    expect(answer(second)).toContain('text: broken');
    // Three tries, then given up on.
    expect(h.slack.files.downloads.slice(before)).toHaveLength(5);
    await eventually(() => expect(ephemeralsTo('U1').some((call) => String(call.args.text).includes('b.png') && String(call.args.text).includes('HTTP 503'))).toBe(true));
    h.slack.files.failDownloads(0);
  });

  it("an answer's image is uploaded into the conversation's thread: getUploadURLExternal, the bytes, completeUploadExternal with channel_id and thread_ts", async () => {
    await h.start(filesConfig());
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> make image 4096', ts: root, mention: true }));
    await eventually(() => expect(h.slack.files.shared.some((file) => file.thread_ts === root)).toBe(true), 15_000);
    const shared = h.slack.files.shared.find((file) => file.thread_ts === root)!;
    expect(shared).toMatchObject({ channel: 'C1', filename: 'chart.png', title: 'chart.png' });
    expect(sha(shared.bytes)).toBe(sha(fakePng(4096)));
    expect(h.slack.callsOf('files.getUploadURLExternal').at(-1)!.args).toMatchObject({ filename: 'chart.png', length: '4096' });
    // The text of the answer is posted as usual, before the file.
    expect(answer(root)).toContain('text: make image 4096');
    await h.t.sb.chat.idle();
    expect(await h.t.sb.chat.outbox.pending()).toEqual([]);
  });

  it('an upload Slack fails (500 on completeUploadExternal) is retried through the outbox and lands once, the blob then removed', async () => {
    await h.start(filesConfig());
    h.slack.failNext('files.completeUploadExternal', { status: 500 });
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> make image 2048', ts: root, mention: true }));
    await eventually(() => expect(h.slack.files.shared.filter((file) => file.thread_ts === root)).toHaveLength(1), 20_000);
    await h.t.sb.chat.idle();
    expect(h.slack.callsOf('files.completeUploadExternal').filter((call) => call.args.thread_ts === root)).toHaveLength(2);
    expect(await h.t.sb.chat.outbox.pending()).toEqual([]);
    const blobs = await h.t.sb.engine.storage.chat.collection('blobs').list();
    expect(blobs).toEqual([]);
  });

  it('round-trips a 10 MiB file (the default chat.files.max_bytes): in to the graph, and back into the thread as a file', async () => {
    await h.start(filesConfig());
    const big = fakePng(10 * 1024 * 1024);
    const root = nextTs();
    await send(messageEvent({ text: '<@UBOT> echo files', ts: root, mention: true, files: [h.slack.files.add({ name: 'big.png', mimetype: 'image/png', bytes: big })] }));
    await eventually(() => expect(h.slack.files.shared.some((file) => file.thread_ts === root)).toBe(true), 60_000);
    const shared = h.slack.files.shared.find((file) => file.thread_ts === root)!;
    expect(shared.filename).toBe('echo-big.png');
    expect(shared.bytes.length).toBe(big.length);
    expect(sha(shared.bytes)).toBe(sha(big));
    expect(answer(root)).toContain(`image big.png image/png ${big.length} bytes ${sha(big)}`);
  }, 90_000);

  it('the fake refuses what Slack refuses: unknown file ids, a size that does not match, thread_ts without a channel, downloads without the token', async () => {
    await h.start(filesConfig());
    const client = new WebClient('xoxb-test', { slackApiUrl: h.slack.apiUrl, retryConfig: { retries: 0 } });
    await expect(client.files.completeUploadExternal({ files: [{ id: 'F-nope' }], channel_id: 'C1' })).rejects.toMatchObject({ data: { error: 'file_not_found' } });
    const ticket = await client.files.getUploadURLExternal({ filename: 'x.txt', length: 10 });
    await fetch(ticket.upload_url!, { method: 'POST', body: 'only 7 b' });
    await expect(client.files.completeUploadExternal({ files: [{ id: ticket.file_id! }], channel_id: 'C1' })).rejects.toMatchObject({
      data: { error: 'file_upload_size_mismatch' },
    });
    const good = await client.files.getUploadURLExternal({ filename: 'y.txt', length: 3 });
    await fetch(good.upload_url!, { method: 'POST', body: 'abc' });
    await expect(client.files.completeUploadExternal({ files: [{ id: good.file_id! }], thread_ts: '1.2' } as never)).rejects.toMatchObject({
      data: { error: 'invalid_arguments' },
    });
    const hosted = h.slack.files.add({ name: 'p.txt', mimetype: 'text/plain', bytes: Buffer.from('secret') });
    const anonymous = await fetch(String(hosted.url_private_download));
    expect(anonymous.headers.get('content-type')).toContain('text/html');
    expect(await anonymous.text()).toContain('Sign in');
  });
});
