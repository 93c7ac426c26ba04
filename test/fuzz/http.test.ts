import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAssistantId } from '../../src/engine/assistants.ts';
import { startTestSwitchboard, type TestSwitchboard } from '../helpers/switchboard.ts';
import { canonical, encode, JSON_TYPES, type Kind, PARAM_KINDS, Pools, preview, type RequestPlan, requestPlan, mutateBody, queryString, resolveSegment } from './generators.ts';
import { RawClient, type RawAnswer, type RawRequest, Unsendable } from './raw-client.ts';
import { TEMPLATES, type Template } from './templates.ts';

/**
 * The fuzz suite (issue 12): generated hostile ids, bodies and query strings at every route
 * of the whole app (the API and the playground), as `npm start` builds it, on the files
 * backend or on PostgreSQL (the `engine-on-postgres` project). Every answer must be a 2xx
 * or a 4xx on a connection that stays up, never leak a stack trace or a file path, and
 * what was accepted must read back the same; afterwards every list still answers.
 *
 * `npm test` runs it with a fixed seed for FUZZ_SECONDS (25 by default) per backend;
 * `npm run fuzz` runs it far longer with a random seed (FUZZ_SEED replays one).
 */

const DEEP = process.env.FUZZ === 'deep';
const BACKEND = process.env.TEST_ENGINE_BACKEND === 'postgres' ? 'postgres' : 'files';
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : DEEP ? Math.floor(Math.random() * 2 ** 31) : 1212;
const SECONDS = Number(process.env.FUZZ_SECONDS ?? (DEEP ? 300 : 25));
/** Cases per route and round (the time budget usually ends a round first). */
const RUNS = Number(process.env.FUZZ_RUNS ?? (DEEP ? 1_000_000 : 1_000));
/** Rounds over every route: records created late in a round are fuzzed in the next. */
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? (DEEP ? 10 : 3));

