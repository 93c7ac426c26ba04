import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { stringify } from 'yaml';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { configAssistantId } from '../../src/engine/assistants.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const WORKER = new URL('../fixtures/crash-worker.ts', import.meta.url).pathname;
const ROOT = resolve(import.meta.dirname, '../..');

/**
 * Kill points (CRASH_KILLS overrides): most under load, some while a restarted process
 * takes up the work the previous one left. Each costs a process start (about 2 s of
 * module loading), which is what bounds the test's run time.
 */
const KILLS = Number(process.env.CRASH_KILLS ?? 22);
/** The seed of the kill points and of the load's pacing (CRASH_SEED replays the kill points; the interleaving still varies). */
const SEED = Number(process.env.CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

const FINAL = new Set(['success', 'error', 'timeout', 'interrupted']);
/** The end of every answer of the offline model: a reply that has it was delivered whole. */
const ANSWER_END = 'for real answers.)';
const TALKER = configAssistantId('talker');
const SLOW_TALKER = configAssistantId('slowtalker');
const userMessage = (content: string) => ({ messages: [{ role: 'user', content }] });

/** mulberry32: a small seeded generator, so a failing sequence of kill points can be replayed. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

type Value = Record<string, unknown>;

/** Everything the processes acknowledged (a 2xx answer received before the kill). */
interface Ledger {
  threads: Set<string>;
  /** Background runs (accepted: they must end after a restart), by run id. */
  runs: Map<string, { threadId: string; text: string; status?: string }>;
  /** Runs waited for (`/runs/wait` answered: they had ended). */
  waited: Array<{ threadId: string; text: string }>;
  /** Store items: the last acknowledged value, and the values sent after it without an answer (any of which may have landed). */
  items: Map<string, { namespace: string[]; key: string; acked?: Value; since: Value[] }>;
  /** Playground messages, by id: they must be listed, and answered by the bot. */
  messages: Map<string, { text: string }>;
  /** Unexpected answers while the process was alive (a 5xx, a 4xx for a valid request). */
  problems: string[];
}

interface Warm {
  child: Child;
  warm: Promise<string>;
}

interface Workers {
  dataDir: string;
  /** Starts the next process on the data folder: a warm one, signalled. */
  start(): Promise<{ child: Child; url: string }>;
  kill(child: Child): Promise<void>;
}

/**
 * Switchboard processes on one data folder, with the example chat graph on the offline
 * model, the web playground answering with `slowtalker`. Warm processes (modules loaded,
 * storage untouched) wait for their turn, `spares` of them: a restart is then as fast as
 * Switchboard's own start-up, so many kill points fit in the test.
 */
function workers(dir: string, children: Child[], options: { spares: number; tokenDelayMs: number }): Workers {
  const dataDir = join(dir, 'data');
  const configFile = join(dir, 'switchboard.yaml');
  writeFileSync(
    configFile,
    stringify({
      graphs: { chat: join(ROOT, 'src/graphs/chat.ts:graph') },
      assistants: [
        { name: 'talker', graph: 'chat' },
        { name: 'slowtalker', graph: 'chat', config: { configurable: { token_delay_ms: options.tokenDelayMs } } },
      ],
      model: { provider: 'offline' },
      server: { host: '127.0.0.1', port: 0 },
      chat: { assistant: 'slowtalker', edit_interval_ms: 150 },
    }),
  );
  const spares: Warm[] = [];
  const spawn = () => {
    const child = runTs(WORKER, [configFile, dataDir]);
    children.push(child);
    const warm = child.waitFor(/^warm$/, 60_000);
    // A spare still warming when the test ends is killed: that is not a failure.
    warm.catch(() => undefined);
    spares.push({ child, warm });
  };
  for (let i = 0; i < options.spares; i += 1) spawn();
  return {
    dataDir,
    async start() {
      const next = spares.shift()!;
      if (options.spares > 0) spawn();
      await next.warm;
      next.child.process.kill('SIGUSR2');
      const line = await next.child.waitFor(/^url /, 30_000);
      return { child: next.child, url: line.slice('url '.length) };
    },
    async kill(child) {
      child.process.kill('SIGKILL');
      await child.exited;
    },
  };
}

describe('whole-process crash points', () => {
  const children: Child[] = [];
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    for (const temp of temps.splice(0)) temp.cleanup();
  });
  const tempDir = () => {
    const temp = makeTempDir('switchboard-crash-');
    // CRASH_KEEP=1 keeps the data folder to look at after a failure.
    if (process.env.CRASH_KEEP) console.log(`crash points: data folder ${temp.dir}`);
    else temps.push(temp);
    return temp.dir;
  };

  it(`SIGKILL at ${KILLS} random points under runs, store writes and chat messages loses no acknowledged write`, async () => {
    const { dataDir, start, kill } = workers(tempDir(), children, { spares: 2, tokenDelayMs: 10 });
    const random = seeded(SEED);
    const laneRandom = (cycle: number, lane: number) => seeded(SEED + 1 + cycle * 16 + lane);
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min));
    console.log(`crash points: seed ${SEED} (CRASH_SEED=${SEED} replays it), ${KILLS} kills`);

    const ledger: Ledger = { threads: new Set(), runs: new Map(), waited: [], items: new Map(), messages: new Map(), problems: [] };
    const timeline: string[] = [];
    const started = Date.now();
    let loadKills = 0;
    let recoveryKills = 0;
    let previousWasRecoveryKill = false;
    onTestFailed(() => console.log(`crash points (seed ${SEED}):\n${timeline.join('\n')}`));
    while (loadKills + recoveryKills < KILLS) {
      const cycle = loadKills;
      const killed = `kill #${loadKills + recoveryKills}`;
      const t0 = Date.now();
      const { child, url } = await start();
      const t1 = Date.now();
      // Now and then, kill the process that has just started, while it takes up the work
      // the previous one left (runs resuming, replies streaming, deliveries going out).
      // Never twice in a row: a run is interrupted at most twice before it must finish.
      if (cycle > 0 && !previousWasRecoveryKill && random() < 0.25) {
        const delay = between(0, 250);
        await sleep(delay);
        await kill(child);
        recoveryKills += 1;
        previousWasRecoveryKill = true;
        timeline.push(`start ${t1 - t0}ms, then kill #${loadKills + recoveryKills} in recovery after ${delay}ms`);
        continue;
      }
      previousWasRecoveryKill = false;
      await verify(url, ledger, cycle === 0 ? 'at the first start' : `after ${killed}`);
      const t2 = Date.now();

      let stopped = false;
      const lanes = [
        runLane(url, ledger, cycle, 0, laneRandom(cycle, 0), () => stopped),
        runLane(url, ledger, cycle, 1, laneRandom(cycle, 1), () => stopped),
        storeLane(url, ledger, cycle, 0, laneRandom(cycle, 2), () => stopped),
        storeLane(url, ledger, cycle, 1, laneRandom(cycle, 3), () => stopped),
        chatLane(url, ledger, cycle, 0, laneRandom(cycle, 4), () => stopped),
        chatLane(url, ledger, cycle, 1, laneRandom(cycle, 5), () => stopped),
      ];
      const delay = between(100, 1200);
      await sleep(delay);
      stopped = true;
      await kill(child);
      await Promise.all(lanes);
      timeline.push(`start ${t1 - t0}ms, checks ${t2 - t1}ms, then kill #${loadKills + recoveryKills + 1} under load after ${delay}ms`);
      loadKills += 1;
    }

    // A last start: everything acknowledged is there and every accepted run ends; then a
    // last kill, at rest, and the data folder is opened directly.
    const last = await start();
    await verify(last.url, ledger, 'after the last kill');
    // Runs accepted without an answer reaching the test end too: no thread stays busy.
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      const busy = await call(last.url, 'POST', '/threads/search', { status: 'busy', limit: 10_000 });
      expect(busy.status).toBe(200);
      if ((busy.body as unknown[]).length === 0) break;
      expect(Date.now(), `threads still busy: ${JSON.stringify(busy.body).slice(0, 500)}`).toBeLessThan(deadline);
    }
    await kill(last.child);
    const runtime = Date.now() - started;
    if (process.env.CRASH_VERBOSE) console.log(timeline.join('\n'));
    console.log(
      `crash points: ${loadKills} kills under load + ${recoveryKills} during recovery in ${runtime}ms; acknowledged ${ledger.threads.size} threads, ${ledger.runs.size + ledger.waited.length} runs, ${ledger.items.size} store keys, ${ledger.messages.size} chat messages`,
    );
    expect(ledger.problems, `unexpected answers (seed ${SEED})`).toEqual([]);
    expect(loadKills + recoveryKills).toBe(KILLS);
    expect(ledger.runs.size).toBeGreaterThan(loadKills);
    expect(ledger.items.size).toBeGreaterThan(loadKills);
    expect(ledger.messages.size).toBeGreaterThan(loadKills);

    await verifyFiles(dataDir, ledger);
  }, 180_000);

  // The chat journals (data/chat/*.jsonl, src/storage/files/keyed-journal.ts) are rewritten
  // with their live lines once they pass 1000 lines and three times as many lines as keys.
  // The random kill points above reach that point now and then; this one goes to it on
  // purpose: the playground's journal is brought to exactly 1000 lines, the real process
  // acknowledges a message whose line is the 1001st, and is killed.
  it('a chat message acknowledged by the write that compacts the playground journal is there after a kill', async () => {
    const { dataDir, start, kill } = workers(tempDir(), children, { spares: 1, tokenDelayMs: 0 });
    // Written first, as a bot's reply streamed in many edits leaves it: one message, 960 lines.
    const prefill = await openFilesStorage(dataDir);
    const draft = {
      id: '0000000000001.000000-fill',
      channel: 'general',
      thread: null,
      user: { id: 'switchboard', name: 'switchboard', bot: true },
      created_at: new Date(0).toISOString(),
    };
    for (let n = 0; n < 960; n += 1) await prefill.chat.collection('playground').put(`message:${draft.id}`, { ...draft, markdown: `draft ${n}` });
    await prefill.close();

    const first = await start();
    const journal = join(dataDir, 'chat', 'playground.jsonl');
    const journalLines = () => readFileSync(journal, 'utf8').split('\n').slice(0, -1);
    const keyCount = () => new Set(journalLines().map((line) => (JSON.parse(line) as { k: string }).k)).size;
    // Channels, one line each, up to exactly 1000 lines: the next write compacts the journal.
    for (let c = 0; journalLines().length < 1000; c += 1) expect((await call(first.url, 'POST', '/playground/api/channels', { name: `fill-${c}` })).status).toBe(201);
    expect(journalLines()).toHaveLength(1000);
    expect(1001, 'the journal compacts at its 1001st line').toBeGreaterThan(keyCount() * 3);

    const text = 'the message whose line compacts the journal';
    const sent = await call(first.url, 'POST', '/playground/api/channels/general/messages', { user: 'ana', text });
    expect(sent.status).toBe(201);
    const id = (sent.body as { id: string }).id;
    expect(journalLines().length, 'the journal compacted').toBeLessThan(1000);
    // The bot answers in its thread, then the process is killed.
    const answered = async (url: string) => {
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(50)) {
        const { messages } = (await call(url, 'GET', '/playground/api/channels/general/messages')).body as { messages: PlaygroundMessage[] };
        if (messages.some((message) => message.thread === id && message.user.bot && message.markdown.trim().endsWith(ANSWER_END))) return messages;
      }
      throw new Error(`no answer to ${id}`);
    };
    expect((await answered(first.url)).find((message) => message.id === id)).toMatchObject({ markdown: text });
    await kill(first.child);

    const second = await start();
    const messages = await answered(second.url);
    expect(
      messages.find((message) => message.id === id),
      `acknowledged message ${id} (its answer is listed)`,
    ).toMatchObject({ markdown: text });
    await kill(second.child);
  }, 60_000);
});

