import { join } from 'node:path';
import type { ChatRepo } from '../types.ts';
import { KeyedJournal } from './keyed-journal.ts';

/** The chat layer's state under `data/chat/`, one keyed journal per collection. */
export function openLowdbChat(dataDir: string): ChatRepo & { close(): void } {
  const dir = join(dataDir, 'chat');
  const conversations = new KeyedJournal<Record<string, unknown>>(dir, 'conversations');
  const channels = new KeyedJournal<Record<string, unknown>>(dir, 'channels');
  const prompts = new KeyedJournal<Record<string, unknown>>(dir, 'prompts');
  const replies = new KeyedJournal<Record<string, unknown>>(dir, 'replies');
  const outbox = new KeyedJournal<Record<string, unknown>>(dir, 'outbox');
  const playground = new KeyedJournal<Record<string, unknown>>(dir, 'playground');
  const dedupe = new KeyedJournal<{ expires: number; note?: unknown }>(dir, 'dedupe');
  let lastSweep = 0;
  return {
    conversations,
    channels,
    prompts,
    replies,
    outbox,
    playground,
    async claim(key, ttlMs, note) {
      // Synchronous from check to record: two deliveries of one event cannot both win.
      const now = Date.now();
      if (now - lastSweep > 60_000) {
        // Forget expired keys now and then, so the file stays the size of a day of traffic.
        lastSweep = now;
        for (const old of dedupe.keys()) {
          const entry = dedupe.peek(old);
          if (entry && entry.expires < now && entry.note === undefined) dedupe.remove(old);
        }
      }
      const existing = dedupe.peek(key);
      if (existing !== undefined && existing.expires >= now) return false;
      dedupe.set(key, { expires: now + ttlMs, ...(note === undefined ? {} : { note }) });
      return true;
    },
    async notes() {
      return dedupe.keys().flatMap((key) => {
        const entry = dedupe.peek(key);
        return entry?.note === undefined ? [] : [{ key, note: structuredClone(entry.note) }];
      });
    },
    async clearNote(key) {
      const entry = dedupe.peek(key);
      if (entry?.note !== undefined) dedupe.set(key, { expires: entry.expires });
    },
    close() {
      for (const journal of [conversations, channels, prompts, replies, outbox, playground, dedupe]) journal.close();
    },
  };
}
