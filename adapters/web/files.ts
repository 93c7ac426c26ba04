import { Hono } from 'hono';
import { z } from 'zod';
import { FileRefusedError } from '../../src/chat/files-in.ts';
import { baseMime, safeFileName } from '../../src/chat/file-rules.ts';
import type { Collection, IncomingFile, OutgoingFile } from '../../src/chat/types.ts';
import { HttpError } from '../../src/http/errors.ts';
import { parseWith } from '../../src/http/validate.ts';

/** A file kept by the playground (it is the platform, so it keeps the files people and the bot post). */
export interface PlaygroundFileRecord {
  name: string;
  mimeType: string;
  size: number;
  /** The bytes, base64. */
  data: string;
  created_at: string;
}

/** How a message names its files (the bytes are fetched by id). */
export interface PlaygroundFileRef {
  id: string;
  name: string;
  mimeType: string;
  size: number;
}

/** At most this many files on one message. */
export const MAX_FILES_PER_MESSAGE = 10;

const fileUrl = (id: string) => `/playground/api/files/${encodeURIComponent(id)}`;

/**
 * The playground's files: uploads from the page and files the bot posts, each stored once
 * (in its own collection, not in the message that names it), served for download, and read
 * by the chat layer through the adapter's fetchFile.
 */
export class PlaygroundFiles {
  constructor(private readonly repo: Collection<PlaygroundFileRecord>) {}

  async put(name: string, mimeType: string, bytes: Uint8Array): Promise<PlaygroundFileRef> {
    const id = crypto.randomUUID();
    const record: PlaygroundFileRecord = {
      name: safeFileName(name, 'file'),
      mimeType: baseMime(mimeType) || 'application/octet-stream',
      size: bytes.byteLength,
      data: Buffer.from(bytes).toString('base64'),
      created_at: new Date().toISOString(),
    };
    await this.repo.put(id, record);
    return { id, name: record.name, mimeType: record.mimeType, size: record.size };
  }

  get(id: string): Promise<PlaygroundFileRecord | null> {
    return this.repo.get(id);
  }

  /** A message's file as the chat layer describes files. */
  describe(ref: PlaygroundFileRef): IncomingFile {
    return { id: ref.id, name: ref.name, mimeType: ref.mimeType, size: ref.size, url: fileUrl(ref.id) };
  }

  async fetch(file: IncomingFile, maxBytes: number): Promise<Uint8Array> {
    const found = await this.repo.get(file.id);
    if (!found) throw new FileRefusedError(`${file.name} is no longer in the playground`);
    if (found.size > maxBytes) throw new FileRefusedError(`${file.name} is larger than ${maxBytes} bytes`);
    return Buffer.from(found.data, 'base64');
  }

  /** Stores a file the bot posts. */
  keep(file: OutgoingFile): Promise<PlaygroundFileRef> {
    return this.put(file.name, file.mimeType, file.data);
  }
}

/** Images the page may show inline; everything else (SVG and HTML included) is only downloaded. */
const INLINE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** GET /playground/api/files/:id: a file for download (images inline), never run as a page of this origin. */
export function playgroundFileRoutes(files: PlaygroundFiles): Hono {
  return new Hono().get('/playground/api/files/:id', async (c) => {
    const found = await files.get(c.req.param('id'));
    if (!found) throw new HttpError(404, 'no such file');
    const disposition = INLINE.has(found.mimeType) ? 'inline' : 'attachment';
    return new Response(Buffer.from(found.data, 'base64'), {
      headers: {
        'content-type': found.mimeType,
        'content-disposition': `${disposition}; filename*=UTF-8''${encodeURIComponent(found.name)}`,
        'x-content-type-options': 'nosniff',
        // A file is data, not a page: nothing in it runs with the playground's rights.
        'content-security-policy': "sandbox; default-src 'none'",
        'cache-control': 'private, max-age=3600',
      },
    });
  });
}

const formFields = z.strictObject({
  user: z.string(),
  text: z.string().max(20_000).default(''),
  thread: z.string().min(1).optional(),
});

/** A message posted with files (multipart/form-data): its fields, and the files as uploaded. */
export async function readMessageForm(request: Request): Promise<{ fields: z.output<typeof formFields>; files: File[] }> {
  let form: FormData;
  try {
    form = await request.formData();
  } catch (error) {
    throw new HttpError(400, `the form could not be read: ${(error as Error).message}`);
  }
  const fields: Record<string, string> = {};
  const files: File[] = [];
  for (const [name, value] of form as unknown as Iterable<[string, string | File]>) {
    if (name === 'files' && typeof value !== 'string') files.push(value);
    else if (typeof value === 'string') fields[name] = value;
    else throw new HttpError(422, `unexpected file in field ${name} (files go in "files")`);
  }
  if (files.length > MAX_FILES_PER_MESSAGE) throw new HttpError(422, `at most ${MAX_FILES_PER_MESSAGE} files on one message`);
  return { fields: parseWith(formFields, fields), files };
}