/**
 * The root of what the test above found, at the storage level: a journal that compacted
 * on the append, before memory held the new value (for a remove: while the removed key
 * still was there), rewrote the file without the write that triggered the compaction.
 * Memory had it; the next start did not.
 */
describe('chat journals compacting', () => {
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const temp of temps.splice(0)) temp.cleanup();
  });
  const open = async () => {
    const temp = makeTempDir();
    temps.push(temp);
    return { dir: temp.dir, storage: await openFilesStorage(temp.dir) };
  };

  it('keep the put that makes a journal compact', async () => {
    const { dir, storage } = await open();
    const messages = storage.chat.collection<{ n: number }>('playground');
    for (let n = 0; n < 1000; n += 1) await messages.put('edited', { n });
    await messages.put('new', { n: -1 }); // line 1001: the journal compacts
    expect(await messages.get('new')).toEqual({ n: -1 });
    await storage.close();
    const again = await openFilesStorage(dir);
    try {
      expect(await again.chat.collection('playground').get('new')).toEqual({ n: -1 });
      expect(await again.chat.collection('playground').get('edited')).toEqual({ n: 999 });
    } finally {
      await again.close();
    }
  });

  it('keep the delete that makes a journal compact', async () => {
    const { dir, storage } = await open();
    const outbox = storage.chat.collection<{ n: number }>('outbox');
    await outbox.put('delivered', { n: 0 });
    for (let n = 0; n < 999; n += 1) await outbox.put('other', { n });
    await outbox.delete('delivered'); // line 1001: the journal compacts
    expect(await outbox.get('delivered')).toBeNull();
    await storage.close();
    const again = await openFilesStorage(dir);
    try {
      expect(await again.chat.collection('outbox').get('delivered')).toBeNull();
    } finally {
      await again.close();
    }
  });
});

