import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { Db } from '../storage/postgres/db.ts';

/**
 * One holder at a time, among the processes on a database, for something that must not
 * run twice (the Discord gateway connection): a session advisory lock on a connection of
 * its own. The lock goes with the connection, so when the holder dies (or loses the
 * database) another process gets it at its next try.
 */
export class Leadership {
  readonly #db: Db;
  readonly #key: string;
  readonly #name: string;
  readonly #retryMs: number;
  readonly #log: Logger;
  #client: pg.Client | undefined;
  #held = false;
  #stopped = false;
  #timer: NodeJS.Timeout | undefined;
  #hooks: { acquired: () => Promise<void>; lost: () => Promise<void> } | undefined;

  constructor(options: { db: Db; name: string; retryMs: number; log: Logger }) {
    this.#db = options.db;
    this.#name = options.name;
    // A signed 64-bit lock key from the schema and the name.
    this.#key = BigInt.asIntN(64, BigInt(`0x${createHash('sha1').update(`${options.db.schema}:${options.name}`).digest('hex').slice(0, 16)}`)).toString();
    this.#retryMs = options.retryMs;
    this.#log = options.log;
  }

  get held(): boolean {
    return this.#held;
  }

  /** Tries now and then every `retryMs` until held; `acquired` runs once it is, `lost` if the connection holding it drops. */
  start(hooks: { acquired: () => Promise<void>; lost: () => Promise<void> }): void {
    this.#hooks = hooks;
    void this.#try();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#held = false;
    await client?.end().catch(() => undefined);
  }

  async #try(): Promise<void> {
    if (this.#stopped || this.#held) return;
    const client = this.#db.dedicatedClient();
    try {
      await client.connect();
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [this.#key]);
      if (!rows[0]?.ok || this.#stopped) {
        await client.end();
        return this.#later();
      }
      this.#client = client;
      this.#held = true;
      const lost = () => void this.#lose(client);
      client.on('error', lost);
      client.on('end', lost);
      this.#log.info({ name: this.#name }, 'this process holds the lead');
      await this.#hooks!.acquired();
    } catch (error) {
      this.#log.warn({ err: error, name: this.#name }, 'could not take the lead; trying again');
      if (this.#client === client) await this.#lose(client);
      else await client.end().catch(() => undefined);
      this.#later();
    }
  }

  async #lose(client: pg.Client): Promise<void> {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#held = false;
    await client.end().catch(() => undefined);
    if (this.#stopped) return;
    this.#log.warn({ name: this.#name }, 'lost the lead (its database connection dropped)');
    await this.#hooks!.lost().catch(() => undefined);
    this.#later();
  }

  #later(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => void this.#try(), this.#retryMs);
    this.#timer.unref();
  }
}
