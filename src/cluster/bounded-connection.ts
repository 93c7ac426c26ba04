import type pg from 'pg';
import type { Db } from '../storage/postgres/db.ts';

interface Opened {
  client: pg.Client;
  connected: Promise<void>;
}

/**
 * A database connection of its own whose every statement answers within a deadline, or
 * fails. A pool cannot promise that: a query waiting for a pooled connection waits without
 * end (while the database swallows packets, or for good once the pool is ending, since
 * pg-pool drops its queue then), and whatever is chained behind it waits too. Past the
 * deadline this connection is given up (destroyed, so a late answer lands nowhere) and the
 * next statement opens another.
 */
export class BoundedConnection {
  readonly #db: Db;
  readonly #deadlineMs: number;
  #opened: Opened | undefined;
  #closed = false;

  constructor(db: Db, deadlineMs: number) {
    this.#db = db;
    this.#deadlineMs = deadlineMs;
  }

  /** Runs one statement (connecting first when needed); rejects past the deadline, or once closed. */
  async query(text: string, values: unknown[]): Promise<void> {
    if (this.#closed) throw new Error('the connection is closed');
    const opened = this.#opened ?? this.#open();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${this.#deadlineMs} ms`)), this.#deadlineMs);
    });
    try {
      await Promise.race([opened.connected.then(() => opened.client.query(text, values)), deadline]);
    } catch (error) {
      this.#giveUp(opened);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const opened = this.#opened;
    this.#opened = undefined;
    await opened?.client.end().catch(() => undefined);
  }

  #open(): Opened {
    const client = this.#db.dedicatedClient();
    const opened: Opened = { client, connected: client.connect().then(() => undefined) };
    // Handled here, so a connection that fails between statements is no unhandled rejection.
    opened.connected.catch(() => undefined);
    // A connection the server or the network dropped is replaced at the next statement.
    client.on('end', () => {
      if (this.#opened === opened) this.#opened = undefined;
    });
    this.#opened = opened;
    return opened;
  }

  #giveUp(opened: Opened): void {
    if (this.#opened === opened) this.#opened = undefined;
    // pg destroys the socket of a connection still connecting or holding a query: nothing to wait for.
    void opened.client.end().catch(() => undefined);
  }
}
