import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Db } from '../storage/postgres/db.ts';

type Handler = (payload: string) => void;

/**
 * LISTEN/NOTIFY for the processes sharing a database: one dedicated connection listens;
 * anything can notify through the pool. Channel names carry the schema, so schemas in one
 * database (tests, several deployments) do not hear each other. A dropped connection is
 * reopened; `onReconnect` lets listeners catch up on what they may have missed.
 */
export class PgNotifier {
  readonly #db: Db;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #reconnected = new Set<() => void>();
  #client: pg.Client | undefined;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(db: Db) {
    this.#db = db;
  }

  /** The database-wide channel name for one of Switchboard's channels (short: identifiers stop at 63 bytes). */
  channel(name: string): string {
    return `sb_${createHash('sha1').update(this.#db.schema).digest('hex').slice(0, 12)}_${name}`;
  }

  on(name: string, handler: Handler): () => void {
    const channel = this.channel(name);
    let set = this.#handlers.get(channel);
    if (!set) this.#handlers.set(channel, (set = new Set()));
    set.add(handler);
    return () => set.delete(handler);
  }

  onReconnect(callback: () => void): void {
    this.#reconnected.add(callback);
  }

  async start(names: string[]): Promise<void> {
    for (const name of names) if (!this.#handlers.has(this.channel(name))) this.#handlers.set(this.channel(name), new Set());
    await this.#connect();
  }

  async notify(name: string, payload: string): Promise<void> {
    await this.#db.query('SELECT pg_notify($1, $2)', [this.channel(name), payload]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  async #connect(): Promise<void> {
    const client = this.#db.dedicatedClient();
    client.on('notification', (message) => {
      for (const handler of this.#handlers.get(message.channel) ?? []) handler(message.payload ?? '');
    });
    const lost = () => {
      if (this.#client !== client || this.#closed) return;
      this.#client = undefined;
      this.#retry = setTimeout(() => void this.#reconnect(), 500);
    };
    client.on('error', lost);
    client.on('end', lost);
    await client.connect();
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN "${channel}"`);
    this.#client = client;
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#connect();
      for (const callback of this.#reconnected) callback();
    } catch {
      this.#retry = setTimeout(() => void this.#reconnect(), 1000);
    }
  }
}
