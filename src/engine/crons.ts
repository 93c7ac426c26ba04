import type { Logger } from 'pino';
import { invalidInput, notFound } from '../errors.ts';
import { jsonContains, sortAndPage } from '../storage/query.ts';
import type { Cron, Storage } from '../storage/types.ts';
import type { AssistantService } from './assistants.ts';
import { nextRun, parseSchedule } from './cron-schedule.ts';
import {
  cronCountSchema,
  cronCreateSchema,
  cronPatchSchema,
  cronSearchSchema,
  CRON_FIELDS,
  type CronCount,
  type CronCreate,
  type CronPatch,
  type CronSearch,
} from './requests/crons.ts';
import { definedFields } from './requests/fields.ts';
import { parseRequest } from './requests/parse.ts';
import type { RunCreate } from './requests/runs.ts';
import type { RunService } from './runs.ts';
import type { ThreadService } from './threads.ts';

/** The run part of a cron request: what each of its runs is started with. */
function runPayload(request: Record<string, unknown>): Record<string, unknown> {
  const payload = definedFields(request);
  for (const field of CRON_FIELDS) delete payload[field];
  return payload;
}

/**
 * Crons: runs created on a schedule, on a thread or each on a new thread. The scheduler
 * checks every second; a schedule missed while the server was down fires once at start,
 * then follows its rhythm again.
 */
export class CronService {
  readonly #storage: Storage;
  readonly #assistants: AssistantService;
  readonly #threads: ThreadService;
  readonly #runs: RunService;
  readonly #log: Logger;
  readonly #now: () => Date;
  #timer: NodeJS.Timeout | undefined;
  #ticking = false;

  constructor(options: { storage: Storage; assistants: AssistantService; threads: ThreadService; runs: RunService; log: Logger; now?: () => Date }) {
    this.#storage = options.storage;
    this.#assistants = options.assistants;
    this.#threads = options.threads;
    this.#runs = options.runs;
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
  }