const GRAPHS = ['chat', 'writer', 'approval'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FOREIGN_ORIGINS = new Set(['https://evil.example', 'null', 'file://', 'http://localhost.evil.example']);
/** Statuses Node's HTTP parser answers before the app sees the request (a path past 16 KB...). */
const NODE_LEVEL = new Set([400, 413, 414, 431]);
/** What must never reach a client: stack frames, source paths, dependency paths. */
const LEAKS: Array<[RegExp, string]> = [
  [/^\s*at .+[:(].*\d+:\d+\)?\s*$/m, 'a stack trace'],
  [/\/work\//, 'a file path'],
  [/node_modules/, 'a dependency path'],
  [/\.(ts|js|mjs|cjs):\d+/, 'a source location'],
  [/file:\/\/\//, 'a file URL'],
];
/** The lists that must still answer 200 once the fuzzing is over. */
const LISTS: Array<[string, unknown]> = [
  ['/threads/search', { limit: 10_000 }],
  ['/threads/count', {}],
  ['/assistants/search', { limit: 10_000 }],
  ['/assistants/count', {}],
  ['/runs/crons/search', { limit: 10_000 }],
  ['/runs/crons/count', {}],
  ['/store/items/search', { namespace_prefix: [], limit: 10_000 }],
  ['/store/namespaces', { limit: 10_000 }],
];

interface Route {
  method: string;
  path: string;
  key: string;
  params: string[];
}

/** Every route the app answers, from the app itself: a route added later is fuzzed without touching this file. */
function routesOf(app: Hono): Route[] {
  const routes = new Map<string, Route>();
  for (const { method, path } of app.routes) {
    if (method === 'ALL') continue; // middleware (guard, API key, body limit)
    // Empties the records every other route is fuzzed against; its own test is test/http/truncate.test.ts.
    if (path === '/internal/truncate') continue;
    const key = `${method} ${path}`;
    if (!routes.has(key)) routes.set(key, { method, path, key, params: [...path.matchAll(/:(\w+)/g)].map((match) => match[1]!) });
  }
  return [...routes.values()];
}

interface Built {
  raw: RawRequest;
  /** The path segments as sent, by parameter name. */
  segments: Record<string, string>;
  /** The body as the server parses it, when it is JSON. */
  sent: unknown;
  hasBody: boolean;
}

class Finding extends Error {}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};
const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const isJsonType = (type: string | null) => type !== null && JSON_TYPES.some((json) => json.toLowerCase() === type.toLowerCase());

describe(`fuzzing every route (${BACKEND} backend)`, () => {
  let t: TestSwitchboard;
  let client: RawClient;
  let routes: Route[];
  let dropSchema: (() => Promise<void>) | undefined;
  const pools = new Pools();
  /** Distinct findings: "route → what went wrong", with the first request that showed it. */
  const found = new Map<string, string>();
  const casesByRoute = new Map<string, number>();
  const statusesByRoute = new Map<string, Map<number, number>>();
  let deadline = 0;

  beforeAll(async () => {
    let config: Record<string, unknown> = {};
    if (BACKEND === 'postgres') {
      const pg = await import('../helpers/postgres.ts');
      const schema = pg.freshSchema();
      config = { storage: { kind: 'postgres', url: pg.TEST_DATABASE_URL, schema } };
      dropSchema = () => pg.dropSchema(schema);
    }
    t = await startTestSwitchboard({ config });
    client = new RawClient(t.url);
    routes = routesOf(t.sb.server.app);
    await seedRecords();
  });

  afterAll(async () => {
    client?.close();
    await t?.dispose();
    await dropSchema?.();
  });

  /** A well-formed JSON request (seeding, reading back), answered in full. */
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown; answer: RawAnswer }> {
    const answer = await client.send({
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    });
    const json = parseJson(answer.text);
    if (answer.status >= 200 && answer.status < 300) harvest(json);
    return { status: answer.status, json, answer };
  }

  /** Records whose ids appear in an answer join the pools, so later requests reach them. */
  function harvest(value: unknown, depth = 0, threads = true): void {
    if (depth > 4 || value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 50)) harvest(item, depth + 1, threads);
      return;
    }
    const record = value as Record<string, unknown>;
    const kinds: Record<string, Kind> = {
      ...(threads ? { thread_id: 'thread' as const } : {}),
      run_id: 'run',
      assistant_id: 'assistant',
      cron_id: 'cron',
      checkpoint_id: 'checkpoint',
    };
    for (const [field, kind] of Object.entries(kinds)) {
      const id = record[field];
      if (typeof id === 'string' && UUID.test(id)) pools.add(kind, id);
    }
    if (typeof record.run_id === 'string' && typeof record.thread_id === 'string') pools.relate(record.run_id, record.thread_id);
    if (typeof record.id === 'string' && typeof record.channel === 'string' && record.thread === null) pools.relate(record.id, record.channel);
    for (const child of Object.values(record)) if (child !== null && typeof child === 'object') harvest(child, depth + 1, threads);
  }

  async function seedRecords(): Promise<void> {
    const ok = async (method: string, path: string, body?: unknown) => {
      const { status, json } = await call(method, path, body);
      if (status >= 300) throw new Error(`seeding: ${method} ${path} answered ${status}`);
      return json as Record<string, unknown>;
    };
    for (const file of ['app.js', 'style.css', 'index.html', 'nope.js']) pools.add('file', file);
    for (const namespace of ['respond', 'review', 'agent']) pools.add('namespace', namespace);
    for (const channel of ((await ok('GET', '/playground/api/state')).channels as string[]) ?? []) pools.add('channel', channel);
    for (const graph of GRAPHS) pools.add('assistant', graph);
    await ok('POST', '/assistants/search', { limit: 100 });
    await ok('POST', '/assistants', { graph_id: 'chat', name: 'seeded', metadata: { seeded: true } });
    const thread = await ok('POST', '/threads', { metadata: { seeded: true } });
    await ok('POST', `/threads/${thread.thread_id}/runs/wait`, { assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'hello' }] } });
    await ok('POST', `/threads/${thread.thread_id}/history`, { limit: 5 });
    await ok('POST', `/threads/${thread.thread_id}/runs`, { assistant_id: 'chat', input: { messages: [{ role: 'user', content: 'again' }] } });
    const approval = await ok('POST', '/threads', {});
    await ok('POST', `/threads/${approval.thread_id}/runs/wait`, { assistant_id: 'approval', input: { messages: [{ role: 'user', content: 'send it' }] } });
    await ok('POST', `/threads/${thread.thread_id}/runs/crons`, { schedule: '0 0 1 1 *', assistant_id: 'chat' });
    await ok('PUT', '/store/items', { namespace: ['fuzz', 'seed'], key: 'k', value: { v: 1 } });
    pools.addItem({ namespace: ['fuzz', 'seed'], key: 'k' });
    const posted = await ok('POST', '/playground/api/channels/general/messages', { user: 'ana', text: 'hello' });
    pools.add('message', posted.id as string);
  }

  function build(route: Route, plan: RequestPlan): Built {
    const segments: Record<string, string> = {};
    route.params.forEach((name, index) => {
      segments[name] = resolveSegment(plan.params[index] ?? { kind: 'existing', n: 0 }, PARAM_KINDS[name], pools);
    });
    // Both ids existing: mostly a run with its own thread (a message with its channel), so the request gets past the 404.
    const pair = (child: string, owner: string) => {
      const childPlan = plan.params[route.params.indexOf(child)];
      const ownerPlan = plan.params[route.params.indexOf(owner)];
      if (childPlan?.kind !== 'existing' || ownerPlan?.kind !== 'existing' || ownerPlan.n % 4 === 0) return;
      const related = pools.ownerOf(pools.pick(PARAM_KINDS[child]!, childPlan.n));
      if (related) segments[owner] = encode(related);
    };
    pair('run_id', 'thread_id');
    pair('thread', 'channel');
    const path = route.path.replace(/:(\w+)/g, (_match, name: string) => segments[name]!);
    let picks = 0;
    const picker = {
      n: plan.template,
      id: (kind: Kind) => pools.pick(kind, plan.template + picks++) ?? crypto.randomUUID(),
      item: () => pools.item(plan.template),
    };
    const templates: Template[] = TEMPLATES[route.key]?.(picker) ?? [{}];
    const template = templates[plan.template % templates.length] ?? {};
    const withBody = template.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(route.method) || plan.bodyOnGet;
    const body = withBody ? mutateBody(template.body ?? {}, plan.body) : undefined;
    const headers: Record<string, string> = {};
    if (plan.contentType !== null) headers['content-type'] = plan.contentType;
    if (plan.origin !== null) headers.origin = plan.origin;
    if (plan.lastEventId !== null) headers['last-event-id'] = plan.lastEventId;
    const sent = body && isJsonType(plan.contentType) ? parseJson(new TextDecoder().decode(body)) : undefined;
    return {
      raw: { method: route.method, path: `${path}${queryString(template.query ?? [], plan.query)}`, headers, body },
      segments,
      sent,
      hasBody: body !== undefined && body.length > 0,
    };
  }

  function describeCase(built: Built, answer: RawAnswer | undefined): string {
    const body = built.raw.body ? preview(built.raw.body.toString('utf8'), 400) : '(none)';
    const lines = [`  request: ${built.raw.method} ${preview(built.raw.path, 300)}`, `  headers: ${JSON.stringify(built.raw.headers)}`, `  body: ${body}`];
    if (answer) lines.push(`  answer: ${answer.status} ${preview(answer.text, 600)}`);
    return lines.join('\n');
  }

  function fail(route: Route, what: string, built: Built, answer?: RawAnswer): never {
    const signature = `${route.key}: ${what}`;
    const example = describeCase(built, answer);
    if (!found.has(signature)) found.set(signature, example);
    throw new Finding(`${signature}\n${example}`);
  }

  /** What every answer must be, whatever was asked. */
  function checkAnswer(route: Route, built: Built, answer: RawAnswer, plan: RequestPlan): void {
    const { status } = answer;
    if (status < 200 || status >= 500 || (status >= 300 && status < 400)) fail(route, `answered ${status}`, built, answer);
    for (const [pattern, what] of LEAKS) if (pattern.test(answer.text)) fail(route, `answer leaks ${what}`, built, answer);
    if (Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined) fail(route, 'Object.prototype was polluted', built, answer);
    const unsafe = !SAFE_METHODS.has(route.method);
    if (unsafe && plan.origin !== null && FOREIGN_ORIGINS.has(plan.origin)) {
      if (status !== 403 && !NODE_LEVEL.has(status)) fail(route, `a foreign origin got ${status}, not 403`, built, answer);
    } else if (unsafe && built.hasBody && !isJsonType(plan.contentType)) {
      if (status !== 415 && !NODE_LEVEL.has(status)) fail(route, `a ${JSON.stringify(plan.contentType)} body got ${status}, not 415`, built, answer);
    }
    const type = String(answer.headers['content-type'] ?? '');
    if (type.startsWith('application/json') && answer.complete) {
      const json = parseJson(answer.text);
      if (json === undefined && answer.text.trim() !== '') fail(route, 'answer is not valid JSON', built, answer);
      if (status >= 400 && typeof asRecord(json)?.detail !== 'string') fail(route, `a ${status} without a "detail"`, built, answer);
    }
  }

  /** Read back what a 2xx accepted: it must be there, the same. */
  async function readBack(route: Route, built: Built, answer: RawAnswer): Promise<void> {
    const json = asRecord(parseJson(answer.text));
    const sent = asRecord(built.sent);
    const same = (what: string, expected: unknown, actual: unknown) => {
      if (canonical(expected) !== canonical(actual))
        fail(route, `${what} reads back different`, built, {
          ...answer,
          text: `${answer.text}\n  expected ${preview(canonical(expected))}\n  read back ${preview(canonical(actual))}`,
        });
    };
    const get = async (path: string, expected = 200) => {
      const back = await call('GET', path);
      if (back.status !== expected) fail(route, `reading back GET ${path.replace(/\/[^/]*$/, '/…')} answered ${back.status}, not ${expected}`, built, back.answer);
      return asRecord(back.json) ?? {};
    };
    const cronById = async (cronId: unknown) => {
      const all = await call('POST', '/runs/crons/search', { limit: 10_000 });
      return ((all.json as Array<Record<string, unknown>>) ?? []).find((cron) => cron.cron_id === cronId);
    };
    const merged = (field: string, current: unknown) => {
      // A patch merges its metadata in: each key given reads back as given.
      const given = asRecord(sent?.[field]);
      for (const key of Object.keys(given ?? {})) same(`${field}.${key}`, given![key], asRecord(current)?.[key]);
    };
    const definedOnly = (value: unknown) => Object.fromEntries(Object.entries(asRecord(value) ?? {}).filter(([, item]) => item !== undefined && item !== null));

    switch (route.key) {
      case 'POST /threads': {
        const back = await get(`/threads/${json!.thread_id}`);
        for (const field of ['thread_id', 'created_at', 'metadata']) same(`thread ${field}`, json![field], back[field]);
        if (sent?.if_exists !== 'do_nothing' && asRecord(sent?.metadata)) same('thread metadata (as sent)', sent!.metadata, json!.metadata);
        break;
      }
      case 'PATCH /threads/:thread_id': {
        const back = await get(`/threads/${json!.thread_id}`);
        same('thread metadata', json!.metadata, back.metadata);
        merged('metadata', back.metadata);
        break;
      }
      case 'POST /threads/:thread_id/copy': {
        const back = await get(`/threads/${json!.thread_id}`);
        same('copied thread metadata', json!.metadata, back.metadata);
        break;
      }
      case 'DELETE /threads/:thread_id':
        await get(`/threads/${built.segments.thread_id}`, 404);
        break;
      case 'POST /assistants':
      case 'PATCH /assistants/:assistant_id':
      case 'POST /assistants/:assistant_id/latest': {
        const back = await get(`/assistants/${json!.assistant_id}`);
        same('assistant', json, back);
        const fresh = route.key === 'POST /assistants' && sent?.if_exists !== 'do_nothing';
        for (const field of ['graph_id', 'name', 'description', 'context']) {
          if (sent?.[field] !== undefined && sent[field] !== null && (fresh || route.method === 'PATCH')) same(`assistant ${field} (as sent)`, sent[field], back[field]);
        }
        if (asRecord(sent?.config) && (fresh || route.method === 'PATCH')) same('assistant config (as sent)', definedOnly(sent!.config), back.config);
        if (fresh && asRecord(sent?.metadata)) same('assistant metadata (as sent)', sent!.metadata, back.metadata);
        if (route.method === 'PATCH') merged('metadata', back.metadata);
        break;
      }
      case 'DELETE /assistants/:assistant_id': {
        await get(`/assistants/${built.segments.assistant_id}`, 404);
        // A graph's default assistant is what most generated runs name: put it back.
        for (const graph of GRAPHS) {
          if (built.segments.assistant_id !== graph && built.segments.assistant_id !== defaultAssistantId(graph)) continue;
          await call('POST', '/assistants', { graph_id: graph, assistant_id: defaultAssistantId(graph), name: graph, if_exists: 'do_nothing' });
        }
        break;
      }
      case 'POST /runs/crons':
      case 'POST /threads/:thread_id/runs/crons':
      case 'PATCH /runs/crons/:cron_id': {
        const back = await cronById(json!.cron_id);
        if (!back) fail(route, 'a cron it accepted is not in the search', built, answer);
        for (const field of ['cron_id', 'assistant_id', 'thread_id', 'schedule', 'payload', 'metadata', 'end_time', 'on_run_completed', 'created_at'])
          same(`cron ${field}`, json![field], back[field]);
        if (route.method === 'PATCH') merged('metadata', back.metadata);
        else if (asRecord(sent?.metadata)) same('cron metadata (as sent)', sent!.metadata, back.metadata);
        break;
      }
      case 'DELETE /runs/crons/:cron_id': {
        let id: string;
        try {
          id = decodeURIComponent(built.segments.cron_id!);
        } catch {
          break;
        }
        if (await cronById(id)) fail(route, 'a deleted cron is still in the search', built, answer);
        break;
      }
      case 'PUT /store/items': {
        const item = { namespace: sent!.namespace as string[], key: sent!.key as string };
        pools.addItem(item);
        const back = await get(`/store/items?namespace=${item.namespace.map(encode).join('.')}&key=${encode(item.key)}`);
        same('store item value', sent!.value, back.value);
        break;
      }
      case 'DELETE /store/items': {
        const back = await call('GET', `/store/items?namespace=${(sent!.namespace as string[]).map(encode).join('.')}&key=${encode(sent!.key as string)}`);
        if (back.status !== 200 || back.json !== null) fail(route, `a deleted store item reads back ${back.status} ${preview(back.answer.text, 80)}`, built, answer);
        break;
      }
      case 'POST /threads/:thread_id/runs':
      case 'POST /threads/:thread_id/runs/stream':
      case 'POST /threads/:thread_id/runs/wait': {
        const location = String(answer.headers['content-location'] ?? '');
        if (!location.startsWith('/threads/')) fail(route, 'a run it accepted has no content-location', built, answer);
        const back = await get(location);
        // The run itself answers a create; wait answers its values, stream its events (the location is checked above).
        if (json && 'run_id' in json)
          for (const field of ['run_id', 'thread_id', 'assistant_id', 'created_at', 'metadata', 'multitask_strategy']) same(`run ${field}`, json[field], back[field]);
        break;
      }
      case 'DELETE /threads/:thread_id/runs/:run_id':
        await get(`/threads/${built.segments.thread_id}/runs/${built.segments.run_id}`, 404);
        break;
      case 'POST /playground/api/channels': {
        pools.add('channel', String(json!.name));
        const state = await get('/playground/api/state');
        if (!(state.channels as string[]).includes(String(json!.name))) fail(route, 'a channel it created is not listed', built, answer);
        break;
      }
      case 'POST /playground/api/channels/:channel/messages': {
        if (answer.status !== 201) break; // a command: answered privately, nothing stored
        if (json!.thread === null) pools.add('message', String(json!.id));
        const { messages } = (await get(`/playground/api/channels/${built.segments.channel}/messages`)) as { messages: Array<Record<string, unknown>> };
        const back = messages.find((message) => message.id === json!.id);
        if (!back) fail(route, 'a message it accepted is not listed', built, answer);
        for (const field of ['id', 'channel', 'thread', 'user', 'created_at']) same(`message ${field}`, json![field], back[field]);
        if (typeof sent?.text === 'string') same('message text (as sent)', sent.text, json!.markdown);
        break;
      }
      default:
        break;
    }
  }

  async function exercise(route: Route, plan: RequestPlan): Promise<void> {
    if (Date.now() > deadline) return;
    const built = build(route, plan);
    let answer: RawAnswer;
    try {
      answer = await client.send(built.raw);
    } catch (error) {
      if (error instanceof Unsendable) return;
      fail(route, (error as Error).message.replace(/\d+ ms/, 'time'), built);
    }
    casesByRoute.set(route.key, (casesByRoute.get(route.key) ?? 0) + 1);
    const statuses = statusesByRoute.get(route.key) ?? new Map<number, number>();
    statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    statusesByRoute.set(route.key, statuses);
    checkAnswer(route, built, answer, plan);
    if (answer.status >= 200 && answer.status < 300) {
      // A stateless run's thread is deleted when it ends: not one to send more requests to.
      harvest(parseJson(answer.text), 0, !/^POST \/runs(\/stream|\/wait|\/batch)?$/.test(route.key));
      if (route.method === 'DELETE') {
        // What was deleted leaves the pools: later requests should mostly reach records that exist.
        for (const [name, segment] of Object.entries(built.segments)) {
          const kind = PARAM_KINDS[name];
          if (!kind) continue;
          try {
            pools.remove(kind, decodeURIComponent(segment));
          } catch {
            // not an id of the pools
          }
        }
      }
      // A `.` or `..` segment is resolved before routing (as every HTTP client and server does): the request
      // reached another route, whose answer this route's read-back cannot judge.
      const resolvedElsewhere = Object.values(built.segments).some((segment) => segment === '.' || segment === '..' || /^%2e%2e?$/i.test(segment));
      if (!resolvedElsewhere && (answer.complete || answer.text.trim() !== '')) await readBack(route, built, answer);
    }
  }

  it(
    'answers every generated request with a 2xx or 4xx, leaks nothing, reads back what it accepted, and keeps its lists working',
    async () => {
      const started = Date.now();
      deadline = started + SECONDS * 1000;
      const shrunk: string[] = [];
      const slices = routes.length * ROUNDS;
      let slice = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, route] of routes.entries()) {
          const remaining = deadline - Date.now();
          const timeMs = Math.max(20, remaining / (slices - slice));
          slice += 1;
          if (remaining <= 0) break;
          // The predicate may still be running when the time limit interrupts fast-check: wait for it.
          let inflight: Promise<unknown> = Promise.resolve();
          const property = fc.asyncProperty(requestPlan(route.params.length), (plan) => {
            const run = exercise(route, plan);
            inflight = run.catch(() => undefined);
            return run;
          });
          try {
            await fc.assert(property, { seed: SEED + round * 1_000 + index, numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(timeMs)] });
          } catch (error) {
            // fast-check's report: the smallest failing plan it found (the finding itself is in `found`).
            // A slice that ran out of time during its first case is no failure.
            const report = String((error as Error).message);
            if (!report.startsWith('Property interrupted')) shrunk.push(report.split('\n').slice(0, 12).join('\n'));
          }
          await inflight;
        }
      }
      const fuzzMs = Date.now() - started;
      const cases = [...casesByRoute.values()].reduce((sum, count) => sum + count, 0);
      const byClass = new Map<string, number>();
      for (const statuses of statusesByRoute.values())
        for (const [status, count] of statuses) byClass.set(`${String(status)[0]}xx`, (byClass.get(`${String(status)[0]}xx`) ?? 0) + count);

      // (4) Afterwards every list and search still answers, and so does the rest of the app.
      const after: string[] = [];
      for (const [path, body] of LISTS) {
        const { status, answer } = await call('POST', path, body);
        if (status !== 200) after.push(`POST ${path} answered ${status}: ${preview(answer.text, 300)}`);
        for (const [pattern, what] of LEAKS) if (pattern.test(answer.text)) after.push(`POST ${path} leaks ${what}`);
      }
      for (const path of ['/ok', '/info', '/playground/api/state']) {
        const { status } = await call('GET', path);
        if (status !== 200) after.push(`GET ${path} answered ${status}`);
      }
      const channels = ((await call('GET', '/playground/api/state')).json as { channels?: string[] } | undefined)?.channels ?? [];
      for (const channel of channels) {
        const { status } = await call('GET', `/playground/api/channels/${encode(channel)}/messages`);
        if (status !== 200) after.push(`GET messages of #${channel} answered ${status}`);
      }

      const unexercised = routes.filter((route) => !casesByRoute.has(route.key)).map((route) => route.key);
      console.info(
        [
          `[fuzz] backend=${BACKEND} seed=${SEED} routes=${routes.length} cases=${cases} (${[...byClass].map(([klass, count]) => `${klass}: ${count}`).join(', ')}) requests=${client.count} (with read-backs and checks) time=${(fuzzMs / 1000).toFixed(1)}s`,
          `[fuzz] replay: FUZZ_SEED=${SEED} FUZZ_SECONDS=${SECONDS} ${BACKEND === 'postgres' ? 'TEST_ENGINE_BACKEND=postgres ' : ''}npx vitest run test/fuzz`,
          ...(DEEP || process.env.FUZZ_VERBOSE
            ? [...statusesByRoute].map(
                ([key, statuses]) =>
                  `[fuzz]   ${String(casesByRoute.get(key)).padStart(6)} ${key.padEnd(58)} ${[...statuses]
                    .sort(([a], [b]) => a - b)
                    .map(([status, count]) => `${status}×${count}`)
                    .join(' ')}`,
              )
            : []),
        ].join('\n'),
      );
      const report = [...found].map(([signature, example]) => `${signature}\n${example}`);
      expect(report, `${report.join('\n\n')}\n\nfast-check's reports:\n${shrunk.join('\n\n')}`).toEqual([]);
      expect(after).toEqual([]);
      expect(unexercised, 'routes the time budget did not reach').toEqual([]);
    },
    SECONDS * 1000 + 180_000,
  );
});
