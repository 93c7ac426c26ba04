import { Agent, type IncomingHttpHeaders, request } from 'node:http';

/** A request exactly as it goes on the wire: the path is sent as given (already percent-encoded, `..` kept). */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | undefined;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as text (what arrived, for a stream or a long poll cut short). */
  text: string;
  /** False when the body was cut short on purpose: a stream, or a long poll still waiting. */
  complete: boolean;
}

/** The request could not even be put on the wire (Node refuses the path or a header): nothing to check. */
export class Unsendable extends Error {}

export interface RawClientOptions {
  /** The status line must arrive within this (a server that hangs is a failure). */
  headersMs: number;
  /** How long to read a non-stream body (a long poll waiting for a run) before giving up on the rest. */
  bodyMs: number;
  /** How much of a server-sent event stream to read. */
  streamMs: number;
}

/**
 * An HTTP client that sends what fetch would not (raw `..` and `%` in paths, bodies that are
 * not UTF-8, any Content-Type or none) and tells a dropped connection from an answer.
 */
export class RawClient {
  // A connection per request: a kept-alive socket the server has just closed (after a 413, say) would fail the next request for nothing.
  readonly #agent = new Agent({ keepAlive: false });
  readonly #base: URL;
  readonly #options: RawClientOptions;
  /** Requests sent so far. */
  count = 0;

  constructor(baseUrl: string, options: Partial<RawClientOptions> = {}) {
    this.#base = new URL(baseUrl);
    this.#options = { headersMs: 20_000, bodyMs: 1_500, streamMs: 250, ...options };
  }

  send(raw: RawRequest): Promise<RawAnswer> {
    const { headersMs, bodyMs, streamMs } = this.#options;
    return new Promise<RawAnswer>((resolve, reject) => {
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const settle = (finish: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        finish();
      };
      let outgoing: ReturnType<typeof request>;
      try {
        outgoing = request({
          host: this.#base.hostname,
          port: this.#base.port,
          method: raw.method,
          path: raw.path,
          // Node's client sends a DELETE's (or GET's) body with no length at all: say it, as every client does.
          headers: { host: this.#base.host, ...(raw.body ? { 'content-length': String(raw.body.length) } : {}), ...raw.headers },
          agent: this.#agent,
        });
      } catch (error) {
        reject(new Unsendable((error as Error).message));
        return;
      }
      this.count += 1;
      timer = setTimeout(() => {
        settle(() => reject(new Error(`no answer within ${headersMs} ms`)));
        outgoing.destroy();
      }, headersMs);
      outgoing.on('response', (response) => {
        clearTimeout(timer);
        const chunks: Buffer[] = [];
        const stream = String(response.headers['content-type'] ?? '').startsWith('text/event-stream');
        const finish = (complete: boolean) =>
          settle(() => resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8'), complete }));
        timer = setTimeout(
          () => {
            finish(false);
            outgoing.destroy();
          },
          stream ? streamMs : bodyMs,
        );
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => finish(true));
        response.on('error', (error) => settle(() => reject(new Error(`connection dropped in the middle of the body: ${error.message}`))));
      });
      outgoing.on('error', (error) => settle(() => reject(new Error(`connection dropped: ${error.message}`))));
      outgoing.end(raw.body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
