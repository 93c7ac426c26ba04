import type { ChatContext } from './context.ts';
import { humanSize, mimeAllowed, quotedName } from './file-rules.ts';
import type { ChatAdapter, IncomingFile, IncomingMessage, Place } from './types.ts';

/** LangChain's standard content blocks, as a human message carries them to the graph. */
export type HumanContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; mimeType: string; data: string; metadata: { filename: string } }
  | { type: 'file'; mimeType: string; data: string; metadata: { filename: string } };

/** How often a download is tried, and the waits between tries (a flaky CDN, a 5xx, a reset connection). */
const DOWNLOAD_ATTEMPTS = 3;
const DOWNLOAD_BACKOFF_MS = [500, 1500];

/** Why a file did not reach the graph: said to the person, and noted to the graph. */
interface Skipped {
  file: IncomingFile;
  reason: string;
}

/**
 * The content of the human message a chat message becomes: its text alone, or (when files
 * are attached) the text first, then each file that passes `chat.files` as an image or
 * file block (base64). Files that do not pass, or cannot be downloaded after a few tries,
 * are left out: the person is told which and why, the graph reads a note naming them, and
 * the message runs anyway. Nothing here is stored: the bytes go into the run's input.
 */
export async function humanContent(ctx: ChatContext, message: IncomingMessage, text: string): Promise<string | HumanContentBlock[]> {
  const files = message.files ?? [];
  if (files.length === 0) return text;
  const adapter = ctx.adapters.get(message.place.platform);
  const { max_bytes: maxBytes, types } = ctx.config.files;
  const blocks: HumanContentBlock[] = [];
  const skipped: Skipped[] = [];
  for (const file of files) {
    const refusal = !adapter?.fetchFile
      ? 'files cannot be read on this platform'
      : !mimeAllowed(file.mimeType, types)
        ? `${file.mimeType || 'this kind of file'} is not a kind I take (${types.join(', ')})`
        : file.size > maxBytes
          ? `it is ${humanSize(file.size)}, more than the ${humanSize(maxBytes)} I take`
          : undefined;
    if (refusal) {
      skipped.push({ file, reason: refusal });
      continue;
    }
    const downloaded = await download(ctx, adapter!, file, maxBytes, message.place);
    if (typeof downloaded === 'string') {
      skipped.push({ file, reason: downloaded });
      continue;
    }
    const data = Buffer.from(downloaded).toString('base64');
    const kind = file.mimeType.startsWith('image/') ? 'image' : 'file';
    blocks.push({ type: kind, mimeType: file.mimeType, data, metadata: { filename: file.name } });
  }
  const notes = skipped.map(({ file, reason }) => `(attached file "${file.name}" was not read: ${reason})`);
  const said = [text, ...notes].filter((part) => part.trim() !== '').join('\n');
  if (skipped.length > 0) tellSkipped(ctx, message, skipped);
  return said ? [{ type: 'text', text: said }, ...blocks] : blocks;
}

/** The bytes of a file, tried a few times with backoff; a sentence saying why not, when every try failed. */
async function download(ctx: ChatContext, adapter: ChatAdapter, file: IncomingFile, maxBytes: number, place: Place): Promise<Uint8Array | string> {
  let last: unknown;
  for (let attempt = 0; attempt < DOWNLOAD_ATTEMPTS; attempt += 1) {
    try {
      return await adapter.fetchFile!(file, maxBytes, place);
    } catch (error) {
      last = error;
      // A file larger than declared, or a refusal, does not get better by asking again.
      if ((error as { permanent?: boolean }).permanent) break;
      const wait = DOWNLOAD_BACKOFF_MS[attempt];
      if (wait !== undefined && attempt < DOWNLOAD_ATTEMPTS - 1) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  ctx.log.warn({ err: last, file: file.name, platform: adapter.platform }, 'could not download an attached file; the message runs without it');
  return `it could not be downloaded (${(last as Error)?.message ?? String(last)})`;
}

/** One private notice naming every file left out, and why. Not awaited to delivery: the run starts meanwhile. */
function tellSkipped(ctx: ChatContext, message: IncomingMessage, skipped: Skipped[]): void {
  const lines = skipped.map(({ file, reason }) => `• ${quotedName(file.name)}: ${reason}`);
  const markdown = `I did not read ${skipped.length === 1 ? 'this file' : 'these files'} (your message goes through without ${skipped.length === 1 ? 'it' : 'them'}):\n${lines.join('\n')}`;
  ctx.outbox
    .enqueue(message.place, { kind: 'ephemeral', userId: message.user.id, markdown })
    .catch((error: unknown) => ctx.log.warn({ err: error }, 'could not tell a person which files were left out'));
}

/** An error a download gives up on at once (the file is larger than allowed, the platform refuses). */
export class FileRefusedError extends Error {
  readonly permanent = true;
  readonly code = 'file_refused';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileRefusedError';
  }
}

/**
 * Reads a fetch answer's body, refusing more than `maxBytes` as it arrives (a platform may
 * declare less than it sends): memory stays bounded whatever the file.
 */
export async function readLimited(response: Response, maxBytes: number, name: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FileRefusedError(`${name} is ${humanSize(declared)}, more than ${humanSize(maxBytes)}`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new FileRefusedError(`${name} is more than ${humanSize(maxBytes)}`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
