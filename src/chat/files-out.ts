import type { Logger } from 'pino';
import { readLimited } from './files-in.ts';
import { baseMime, defaultFileName, humanSize, quotedName, safeFileName } from './file-rules.ts';
import type { Outbox } from './outbox.ts';
import type { ChatState } from './state.ts';
import { type ChatAdapter, DeliveryError, type OutgoingFile, type Place } from './types.ts';

/** A file a graph answered with: its bytes (base64) or where to fetch them. */
export interface AnswerFile {
  name: string;
  mimeType: string;
  data?: string | undefined;
  url?: string | undefined;
}

/** The outbox's record of a file to post: small, the bytes kept apart under `blob` (or fetched from `url`). */
export interface FileOp {
  kind: 'file';
  name: string;
  mimeType: string;
  /** Key of the bytes in the chat state's `blobs` (deleted once delivered). */
  blob?: string | undefined;
  url?: string | undefined;
}

/** What the blobs collection holds: a file's bytes, base64, until it is delivered. */
export interface Blob {
  data: string;
}

/** The most a file answered by URL may weigh when fetched for delivery. */
const MAX_FETCHED_BYTES = 100 * 1024 * 1024;

type Block = { type?: unknown; [key: string]: unknown };

/**
 * The files in the AI messages a run added after the last human message: LangChain's
 * standard blocks (`image` / `file` / `audio` / `video` with base64 `data` or a `url`), the
 * older `source_type` form, and OpenAI's `image_url` (a data: URL or a link).
 */
export function answerFiles(values: Record<string, unknown> | null): AnswerFile[] {
  const messages = (values?.messages ?? []) as Array<{ type?: string; content?: unknown }>;
  if (!Array.isArray(messages)) return [];
  let lastHuman = -1;
  messages.forEach((message, index) => {
    if (message?.type === 'human') lastHuman = index;
  });
  const blocks = messages
    .slice(lastHuman + 1)
    .filter((message) => message?.type === 'ai' && Array.isArray(message.content))
    .flatMap((message) => message.content as Block[]);
  const files: AnswerFile[] = [];
  for (const block of blocks) {
    const file = fileOfBlock(block, files.length);
    if (file) files.push(file);
  }
  return files;
}

function fileOfBlock(block: Block, index: number): AnswerFile | undefined {
  if (!block || typeof block !== 'object') return undefined;
  if (block.type === 'image_url') {
    const url = typeof block.image_url === 'string' ? block.image_url : (block.image_url as { url?: unknown } | undefined)?.url;
    return typeof url === 'string' ? fromUrl(url, 'image/png', undefined, index) : undefined;
  }
  if (!['image', 'file', 'audio', 'video'].includes(String(block.type))) return undefined;
  const metadata = (block.metadata ?? {}) as { filename?: unknown; name?: unknown };
  const named = [metadata.filename, metadata.name, block.filename, block.name].find((value): value is string => typeof value === 'string');
  const fallbackType = block.type === 'image' ? 'image/png' : 'application/octet-stream';
  const mimeType = String(block.mimeType ?? block.mime_type ?? fallbackType);
  // Base64 `data` (the v1 blocks, and the older ones with source_type: 'base64'), else a `url`.
  const data = typeof block.data === 'string' && block.data !== '' ? block.data : undefined;
  if (data) return { name: safeFileName(named ?? '', defaultFileName(mimeType, index)), mimeType, data };
  if (typeof block.url === 'string') return fromUrl(block.url, mimeType, named, index);
  return undefined;
}

