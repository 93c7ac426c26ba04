import { parse as parseQuery } from 'node:querystring';
import { isValidSlackRequest, type App, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Context } from 'hono';
import type { Logger } from 'pino';

/** Slack waits 3 s for an answer; a listener that has not acked by then gets an empty 200 rather than a retry. */
const ACK_DEADLINE_MS = 2_500;

/**
 * Bolt's receiver for Slack's HTTP mode, served by Switchboard's own HTTP server at
 * /slack/events (one port for the API, the playground and Slack). Each request is
 * checked against the signing secret (a bad signature or a stale timestamp is a 401 and
 * starts nothing), then handed to Bolt; the HTTP answer goes out as soon as the listener
 * acks, and the work continues after it.
 */
export class HonoSlackReceiver implements Receiver {
  readonly #signingSecret: string;
  readonly #log: Logger;
  readonly #now: () => number;
  #app: App | undefined;

  constructor(options: { signingSecret: string; log: Logger; now?: () => number }) {
    this.#signingSecret = options.signingSecret;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
  }

  init(app: App): void {
    this.#app = app;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  async handle(c: Context): Promise<Response> {
    const raw = await c.req.text();
    const signature = c.req.header('x-slack-signature') ?? '';
    const timestamp = Number(c.req.header('x-slack-request-timestamp') ?? 0);
    const valid = isValidSlackRequest({
      signingSecret: this.#signingSecret,
      body: raw,
      headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
      nowMilliseconds: this.#now(),
    });
    if (!valid) {
      this.#log.warn({ path: c.req.path }, 'refused a Slack request with a bad signature or a stale timestamp');
      return c.json({ error: 'invalid signature' }, 401);
    }
    let body: Record<string, unknown>;
    try {
      body = parseBody(raw, c.req.header('content-type') ?? '');
    } catch {
      return c.json({ error: 'unreadable body' }, 400);
    }
    if (body.ssl_check) return c.body(null, 200);
    if (body.type === 'url_verification') return c.json({ challenge: body.challenge });
    if (!this.#app) return c.json({ error: 'not ready' }, 503);

    let answer: (value: unknown) => void = () => undefined;
    const acked = new Promise<unknown>((resolve) => (answer = resolve));
    let done = false;
    const retryNum = c.req.header('x-slack-retry-num');
    const retryReason = c.req.header('x-slack-retry-reason');
    const event: ReceiverEvent = {
      body,
      ack: async (response?: unknown) => {
        if (done) return;
        done = true;
        answer(response ?? '');
      },
      ...(retryNum ? { retryNum: Number(retryNum) } : {}),
      ...(retryReason ? { retryReason } : {}),
    };
    this.#app.processEvent(event).catch((error: unknown) => {
      this.#log.error({ err: error }, 'a Slack listener failed');
      event.ack(undefined).catch(() => undefined);
    });
    const timer = setTimeout(() => answer(''), ACK_DEADLINE_MS);
    const response = await acked;
    clearTimeout(timer);
    done = true;
    if (response === '' || response === undefined || response === null) return c.body(null, 200);
    if (typeof response === 'string') return c.text(response);
    return c.json(response);
  }
}

/** Events come as JSON; commands and interactions as a form (interactions with a `payload` field of JSON). */
function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.includes('application/x-www-form-urlencoded')) {
    const form = parseQuery(raw);
    if (typeof form.payload === 'string') return JSON.parse(form.payload) as Record<string, unknown>;
    return form as Record<string, unknown>;
  }
  return JSON.parse(raw) as Record<string, unknown>;
}
