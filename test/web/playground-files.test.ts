/// <reference lib="dom" />
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fakePng, sha } from '../fixtures/graphs/files.ts';
import { HAS_BROWSER } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { playgroundSuite } from '../helpers/playground-suite.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const filesConfig = (chat: Record<string, unknown> = {}) => ({
  graphs: { files: resolve(ROOT, 'test/fixtures/graphs/files.ts:graph') },
  assistants: [{ name: 'files', graph: 'files' }],
  chat: { assistant: 'files', ...chat },
});

describe.skipIf(!HAS_BROWSER)('files in the web playground, in a real browser', () => {
  const suite = playgroundSuite();

  /** A page as `name`; the test's Switchboard starts on the files config (with `chat`) with its first page. */
  async function open(name: string, chat: Record<string, unknown> = {}) {
    await suite.start(filesConfig(chat));
    return suite.open(name);
  }
  // Links are relative to the page (which may be served under http.mount_prefix).
  const fetchBytes = async (href: string) => Buffer.from(await (await fetch(new URL(href, `${suite.t.url}/`))).arrayBuffer());

  it("a file chosen in the page reaches the graph; the answer's files show as download links with a preview", async () => {
    const ana = await open('ana');
    const png = fakePng(12_000);
    await ana.page.setInputFiles('[data-testid=attach]', { name: 'diagram.png', mimeType: 'image/png', buffer: png });
    await eventually(async () => expect(await ana.page.locator('[data-testid=pending-file]').count()).toBe(1));
    await ana.say('echo files and make image 3000');
    await eventually(async () => expect((await ana.texts(ana.botReplies)).join('\n')).toContain('files: 1'), 15_000);
    expect((await ana.texts(ana.botReplies)).join('\n')).toContain(`image diagram.png image/png 12000 bytes ${sha(png)}`);
    // The person's own message shows its file, and the pending list is empty again.
    const links = ana.page.locator('[data-testid=thread-messages] [data-testid=file]');
    await eventually(async () => expect(await links.count()).toBe(3), 15_000);
    expect(await ana.page.locator('[data-testid=pending-file]').count()).toBe(0);
    const names = await links.allTextContents();
    expect(names[0]).toContain('diagram.png');
    expect(names.slice(1).join(' ')).toContain('echo-diagram.png');
    expect(names.slice(1).join(' ')).toContain('chart.png');
    // The round trip: the bytes the bot sent back are the bytes sent.
    const echoHref = (await ana.page.locator('[data-author=switchboard] [data-testid=file]', { hasText: 'echo-diagram.png' }).getAttribute('href'))!;
    expect(sha(await fetchBytes(echoHref))).toBe(sha(png));
    const chartHref = (await ana.page.locator('[data-author=switchboard] [data-testid=file]', { hasText: 'chart.png' }).last().getAttribute('href'))!;
    expect(sha(await fetchBytes(chartHref))).toBe(sha(fakePng(3000)));
    // Images show inline: the preview loaded (a PNG-like file that is no real picture has no width, but the request succeeded).
    expect(await ana.page.locator('[data-author=switchboard] [data-testid=file-preview]').count()).toBe(2);
  });

  it('a pasted screenshot is attached to the message', async () => {
    const ana = await open('ana');
    await ana.page.evaluate(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4])], 'image.png', { type: 'image/png' }));
      document.querySelector('[data-testid=composer]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }));
    });
    await eventually(async () => expect(await ana.page.locator('[data-testid=pending-file]').count()).toBe(1));
    expect(await ana.page.locator('[data-testid=pending-file]').textContent()).toMatch(/^pasted-\d+-1\.png \(8 B\)/);
    await ana.say('what is this?');
    await eventually(async () => expect((await ana.texts(ana.botReplies)).join('\n')).toMatch(/image pasted-\d+-1\.png image\/png 8 bytes/), 15_000);
  });

  it('a file of a kind not taken is not read: a private notice names it, and the text still goes through', async () => {
    const ana = await open('ana');
    await ana.page.setInputFiles('[data-testid=attach]', [
      { name: 'tools.zip', mimeType: 'application/zip', buffer: Buffer.from('PK\u0003\u0004') },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('remember the milk') },
    ]);
    await ana.say('here you go');
    await eventually(async () => expect((await ana.texts(ana.botReplies)).join('\n')).toContain('files: 1'), 15_000);
    expect((await ana.texts(ana.botReplies)).join('\n')).toContain('file notes.txt text/plain 17 bytes');
    await eventually(async () => expect((await ana.texts(ana.notices)).join('\n')).toContain('tools.zip'));
    expect((await ana.texts(ana.notices)).join('\n')).toContain('application/zip is not a kind I take');
  });

  it('round-trips a 10 MiB file through the upload API (server.max_body_bytes raised above it) and back as a download', async () => {
    await suite.start({ ...filesConfig(), server: { port: 0, max_body_bytes: 12 * 1024 * 1024 } });
    const big = fakePng(10 * 1024 * 1024);
    const form = new FormData();
    form.append('user', 'ana');
    form.append('text', 'echo files');
    form.append('files', new Blob([new Uint8Array(big)], { type: 'image/png' }), 'big.png');
    const posted = await fetch(`${suite.t.url}/playground/api/channels/general/messages`, { method: 'POST', body: form, headers: { origin: suite.t.url } });
    expect(posted.status).toBe(201);
    const { id } = (await posted.json()) as { id: string };
    const botFiles = async () => {
      const { messages } = (await (await fetch(`${suite.t.url}/playground/api/channels/general/messages`)).json()) as {
        messages: Array<{ thread: string | null; user: { bot?: boolean }; files?: Array<{ id: string; name: string; size: number }> }>;
      };
      return messages.filter((message) => message.thread === id && message.user.bot).flatMap((message) => message.files ?? []);
    };
    await eventually(async () => expect(await botFiles()).toHaveLength(1), 60_000);
    const [echoed] = await botFiles();
    expect(echoed).toMatchObject({ name: 'echo-big.png', size: big.length });
    expect(sha(await fetchBytes(`/playground/api/files/${echoed!.id}`))).toBe(sha(big));
  }, 90_000);

  it('the upload API refuses bad forms with 422 and serves files as downloads that cannot run as pages', async () => {
    await open('ana');
    const form = new FormData();
    form.append('text', 'no user');
    form.append('files', new Blob(['x'], { type: 'text/plain' }), 'x.txt');
    const post = (body: FormData, origin = suite.t.url) => fetch(`${suite.t.url}/playground/api/channels/general/messages`, { method: 'POST', body, headers: { origin } });
    // A form from a page on another site is refused (403), one without an Origin is not JSON (415).
    expect((await post(form, 'https://evil.example')).status).toBe(403);
    expect((await fetch(`${suite.t.url}/playground/api/channels/general/messages`, { method: 'POST', body: form })).status).toBe(415);
    expect((await post(form)).status).toBe(422);
    const html = new FormData();
    html.append('user', 'bo');
    html.append('text', '');
    html.append('files', new Blob(['<script>alert(1)</script>'], { type: 'text/html' }), 'page.html');
    const posted = await post(html);
    expect(posted.status).toBe(201);
    const { files } = (await posted.json()) as { files: Array<{ id: string; name: string; size: number }> };
    expect(files).toMatchObject([{ name: 'page.html', size: 25 }]);
    const served = await fetch(`${suite.t.url}/playground/api/files/${files[0]!.id}`);
    expect(served.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(served.headers.get('content-security-policy')).toContain('sandbox');
    expect(await served.text()).toBe('<script>alert(1)</script>');
    expect((await fetch(`${suite.t.url}/playground/api/files/nope`)).status).toBe(404);
  });
});