// ---------------------------------------------------------------- load

async function lane(name: string, ledger: Ledger, stopped: () => boolean, step: (n: number) => Promise<void>): Promise<void> {
  for (let n = 0; !stopped(); n += 1) {
    try {
      await step(n);
    } catch (error) {
      // A request cut by the kill is not acknowledged; anything else is a problem.
      if (stopped()) return;
      ledger.problems.push(`${name} #${n}: ${(error as Error).message}`);
      await sleep(50);
    }
  }
}

function client(url: string): Client {
  return new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
}

/** Threads with background runs (some queued behind another on the same thread), and runs waited for. */
function runLane(url: string, ledger: Ledger, cycle: number, id: number, random: () => number, stopped: () => boolean): Promise<void> {
  const sdk = client(url);
  let previous: string | undefined;
  return lane(`runs ${cycle}.${id}`, ledger, stopped, async (n) => {
    const text = `run ${cycle}.${id}.${n}`;
    if (previous && n % 4 === 1) {
      // A second run on a thread whose first one may still be running: it waits in the queue.
      const run = await sdk.runs.create(previous, SLOW_TALKER, { input: userMessage(text), multitaskStrategy: 'enqueue' });
      ledger.runs.set(run.run_id, { threadId: previous, text });
    } else {
      const thread = await sdk.threads.create({ metadata: { cycle, lane: id, n } });
      ledger.threads.add(thread.thread_id);
      previous = thread.thread_id;
      if (n % 3 === 2) {
        await sdk.runs.wait(thread.thread_id, TALKER, { input: userMessage(text) });
        ledger.waited.push({ threadId: thread.thread_id, text });
      } else {
        const run = await sdk.runs.create(thread.thread_id, SLOW_TALKER, { input: userMessage(text) });
        ledger.runs.set(run.run_id, { threadId: thread.thread_id, text });
      }
    }
    await sleep(40 + Math.floor(random() * 160));
  });
}

