import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { invalidInput } from '../../errors.ts';
import { COLLECTION_NAME, type ChatStore, type Inbox, type InboxEntry as MovedInboxEntry } from '../types.ts';
import { KeyedJournal } from './keyed-journal.ts';

/** On disk as before the inbox had its name: what is held is the entry's `note`. */
interface InboxEntry {
  expires: number;
  note?: unknown;
}

/** The chat layer's state under `data/chat/`: one keyed journal per collection, and one for the inbox. */
export interface FilesChat extends ChatStore {
  /** The collections with a journal in the folder (for moving records). */
  collectionNames(): string[];
  inboxEntries(): MovedInboxEntry[];
  /** Stores a delivery key as it was elsewhere, unless the key is known here. */
  restoreInboxEntry(entry: MovedInboxEntry): boolean;
  close(): void;
}

export function openFilesChat(dataDir: string): FilesChat {
  const dir = join(dataDir, 'chat');
  const journals = new Map<string, KeyedJournal<unknown>>();
  const journal = <T>(name: string): KeyedJournal<T> => {
    let found = journals.get(name);
    if (!found) journals.set(name, (found = new KeyedJournal<unknown>(dir, name)));
    return found as KeyedJournal<T>;
  };
  // The file keeps its first name ("dedupe"), so data folders from before carry over.
  const deliveries = () => journal<InboxEntry>('dedupe');
  let lastSweep = 0;
  const inbox: Inbox<unknown> = {
    async accept(key, ttlMs, held) {
      const entries = deliveries();
      // Synchronous from check to record: two deliveries of one event cannot both win.
      const now = Date.now();
      if (now - lastSweep > 60_000) {
        // Forget expired keys now and then, so the file stays the size of a day of traffic.
        lastSweep = now;
        for (const old of entries.keys()) {
          const entry = entries.peek(old);
          if (entry && entry.expires < now && entry.note === undefined) entries.remove(old);
        }
      }
      const existing = entries.peek(key);
      if (existing !== undefined && existing.expires >= now) return false;
      entries.set(key, { expires: now + ttlMs, ...(held === undefined ? {} : { note: held }) });
      return true;
    },
    async unfinished() {
      const entries = deliveries();
      return entries.keys().flatMap((key) => {
        const entry = entries.peek(key);
        return entry?.note === undefined ? [] : [{ key, held: structuredClone(entry.note) }];
      });
    },
    async finish(key) {
      const entries = deliveries();
      const entry = entries.peek(key);
      if (entry?.note !== undefined) entries.set(key, { expires: entry.expires });
    },
  };
  return {
    collection<T>(name: string) {
      if (!COLLECTION_NAME.test(name) || name === 'dedupe') throw invalidInput(`"${name}" cannot name a chat collection`);
      return journal<T>(name);
    },
    inbox<T>() {
      return inbox as Inbox<T>;
    },
    collectionNames() {
      let files: string[] = [];
      try {
        files = readdirSync(dir);
      } catch {
        // No chat folder yet: no collections.
      }
      return files.flatMap((file) => {
        const name = file.endsWith('.jsonl') ? file.slice(0, -'.jsonl'.length) : '';
        return COLLECTION_NAME.test(name) && name !== 'dedupe' ? [name] : [];
      });
    },
    inboxEntries() {
      const entries = deliveries();
      return entries.keys().flatMap((key) => {
        const entry = entries.peek(key);
        if (!entry) return [];
        return [{ key, expires: entry.expires, ...(entry.note === undefined ? {} : { held: structuredClone(entry.note) }) }];
      });
    },
    restoreInboxEntry({ key, expires, held }) {
      const entries = deliveries();
      if (entries.peek(key) !== undefined) return false;
      entries.set(key, { expires, ...(held === undefined ? {} : { note: held }) });
      return true;
    },
    close() {
      for (const each of journals.values()) each.close();
    },
  };
}
