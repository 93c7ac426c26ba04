import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a bot may upload in one message without server boosts: 10 MiB (Discord's default since 2024). */
export const DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024;

/** An attachment as Discord puts it on a message. */
export interface WireAttachment {
  id: string;
  filename: string;
  size: number;
  url: string;
  proxy_url: string;
  content_type: string;
}

/** A file of a multipart message create: its form field (`files[n]`), name, type and bytes. */
export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

/**
 * Discord's files for the fake: attachments served from a local "CDN" (GET /attachments/…,
 * no token needed, as Discord's signed CDN links), and multipart message creates read as
 * Discord reads them (`payload_json` and `files[n]`), refused with 413 / 40005 beyond the
 * upload limit.
 */
export class FakeDiscordFiles {
  readonly #served = new Map<string, { bytes: Buffer; contentType: string }>();
  /** Paths of every attachment download, in order. */
  readonly downloads: string[] = [];
  /** Total bytes one message may upload (a boosted server allows more). */
  uploadLimit = DISCORD_UPLOAD_LIMIT;
  #failDownloads = 0;

  constructor(private readonly baseUrl: () => string) {}

  /** Hosts a file and returns the attachment that names it. */
  host(id: string, channelId: string, o: { filename: string; contentType: string; bytes: Buffer }): WireAttachment {
    const path = `/attachments/${channelId}/${id}/${encodeURIComponent(o.filename)}`;
    this.#served.set(path, { bytes: o.bytes, contentType: o.contentType });
    const url = `${this.baseUrl()}${path}`;
    return { id, filename: o.filename, size: o.bytes.length, url, proxy_url: url, content_type: o.contentType };
  }

  /** The next `count` downloads answer 502, as a CDN hiccup does. */
  failDownloads(count: number): void {
    this.#failDownloads = count;
  }

  /** Serves GET /attachments/…; false for any other request. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith('/attachments/')) return false;
    this.downloads.push(decodeURIComponent(path));
    if (this.#failDownloads > 0) {
      this.#failDownloads -= 1;
      res.writeHead(502, { 'content-type': 'text/plain' }).end('Bad Gateway');
      return true;
    }
    const file = this.#served.get(path);
    if (!file) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    else res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.bytes.length) }).end(file.bytes);
    return true;
  }

  /** A multipart body as Discord reads it: `payload_json` (the message) and the `files[n]` parts. */
  async readMultipart(raw: Buffer, contentType: string): Promise<{ payload: Record<string, unknown>; files: UploadedFile[] }> {
    const form = await new Request('http://fake/', { method: 'POST', headers: { 'content-type': contentType }, body: new Uint8Array(raw) }).formData();
    const payloadText = form.get('payload_json');
    const payload = typeof payloadText === 'string' ? (JSON.parse(payloadText) as Record<string, unknown>) : {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form as unknown as Iterable<[string, string | File]>) {
      if (!/^files\[\d+\]$/.test(field) || typeof value === 'string') continue;
      files.push({ field, filename: value.name, contentType: value.type || 'application/octet-stream', bytes: Buffer.from(await value.arrayBuffer()) });
    }
    return { payload, files };
  }
}