/** New items and one item overwritten again and again, in a namespace per lane. */
function storeLane(url: string, ledger: Ledger, cycle: number, id: number, random: () => number, stopped: () => boolean): Promise<void> {
  const sdk = client(url);
  const namespace = ['crash', `lane${id}`];
  return lane(`store ${cycle}.${id}`, ledger, stopped, async (n) => {
    const key = n % 2 === 0 ? `item-${cycle}-${n}` : 'counter';
    const value = { cycle, n, pad: 'x'.repeat(Math.floor(random() * 300)) };
    const ref = `${namespace.join('.')}/${key}`;
    const entry = ledger.items.get(ref) ?? { namespace, key, since: [] };
    ledger.items.set(ref, entry);
    entry.since.push(value);
    await sdk.store.putItem(namespace, key, value);
    entry.acked = value;
    entry.since = [];
    await sleep(10 + Math.floor(random() * 40));
  });
}

/** Messages typed in the playground's #general: each starts a conversation the bot answers. */
function chatLane(url: string, ledger: Ledger, cycle: number, id: number, random: () => number, stopped: () => boolean): Promise<void> {
  return lane(`chat ${cycle}.${id}`, ledger, stopped, async (n) => {
    const text = `chat ${cycle}.${id}.${n}`;
    const response = await fetch(`${url}/playground/api/channels/general/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: `tester${id}`, text }),
    });
    const body = (await response.json()) as { id?: string };
    if (response.status !== 201 || !body.id) throw new Error(`POST message answered ${response.status} ${JSON.stringify(body)}`);
    ledger.messages.set(body.id, { text });
    await sleep(60 + Math.floor(random() * 200));
  });
}

// ---------------------------------------------------------------- checks

interface Answer {
  status: number;
  body: unknown;
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}${path}`, body === undefined ? { method } : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed };
}

/** Runs `work` over `items`, a few at a time. */
async function each<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let at = 0; at < items.length; at += 16) await Promise.all(items.slice(at, at + 16).map(work));
}

