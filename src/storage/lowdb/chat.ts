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
  const dedupe = new KeyedJournal<number>(dir, 'dedupe');
  let lastSweep = 0;
  return {
    conversations,
    channels,
    prompts,
    replies,
    outbox,
    async claim(key, ttlMs) {
      // Synchronous from check to record: two deliveries of one event cannot both win.
      const now = Date.now();
      if (now - lastSweep > 60_000) {
        // Forget expired keys now and then, so the file stays the size of a day of traffic.
        lastSweep = now;
        for (const old of dedupe.keys()) if ((dedupe.peek(old) ?? 0) < now) dedupe.remove(old);
      }
      const expires = dedupe.peek(key);
      if (expires !== undefined && expires >= now) return false;
      dedupe.set(key, now + ttlMs);
      return true;
    },
    close() {
      for (const journal of [conversations, channels, prompts, replies, outbox, dedupe]) journal.close();
    },
  };
}
