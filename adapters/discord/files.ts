import { type APIMessage, DiscordAPIError, type REST, Routes } from 'discord.js';
import { FileRefusedError, readLimited } from '../../src/chat/files-in.ts';
import { humanSize, quotedName } from '../../src/chat/file-rules.ts';
import type { IncomingFile, OutgoingFile } from '../../src/chat/types.ts';

/**
 * What a bot may upload in one message without server boosts: 10 MiB (Discord lowered the
 * default from 25 MiB to 10 MiB in 2024). Larger files get a note instead of a refused upload.
 */
export const DISCORD_UPLOAD_LIMIT = 10 * 1024 * 1024;
/** Discord's "Request entity too large": a boosted server's limit is higher, an old one lower than we think. */
const ENTITY_TOO_LARGE = 40005;

/** A message's attachments, as the chat layer describes files. */
export function discordAttachments(attachments: Iterable<{ id: string; name: string; contentType: string | null; size: number; url: string }>): IncomingFile[] {
  return [...attachments].map((attachment) => ({
    id: attachment.id,
    name: attachment.name,
    mimeType: attachment.contentType ?? 'application/octet-stream',
    size: attachment.size,
    url: attachment.url,
  }));
}

/** An attachment's bytes from Discord's CDN (its links are signed: no token is sent). */
export async function fetchAttachment(file: IncomingFile, maxBytes: number): Promise<Uint8Array> {
  const response = await fetch(file.url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const message = `Discord answered HTTP ${response.status} for ${file.name}`;
    if (response.status >= 500 || response.status === 429) throw new Error(message);
    throw new FileRefusedError(message);
  }
  return readLimited(response, maxBytes, file.name);
}

/**
 * Posts a file as a message's attachment (multipart: `payload_json` and `files[0]`). When
 * Discord refuses it as too large (40005), a note naming the file is posted instead.
 */
export async function postAttachment(rest: REST, channelId: string, file: OutgoingFile): Promise<APIMessage> {
  try {
    return (await rest.post(Routes.channelMessages(channelId), {
      body: { allowed_mentions: { parse: [] } },
      files: [{ name: file.name, data: Buffer.from(file.data), contentType: file.mimeType }],
    })) as APIMessage;
  } catch (error) {
    if (!(error instanceof DiscordAPIError) || error.code !== ENTITY_TOO_LARGE) throw error;
    const content = `_(I made a file, ${quotedName(file.name)} (${humanSize(file.data.byteLength)}), but Discord refused it as too large for this server, so it is not attached.)_`;
    return (await rest.post(Routes.channelMessages(channelId), { body: { content, allowed_mentions: { parse: [] } } })) as APIMessage;
  }
}