type Message = { type?: string; content?: unknown };
const messagesOf = (state: unknown) => ((state as { values?: { messages?: Message[] } } | null)?.values?.messages ?? []) as Message[];
const saidIn = (messages: Message[], text: string) =>
  messages.some((message) => message.type === 'human' && message.content === text) &&
  messages.some((message) => message.type === 'ai' && typeof message.content === 'string' && message.content.includes(`You said: "${text}"`));

interface PlaygroundMessage {
  id: string;
  thread: string | null;
  user: { bot?: boolean };
  markdown: string;
}

/**
 * After a restart: the process is healthy, its list routes answer, and every acknowledged
 * write is there. Accepted runs must end (successfully) and acknowledged chat messages
 * must be answered in full; both are waited for.
 */
async function verify(url: string, ledger: Ledger, when: string): Promise<void> {
  const failures: string[] = [];
  const expectStatus = (answer: Answer, status: number, what: string) => {
    if (answer.status !== status) failures.push(`${what}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return answer.status === status;
  };
  expectStatus(await call(url, 'GET', '/ok'), 200, 'GET /ok');
  expectStatus(await call(url, 'POST', '/threads/search', { limit: 10_000 }), 200, 'POST /threads/search');
  expectStatus(await call(url, 'POST', '/assistants/search', { limit: 100 }), 200, 'POST /assistants/search');
  expectStatus(await call(url, 'POST', '/store/items/search', { namespace_prefix: ['crash'], limit: 10_000 }), 200, 'POST /store/items/search');

  // Threads: every acknowledged one is found.
  const ids = [...ledger.threads];
  const found = await call(url, 'POST', '/threads/search', { ids, limit: 10_000 });
  if (expectStatus(found, 200, 'POST /threads/search by ids')) {
    const listed = new Set((found.body as Array<{ thread_id: string }>).map((thread) => thread.thread_id));
    for (const id of ids) if (!listed.has(id)) failures.push(`acknowledged thread ${id} is missing`);
  }

  // Runs waited for: ended successfully, and their thread holds the exchange.
  await each(ledger.waited, async ({ threadId, text }) => {
    const runs = await call(url, 'GET', `/threads/${threadId}/runs`);
    if (!expectStatus(runs, 200, `runs of thread ${threadId}`)) return;
    if (!(runs.body as Array<{ status: string }>).some((run) => run.status === 'success'))
      failures.push(`waited run "${text}" on ${threadId} has no successful run: ${JSON.stringify(runs.body)}`);
    const state = await call(url, 'GET', `/threads/${threadId}/state`);
    if (expectStatus(state, 200, `state of ${threadId}`) && !saidIn(messagesOf(state.body), text)) failures.push(`thread ${threadId} lost the exchange of waited run "${text}"`);
  });

  // Store items: the last acknowledged value (or a later one sent without an answer).
  await each([...ledger.items.values()], async (entry) => {
    if (!entry.acked) return;
    const answer = await call(url, 'GET', `/store/items?namespace=${encodeURIComponent(entry.namespace.join('.'))}&key=${encodeURIComponent(entry.key)}`);
    if (!expectStatus(answer, 200, `store item ${entry.key}`)) return;
    const value = (answer.body as { value?: Value } | null)?.value;
    const allowed = [entry.acked, ...entry.since];
    if (!allowed.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value))) {
      failures.push(`store item ${entry.namespace.join('.')}/${entry.key} is ${JSON.stringify(value)?.slice(0, 120)}, acknowledged ${JSON.stringify(entry.acked).slice(0, 120)}`);
    }
  });

  // Playground messages: every acknowledged one is listed, as typed.
  const listMessages = async (): Promise<PlaygroundMessage[] | null> => {
    const answer = await call(url, 'GET', '/playground/api/channels/general/messages');
    return expectStatus(answer, 200, 'GET playground messages') ? (answer.body as { messages: PlaygroundMessage[] }).messages : null;
  };
  const listed = await listMessages();
  if (listed) {
    const byId = new Map(listed.map((message) => [message.id, message]));
    for (const [id, { text }] of ledger.messages) {
      const message = byId.get(id);
      if (!message) failures.push(`acknowledged playground message ${id} ("${text}") is missing`);
      else if (message.markdown !== text) failures.push(`playground message ${id} reads "${message.markdown}", acknowledged "${text}"`);
    }
  }
  expect(failures, `${when}: missing or broken acknowledged writes`).toEqual([]);

  // Accepted runs end, and successfully; acknowledged messages get a whole answer.
  const deadline = Date.now() + 30_000;
  let waiting: string[] = [];
  for (;;) {
    waiting = [];
    await each([...ledger.runs], async ([runId, run]) => {
      if (run.status) return;
      const answer = await call(url, 'GET', `/threads/${run.threadId}/runs/${runId}`);
      if (!expectStatus(answer, 200, `acknowledged run ${runId} ("${run.text}")`)) return;
      const status = (answer.body as { status: string }).status;
      if (!FINAL.has(status)) {
        waiting.push(`run ${runId} ("${run.text}") is ${status}`);
        return;
      }
      run.status = status;
      if (status !== 'success') failures.push(`run ${runId} ("${run.text}") ended ${status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
      const state = await call(url, 'GET', `/threads/${run.threadId}/state`);
      if (expectStatus(state, 200, `state of ${run.threadId}`) && !saidIn(messagesOf(state.body), run.text))
        failures.push(`thread ${run.threadId} lost the exchange of run "${run.text}"`);
    });
    const messages = (await listMessages()) ?? [];
    for (const [id, { text }] of ledger.messages) {
      const replies = messages.filter((message) => message.thread === id && message.user.bot);
      const answered = replies.some((message) => message.markdown.includes(`You said: "${text}"`) && message.markdown.trim().endsWith(ANSWER_END));
      if (!answered) waiting.push(`message ${id} ("${text}") has no whole answer yet; the bot's messages in its thread: ${JSON.stringify(replies.map((reply) => reply.markdown))}`);
    }
    if (failures.length > 0 || waiting.length === 0 || Date.now() > deadline) break;
    await sleep(100);
  }
  expect(failures, `${when}: runs and replies`).toEqual([]);
  expect(waiting, `${when}: still not done after 30s`).toEqual([]);
}

