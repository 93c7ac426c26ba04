import type { Logger } from 'pino';
import type { PlatformHealth } from '../chat/types.ts';
import { isSwitchboardError } from '../errors.ts';

/** How long to wait before the next attempt to reach a platform: doubling from `initialMs`, never more than `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export function backoffDelay(backoff: Backoff, failedAttempts: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failedAttempts - 1));
}

/**
 * Brings one platform up without holding the rest of Switchboard hostage: a platform that
 * cannot be reached (Slack's API down, Discord's REST or gateway unreachable) is tried again
 * with backoff, one log line per attempt, and reports itself unhealthy in GET /ok until it
 * connects. A token the platform refuses (a `config_invalid` error from the adapter) is not
 * something waiting fixes: at the first attempt it is thrown (the start fails in one line),
 * later it stops the retries and stays in the health report.
 */
export class PlatformStartup {
  readonly #name: string;
  readonly #connect: () => Promise<void>;
  readonly #backoff: Backoff;
  readonly #log: Logger;
  #failures = 0;
  #connected = false;
  #stopped = false;
  #lastError: string | undefined;
  #refused = false;
  #nextAttemptAt: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #attempt: Promise<void> | undefined;

  constructor(options: { name: string; connect: () => Promise<void>; backoff: Backoff; log: Logger }) {
    this.#name = options.name;
    this.#connect = options.connect;
    this.#backoff = options.backoff;
    this.#log = options.log;
  }

  /** The first attempt: resolves once connected or once a retry is scheduled; rejects when the platform refuses the token. */
  async begin(): Promise<void> {
    this.#attempt = this.#try(true);
    await this.#attempt;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Unhealthy facts while not connected (undefined once connected: the platform reports for itself). */
  health(now = Date.now()): PlatformHealth | undefined {
    if (this.#connected) return undefined;
    return {
      healthy: false,
      state: this.#refused ? 'refused' : 'unreachable',
      attempts: this.#failures,
      last_error: this.#lastError ?? null,
      ...(this.#nextAttemptAt !== undefined && !this.#refused ? { retry_in_ms: Math.max(0, this.#nextAttemptAt - now) } : {}),
    };
  }

  /** No more attempts; waits for one in progress, so the platform can be stopped after it. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    await this.#attempt?.catch(() => undefined);
  }

  async #try(first: boolean): Promise<void> {
    try {
      await this.#connect();
      this.#connected = true;
      this.#nextAttemptAt = undefined;
      if (this.#failures > 0) this.#log.info({ platform: this.#name, attempts: this.#failures + 1 }, `${this.#name} connected after ${this.#failures + 1} attempts`);
    } catch (error) {
      this.#failures += 1;
      this.#lastError = (error as Error)?.message ?? String(error);
      if (isSwitchboardError(error, 'config_invalid')) {
        if (first) throw error;
        this.#refused = true;
        this.#log.error({ platform: this.#name }, `${this.#name}: ${this.#lastError}; not retrying`);
        return;
      }
      if (this.#stopped) return;
      const delay = backoffDelay(this.#backoff, this.#failures);
      this.#nextAttemptAt = Date.now() + delay;
      this.#log.warn(
        { platform: this.#name, attempt: this.#failures, retry_in_ms: delay },
        `${this.#name} unreachable (attempt ${this.#failures}: ${this.#lastError}); trying again in ${(delay / 1000).toFixed(1)} s`,
      );
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (!this.#stopped) this.#attempt = this.#try(false);
      }, delay);
    }
  }
}
