import type { IncomingMessage, ServerResponse } from 'node:http';

/** A file a person shared in Slack, as the fake hosts it. */
interface HostedFile {
  id: string;
  name: string;
  mimetype: string;
  bytes: Buffer;
}

/** An upload the app started with files.getUploadURLExternal. */
interface Upload {
  id: string;
  filename: string;
  length: number;
  bytes?: Buffer | undefined;
  completed?: boolean;
}

/** A file the app shared with files.completeUploadExternal. */
export interface SharedFile {
  id: string;
  title: string;
  filename: string;
  bytes: Buffer;
  /** Unset: the upload completed without a channel, so Slack keeps it private to the app. */
  channel?: string | undefined;
  thread_ts?: string | undefined;
}

/**
 * Slack's files for the fake, as strict as Slack: `url_private` downloads that need the bot
 * token (without it Slack answers 200 with an HTML sign-in page, as it really does), the
 * files.getUploadURLExternal -> POST to the upload URL -> files.completeUploadExternal
 * upload, with Slack's refusals (missing arguments, unknown file ids, bytes that do not
 * match the declared length).
 */
export class FakeSlackFiles {
  readonly hosted = new Map<string, HostedFile>();
  readonly uploads = new Map<string, Upload>();
  readonly shared: SharedFile[] = [];
  /** Every download asked for: the path and whether it carried the bot token. */
  readonly downloads: Array<{ path: string; authorized: boolean }> = [];
  #failDownloads = 0;
  #counter = 0;

  constructor(
    private readonly baseUrl: () => string,
    private readonly botToken = 'xoxb-test',
  ) {}

  /** A file a person shares: returns what Slack puts in the message event's `files`. */
  add(o: { name: string; mimetype: string; bytes: Buffer; size?: number }): Record<string, unknown> {
    const id = `F${String(++this.#counter).padStart(8, '0')}`;
    this.hosted.set(id, { id, name: o.name, mimetype: o.mimetype, bytes: o.bytes });
    const path = `/files-pri/T1-${id}`;
    return {
      id,
      name: o.name,
      title: o.name,
      mimetype: o.mimetype,
      filetype: o.name.split('.').at(-1) ?? 'binary',
      size: o.size ?? o.bytes.length,
      mode: 'hosted',
      url_private: `${this.baseUrl()}${path}/${encodeURIComponent(o.name)}`,
      url_private_download: `${this.baseUrl()}${path}/download/${encodeURIComponent(o.name)}`,
    };
  }

  /** The next `count` downloads answer 503, as a flaky file server does. */
  failDownloads(count: number): void {
    this.#failDownloads = count;
  }

  /** Serves downloads and uploads; false for any other path (a Web API method). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    if (path.startsWith('/files-pri/')) {
      this.#download(req, res, path);
      return true;
    }
    if (path.startsWith('/upload/v1/')) {
      await this.#upload(req, res, path.slice('/upload/v1/'.length));
      return true;
    }
    return false;
  }

  #download(req: IncomingMessage, res: ServerResponse, path: string) {
    const authorized = req.headers.authorization === `Bearer ${this.botToken}`;
    this.downloads.push({ path, authorized });
    if (this.#failDownloads > 0) {
      this.#failDownloads -= 1;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
      return;
    }
    if (!authorized) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!DOCTYPE html><html><title>Slack</title><body>Sign in to your workspace</body></html>');
      return;
    }
    const id = /^\/files-pri\/T1-(F\w+)\//.exec(path)?.[1];
    const file = id ? this.hosted.get(id) : undefined;
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': file.mimetype, 'content-length': String(file.bytes.length) }).end(file.bytes);
  }

  async #upload(req: IncomingMessage, res: ServerResponse, id: string) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const upload = this.uploads.get(id);
    if (req.method !== 'POST' || !upload) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    upload.bytes = Buffer.concat(chunks);
    res.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${upload.bytes.length}`);
  }

  /** files.* Web API methods; undefined for any other method. */
  answer(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
    if (method === 'files.getUploadURLExternal') {
      const length = Number(args.length);
      if (typeof args.filename !== 'string' || args.filename === '' || !Number.isInteger(length) || length < 1) {
        return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: filename or length'] } };
      }
      const id = `F${String(++this.#counter).padStart(8, '0')}`;
      this.uploads.set(id, { id, filename: args.filename, length });
      return { ok: true, upload_url: `${this.baseUrl()}/upload/v1/${id}`, file_id: id };
    }
    if (method === 'files.completeUploadExternal') {
      const files = typeof args.files === 'string' ? safeJson(args.files) : args.files;
      if (!Array.isArray(files) || files.length === 0) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] missing required field: files'] } };
      const channel = typeof args.channel_id === 'string' && args.channel_id !== '' ? args.channel_id : undefined;
      if (args.thread_ts !== undefined && !channel) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['[ERROR] thread_ts needs channel_id'] } };
      const found: Array<{ upload: Upload; title: string }> = [];
      for (const entry of files as Array<{ id?: string; title?: string }>) {
        const upload = entry.id ? this.uploads.get(entry.id) : undefined;
        if (!upload || upload.completed || !upload.bytes) return { ok: false, error: 'file_not_found' };
        // The bytes posted must be the length announced to getUploadURLExternal (the error name is the fake's own).
        if (upload.bytes.length !== upload.length) return { ok: false, error: 'file_upload_size_mismatch' };
        found.push({ upload, title: entry.title ?? upload.filename });
      }
      for (const { upload, title } of found) {
        upload.completed = true;
        this.shared.push({ id: upload.id, title, filename: upload.filename, bytes: upload.bytes!, channel, thread_ts: args.thread_ts as string | undefined });
      }
      return { ok: true, files: found.map(({ upload, title }) => ({ id: upload.id, title, name: upload.filename, size: upload.length })) };
    }
    return undefined;
  }
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}