/** A file from a URL: a data: URL carries its bytes, an http(s) one is fetched when delivered. */
function fromUrl(url: string, mimeType: string, named: string | undefined, index: number): AnswerFile | undefined {
  const inline = /^data:([^;,]+)?(;base64)?,(.*)$/s.exec(url);
  if (inline) {
    const type = inline[1] ?? mimeType;
    const data = inline[2] ? inline[3]! : Buffer.from(decodeURIComponent(inline[3]!)).toString('base64');
    return { name: safeFileName(named ?? '', defaultFileName(type, index)), mimeType: type, data };
  }
  if (!/^https?:\/\//i.test(url)) return undefined;
  const fromPath = decodeURIComponent(new URL(url).pathname.split('/').at(-1) ?? '');
  return { name: safeFileName(named ?? fromPath, defaultFileName(mimeType, index)), mimeType, url };
}

/**
 * Queues a run's files for delivery through the outbox, after its text: the bytes are
 * stored once under a blob key (journal lines of the outbox stay small, and a retry
 * rewrites only the small item), and deleted when the file is delivered or given up on.
 * Resolves once every file is stored, with the promise of their delivery; a file that
 * cannot be delivered gets a note naming it, never silence.
 */
export async function queueAnswerFiles(o: { outbox: Outbox; state: ChatState; log: Logger; place: Place; runId: string; files: AnswerFile[] }): Promise<Promise<void>> {
  const deliveries: Array<Promise<void>> = [];
  for (const [index, file] of o.files.entries()) {
    const blob = file.data ? `${o.runId}:${index}` : undefined;
    if (blob) await o.state.blobs.put(blob, { data: file.data! });
    const op: FileOp = { kind: 'file', name: file.name, mimeType: file.mimeType, blob, url: file.url };
    const { delivered } = await o.outbox.queue(o.place, op);
    deliveries.push(
      delivered.then(
        () => undefined,
        async (error: unknown) => {
          // Stopping: the item stays stored and is delivered at the next start.
          if (!(error instanceof DeliveryError) || !error.permanent) return;
          o.log.warn({ err: error, file: file.name }, 'a file of an answer could not be posted; posting a note instead');
          const markdown = `_(I made a file, ${quotedName(file.name)}, but could not post it here: ${error.message})_`;
          await o.outbox.queue(o.place, { kind: 'send', message: { markdown } });
        },
      ),
    );
  }
  return Promise.all(deliveries).then(() => undefined);
}

/**
 * Delivers one queued file: its bytes from the blob (or fetched from its URL), posted as a
 * file where the platform can, as a note naming it where the file is larger than the
 * platform takes (Discord's upload limit) or the platform has no files.
 */
export async function deliverFile(adapter: ChatAdapter, state: ChatState, place: Place, op: FileOp): Promise<string | undefined> {
  let data: Uint8Array;
  if (op.blob) {
    const stored = await state.blobs.get(op.blob);
    if (!stored) throw new DeliveryError(`the bytes of ${op.name} are gone`, { permanent: true });
    data = Buffer.from(stored.data, 'base64');
  } else if (op.url) {
    data = await fetchAnswerFile(op.url, op.name);
  } else throw new DeliveryError(`${op.name} has no bytes and no URL`, { permanent: true });
  const file: OutgoingFile = { name: op.name, mimeType: baseMime(op.mimeType) || 'application/octet-stream', data };
  if (!adapter.sendFile) return (await adapter.send(place, { markdown: `_(I made a file, ${quotedName(op.name)}, but files cannot be posted here.)_` })).messageId;
  if (adapter.maxUploadBytes !== undefined && data.byteLength > adapter.maxUploadBytes) {
    const markdown = `_(I made a file, ${quotedName(op.name)} (${humanSize(data.byteLength)}), but it is larger than the ${humanSize(adapter.maxUploadBytes)} a message can carry here, so it is not attached.)_`;
    return (await adapter.send(place, { markdown })).messageId;
  }
  return (await adapter.sendFile(place, file)).messageId;
}

async function fetchAnswerFile(url: string, name: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new DeliveryError(`could not fetch ${name}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new DeliveryError(`could not fetch ${name}: HTTP ${response.status}`, { permanent: response.status < 500 });
  }
  try {
    return await readLimited(response, MAX_FETCHED_BYTES, name);
  } catch (error) {
    throw new DeliveryError((error as Error).message, { permanent: true, cause: error });
  }
}