/** The data folder opened directly: every file loads, and holds every acknowledged write. */
async function verifyFiles(dataDir: string, ledger: Ledger): Promise<void> {
  const storage = await openFilesStorage(dataDir);
  try {
    for (const name of readdirSync(join(dataDir, 'threads')).filter((file) => file.endsWith('.jsonl'))) {
      const threadId = name.slice(0, -'.jsonl'.length);
      await storage.threads.get(threadId);
      await storage.runs.listByThread(threadId, { limit: 10_000, offset: 0 });
      await storage.checkpointer.getTuple({ configurable: { thread_id: threadId, checkpoint_ns: '' } });
    }
    for (const threadId of ledger.threads) expect(await storage.threads.get(threadId), `thread ${threadId}`).not.toBeNull();
    for (const [runId, run] of ledger.runs) expect((await storage.runs.get(run.threadId, runId))?.status, `run ${runId}`).toBe('success');
    expect(await storage.runs.active()).toEqual([]);
    for (const entry of ledger.items.values()) {
      if (!entry.acked) continue;
      const item = await storage.store.get(entry.namespace, entry.key);
      expect([entry.acked, ...entry.since].map((value) => JSON.stringify(value))).toContain(JSON.stringify(item?.value));
    }
    await storage.assistants.search({ limit: 100, offset: 0 });
    await storage.crons.list();
    // Every chat journal loads; the playground's holds every acknowledged message.
    for (const name of readdirSync(join(dataDir, 'chat')).filter((file) => file.endsWith('.jsonl'))) {
      const collection = name.slice(0, -'.jsonl'.length);
      if (collection === 'dedupe') await storage.chat.inbox().unfinished();
      else await storage.chat.collection(collection).list();
    }
    const playground = storage.chat.collection<{ markdown?: string }>('playground');
    for (const [id, { text }] of ledger.messages) expect((await playground.get(`message:${id}`))?.markdown, `playground message ${id}`).toBe(text);
  } finally {
    await storage.close();
  }
}