  async create(threadId: string | null, request: CronCreate): Promise<Cron> {
    const input = parseRequest(cronCreateSchema, request);
    // Each run it fires calls this webhook: a URL the policy refuses is refused now, not at every firing.
    if (input.webhook) await this.#runs.checkWebhook(input.webhook);
    const schedule = parseSchedule(input.schedule);
    const assistant = await this.#assistants.get(input.assistant_id);
    if (threadId !== null) await this.#threads.get(threadId);
    // Each run starts with this input: what the graph cannot take is refused now, not when the cron fires.
    await this.#threads.checkValues(assistant.graph_id, threadId, input.input, 'input');
    const endTime = parseEndTime(input.end_time);
    const now = this.#now();
    const cron: Cron = {
      cron_id: crypto.randomUUID(),
      assistant_id: assistant.assistant_id,
      thread_id: threadId,
      schedule: input.schedule,
      payload: runPayload(input),
      metadata: input.metadata ?? {},
      enabled: input.enabled ?? true,
      end_time: endTime,
      on_run_completed: input.on_run_completed ?? 'delete',
      user_id: null,
      next_run_date: nextRun(schedule, now)?.toISOString() ?? null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await this.#storage.crons.put(cron);
    return cron;
  }

  async get(cronId: string): Promise<Cron> {
    const cron = await this.#storage.crons.get(cronId);
    if (!cron) throw notFound('cron', cronId);
    return cron;
  }

  async update(cronId: string, request: CronPatch): Promise<Cron> {
    const patch = parseRequest(cronPatchSchema, request);
    const cron = await this.get(cronId);
    if (patch.input !== undefined) {
      const assistant = await this.#assistants.find(cron.assistant_id);
      if (assistant) await this.#threads.checkValues(assistant.graph_id, cron.thread_id, patch.input, 'input');
    }
    const now = this.#now();
    if (patch.schedule !== undefined) {
      cron.schedule = patch.schedule;
      cron.next_run_date = nextRun(parseSchedule(patch.schedule), now)?.toISOString() ?? null;
    }
    if (patch.end_time !== undefined) cron.end_time = parseEndTime(patch.end_time);
    if (patch.enabled !== undefined) cron.enabled = patch.enabled;
    if (patch.metadata !== undefined) cron.metadata = { ...cron.metadata, ...patch.metadata };
    if (patch.on_run_completed !== undefined) cron.on_run_completed = patch.on_run_completed;
    cron.payload = { ...cron.payload, ...runPayload(patch) };
    cron.updated_at = now.toISOString();
    await this.#storage.crons.put(cron);
    return cron;
  }

  async delete(cronId: string): Promise<void> {
    if (!(await this.#storage.crons.delete(cronId))) throw notFound('cron', cronId);
  }

  /** `within`: a metadata containment every cron found must pass (what a project's auth lets its user see). */
  async search(request: CronSearch = {}, within?: Record<string, unknown>): Promise<{ items: Cron[]; total: number }> {
    const query = parseRequest(cronSearchSchema, request);
    const assistantId = query.assistant_id === undefined ? undefined : this.#assistants.resolveId(query.assistant_id);
    const matches = (await this.#storage.crons.list()).filter(
      (cron) =>
        (assistantId === undefined || cron.assistant_id === assistantId) &&
        (query.thread_id === undefined || cron.thread_id === query.thread_id) &&
        (query.enabled === undefined || cron.enabled === query.enabled) &&
        (within === undefined || jsonContains(cron.metadata, within)),
    );
    const items = sortAndPage(matches, {
      sortBy: query.sort_by ?? 'created_at',
      order: query.sort_order ?? 'desc',
      offset: query.offset,
      limit: query.limit,
    });
    return { items, total: matches.length };
  }

  async count(request: CronCount = {}, within?: Record<string, unknown>): Promise<number> {
    return (await this.search({ ...parseRequest(cronCountSchema, request), limit: 0 }, within)).total;
  }

  /** Fires every enabled cron that is due at `now`; returns the run ids created. */
  async tick(now: Date = this.#now()): Promise<string[]> {
    if (this.#ticking) return [];
    this.#ticking = true;
    const created: string[] = [];
    try {
      for (const cron of await this.#storage.crons.list()) {
        if (!cron.enabled || !cron.next_run_date || Date.parse(cron.next_run_date) > now.getTime()) continue;
        if (cron.end_time && Date.parse(cron.end_time) < now.getTime()) {
          await this.#storage.crons.put({ ...cron, enabled: false, next_run_date: null, updated_at: now.toISOString() });
          continue;
        }
        // Moving the cron to its next date is the claim to fire it: of several processes, one wins.
        const next = nextRun(parseSchedule(cron.schedule), now);
        const advanced = await this.#storage.crons.advance(cron.cron_id, cron.next_run_date, {
          ...cron,
          next_run_date: next?.toISOString() ?? null,
          updated_at: now.toISOString(),
        });
        if (!advanced) continue;
        try {
          const payload: RunCreate = { ...(cron.payload as Omit<RunCreate, 'assistant_id'>), assistant_id: cron.assistant_id };
          const run =
            cron.thread_id === null
              ? await this.#runs.create(null, { ...payload, on_completion: cron.on_run_completed })
              : await this.#runs.create(cron.thread_id, { ...payload, multitask_strategy: payload.multitask_strategy ?? 'enqueue' });
          created.push(run.run_id);
        } catch (error) {
          this.#log.warn({ err: error, cronId: cron.cron_id }, 'a cron could not create its run');
        }
      }
    } finally {
      this.#ticking = false;
    }
    return created;
  }

  start(intervalMs = 1_000): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.tick().catch((error: unknown) => this.#log.error({ err: error }, 'cron tick failed'));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

function parseEndTime(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw invalidInput(`end_time "${value}" is not a date`, { field: 'end_time' });
  return new Date(time).toISOString();
}
