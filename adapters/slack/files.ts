import type { WebClient } from '@slack/web-api';
import { FileRefusedError, readLimited } from '../../src/chat/files-in.ts';
import { baseMime } from '../../src/chat/file-rules.ts';
import type { CallNeed } from '../../src/chat/rate-limiter.ts';
import { DeliveryError, type IncomingFile, type OutgoingFile, type Place } from '../../src/chat/types.ts';

/** A file as Slack describes it in a message event's `files`. */
export interface SlackEventFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
  /** `tombstone` (deleted) and `hidden_by_limit` (a free workspace's old file) come without URLs. */
  mode?: string;
}

/** The files of a message event, as the chat layer describes them: only those Slack gives a URL for. */
export function slackEventFiles(files: SlackEventFile[] | undefined): IncomingFile[] {
  return (files ?? []).flatMap((file) => {
    const url = file.url_private_download ?? file.url_private;
    if (!file.id || !url) return [];
    return [{ id: file.id, name: file.name ?? file.title ?? file.id, mimeType: file.mimetype ?? 'application/octet-stream', size: file.size ?? 0, url }];
  });
}

type Paced = <T>(method: string, place: { workspace: string; channel: string }, need: CallNeed, work: (client: WebClient) => Promise<T>) => Promise<T>;

/**
 * Slack's files for the adapter: downloads of `url_private(_download)` with the bot token
 * (only to Slack's own hosts, or the API host configured for tests), and uploads the way
 * Slack wants them since files.upload was retired: files.getUploadURLExternal, the bytes
 * POSTed to the upload URL, files.completeUploadExternal into the conversation's thread.
 */
export function slackFileTransfer(o: { tokenFor: (workspace: string) => Promise<string | undefined>; paced: Paced; apiUrl?: string | undefined }) {
  const apiHost = o.apiUrl ? new URL(o.apiUrl).host : undefined;
  const isSlackHost = (url: URL) => url.host === apiHost || url.hostname === 'slack.com' || url.hostname.endsWith('.slack.com');

  async function fetchFile(file: IncomingFile, maxBytes: number, place: Place): Promise<Uint8Array> {
    const url = new URL(file.url);
    // The bot token goes to Slack only, whatever URL an event names.
    if (!isSlackHost(url)) throw new FileRefusedError(`${file.name} is not on Slack (${url.host})`);
    // The token of the workspace the file was shared in (many workspaces: each its own).
    const token = await o.tokenFor(place.workspace);
    const response = await fetch(url, { headers: { authorization: `Bearer ${token ?? ''}` }, signal: AbortSignal.timeout(60_000) });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const message = `Slack answered HTTP ${response.status} for ${file.name}`;
      if (response.status >= 500 || response.status === 429) throw new Error(message);
      throw new FileRefusedError(message);
    }
    // Without the token (or the files:read scope) Slack answers 200 with its sign-in page.
    const type = baseMime(response.headers.get('content-type') ?? '');
    if (type === 'text/html' && baseMime(file.mimeType) !== 'text/html') {
      await response.body?.cancel().catch(() => undefined);
      throw new FileRefusedError(`Slack answered a sign-in page for ${file.name} (does the app have the files:read scope?)`);
    }
    return readLimited(response, maxBytes, file.name);
  }

  async function sendFile(place: Place, file: OutgoingFile): Promise<{ messageId: string }> {
    const target = { workspace: place.workspace, channel: place.channel };
    const ticket = (await o.paced('files.getUploadURLExternal', target, 'required', (client) =>
      client.files.getUploadURLExternal({ filename: file.name, length: file.data.byteLength }),
    )) as { upload_url?: string; file_id?: string };
    if (!ticket.upload_url || !ticket.file_id) throw new DeliveryError('Slack gave no upload URL', { permanent: true });
    let uploaded: Response;
    try {
      uploaded = await fetch(ticket.upload_url, {
        method: 'POST',
        headers: { 'content-type': file.mimeType },
        body: new Blob([file.data as Uint8Array<ArrayBuffer>]),
        signal: AbortSignal.timeout(120_000),
      });
    } catch (error) {
      throw new DeliveryError(`could not upload ${file.name} to Slack: ${(error as Error).message}`, { cause: error });
    }
    await uploaded.body?.cancel().catch(() => undefined);
    if (!uploaded.ok) throw new DeliveryError(`Slack's upload URL answered HTTP ${uploaded.status}`, { permanent: uploaded.status < 500 && uploaded.status !== 429 });
    await o.paced('files.completeUploadExternal', target, 'required', (client) =>
      client.files.completeUploadExternal({
        files: [{ id: ticket.file_id!, title: file.name }],
        channel_id: place.channel,
        ...(place.thread ? { thread_ts: place.thread } : {}),
      }),
    );
    return { messageId: ticket.file_id };
  }

  return { fetchFile, sendFile };
}
