import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** A run as LangSmith would hold it once its create and its updates are merged. */
export interface TracedRun {
  id: string;
  name?: string;
  run_type?: string;
  parent_run_id?: string | null;
  trace_id?: string;
  session_name?: string;
  start_time?: unknown;
  end_time?: unknown;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  extra?: { metadata?: Record<string, unknown> };
  error?: unknown;
  [key: string]: unknown;
}

/**
 * A local LangSmith endpoint (LANGSMITH_ENDPOINT) that accepts what the `langsmith` client
 * sends and keeps the runs: `GET /info` (which tells the client to use the multipart
 * endpoint, its default), `POST /runs/multipart` (parts `post.{id}`, `patch.{id}`, and
 * `{post|patch}.{id}.{inputs|outputs|extra|error|events|serialized}`), `POST /runs/batch`
 * (`{post: [], patch: []}`), `POST /runs` and `PATCH /runs/{id}`. Other paths answer 404.
 */
export class FakeLangSmith {
  readonly runs = new Map<string, TracedRun>();
  /** Every request, as `METHOD path`, so a test can see what the client used. */
  readonly requests: string[] = [];
  /** The API keys the client sent. */
  readonly apiKeys = new Set<string>();
  /** Feedback by id, as created (POST /feedback) and updated (PATCH /feedback/{id}). */
  readonly feedback = new Map<string, Record<string, unknown>>();
  /** Statuses the next feedback requests are answered with, in order (LangSmith having a bad moment). */
  readonly feedbackFailures: number[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res).catch((error: unknown) => res.writeHead(500).end(String(error))));
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }

  /** The runs under a run, direct children only. */
  childrenOf(parentId: string): TracedRun[] {
    return [...this.runs.values()].filter((run) => run.parent_run_id === parentId);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    this.requests.push(`${req.method} ${path}`);
    const key = req.headers['x-api-key'];
    if (typeof key === 'string') this.apiKeys.add(key);
    const body = await readBody(req);
    const ok = (value: unknown = {}) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (req.method === 'GET' && path === '/info') return ok({ version: '0.0.0-fake', batch_ingest_config: { use_multipart_endpoint: true }, instance_flags: {} });
    if (req.method === 'POST' && path === '/runs/multipart') return ok(await this.#multipart(body, String(req.headers['content-type'])));
    if (req.method === 'POST' && path === '/runs/batch') {
      const batch = JSON.parse(body.toString('utf8')) as { post?: TracedRun[]; patch?: TracedRun[] };
      for (const run of [...(batch.post ?? []), ...(batch.patch ?? [])]) this.#merge(run.id, run);
      return ok();
    }
    if (req.method === 'POST' && path === '/runs') {
      const run = JSON.parse(body.toString('utf8')) as TracedRun;
      this.#merge(run.id, run);
      return ok();
    }
    if (path === '/feedback' || path.startsWith('/feedback/')) return this.#feedback(req.method ?? '', path, body, res);
    const patch = /^\/runs\/([^/]+)$/.exec(path);
    if (req.method === 'PATCH' && patch) {
      this.#merge(patch[1]!, JSON.parse(body.toString('utf8')) as Partial<TracedRun>);
      return ok();
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `the fake does not know ${req.method} ${path}` }));
  }

  /**
   * Feedback as LangSmith's REST API takes it: POST /feedback needs `key` and a `run_id` of a
   * run it holds (404 otherwise), 409 for an id it has; PATCH /feedback/{id} changes one it has.
   */
  #feedback(method: string, path: string, body: Buffer, res: ServerResponse): undefined {
    const answer = (status: number, value: unknown) => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const failure = this.feedbackFailures.shift();
    if (failure) return answer(failure, { detail: 'scripted failure' });
    const fields = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
    if (method === 'POST' && path === '/feedback') {
      if (typeof fields.key !== 'string' || !fields.key) return answer(422, { detail: 'key is required' });
      if (typeof fields.run_id !== 'string' || !this.runs.has(fields.run_id)) return answer(404, { detail: `run not found: ${String(fields.run_id)}` });
      const id = typeof fields.id === 'string' ? fields.id : crypto.randomUUID();
      if (this.feedback.has(id)) return answer(409, { detail: `feedback ${id} already exists` });
      this.feedback.set(id, { ...fields, id });
      return answer(200, this.feedback.get(id));
    }
    const id = /^\/feedback\/([^/]+)$/.exec(path)?.[1];
    if (method === 'PATCH' && id) {
      const known = this.feedback.get(id);
      if (!known) return answer(404, { detail: `feedback not found: ${id}` });
      this.feedback.set(id, { ...known, ...fields, id });
      return answer(200, this.feedback.get(id));
    }
    return answer(404, { detail: `the fake does not know ${method} ${path}` });
  }

  async #multipart(body: Buffer, contentType: string): Promise<Record<string, never>> {
    const form = await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
    const parts: Array<[string, FormDataEntryValue]> = [];
    form.forEach((value, name) => void parts.push([name, value]));
    for (const [name, value] of parts) {
      const [method, id, field] = name.split('.');
      if ((method !== 'post' && method !== 'patch') || !id) continue;
      const parsed = JSON.parse(typeof value === 'string' ? value : await value.text()) as unknown;
      this.#merge(id, field ? { [field]: parsed } : (parsed as Partial<TracedRun>));
    }
    return {};
  }

  #merge(id: string, fields: Partial<TracedRun>): void {
    const known = this.runs.get(id) ?? { id };
    this.runs.set(id, { ...known, ...fields, id });
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}
