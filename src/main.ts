import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { openBackend, type SharedWork } from './backend.ts';
import { ChatService } from './chat/chat.ts';
import type { Platform, PlatformHealth, PlatformRoutes } from './chat/types.ts';
import { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { GraphRegistry } from './engine/graphs.ts';
import { WebhookPolicy } from './engine/webhook-policy.ts';
import { NO_URL_RULES } from './config/webhooks.ts';
import { configureChatModel, resolveProvider } from './graphs/models/chat-model.ts';
import { createHttpApp } from './http/app.ts';
import { checkPortFree, listenProblem } from './http/port-check.ts';
import { listen, type RunningServer } from './http/server.ts';
import { bundleGraphUi, generativeUiRoutes } from './http/generative-ui.ts';
import { bindLoopbackFetch, loadUserApp, loadUserApps } from './http/user-app.ts';
import { servedUnder } from './http/mount-prefix.ts';
import { loadCustomAuth } from './http/auth/custom-auth.ts';
import { loadStoreIndex } from './platform/store-index.ts';
import { gaugeOf } from './ops/metrics.ts';
import { settle, type Leftovers } from './ops/graceful-stop.ts';
import { PlatformStartup } from './ops/platform-startup.ts';
import { startIdleMemory } from './ops/idle-memory.ts';
import { startTracing } from './ops/tracing/index.ts';
import { flushLangSmith } from './ops/tracing/langsmith.ts';
import { createLogger } from './log.ts';
import { registerPlatformLogger } from './platform/logger.ts';
import { TypeSchemaIndex } from './platform/type-schemas.ts';
import { enabledPlatforms } from './platforms.ts';
import type { Storage } from './storage/types.ts';
import { PACKAGE_ROOT } from './util/package-root.ts';

export interface Switchboard {
  config: LoadedConfig;
  engine: Engine;
  chat: ChatService;
  /** The platforms running here, in the order they started. */
  platforms: Platform[];
  /** A running platform by name (`slack`, `discord`, `web`). */
  platform(name: string): Platform | undefined;
  server: RunningServer;
  /** This process's id among the processes sharing a PostgreSQL database. */
  processId: string | undefined;
  stop(): Promise<void>;
  /**
   * SIGTERM's stop: no new work (new runs over HTTP get a 503, chat messages are held for the
   * next start), runs in flight and their replies get `graceMs` (server.shutdown_grace_seconds),
   * then everything stops; runs still going resume from their checkpoints at the next start.
   */
  stopGracefully(graceMs?: number): Promise<Leftovers>;
}

export const VERSION = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Undo = () => Promise<void> | void;

/**
 * The composition root: config -> storage -> graphs -> engine -> chat -> platforms, and
 * the HTTP server. Everything that starts is started here, and `stop()` undoes it in
 * reverse order. A platform starts when its credentials are in the environment.
 */
export async function startSwitchboard(options: LoadOptions & { log?: Logger } = {}): Promise<Switchboard> {
  const env = options.env ?? process.env;
  const config = loadConfig(options);
  const log = options.log ?? createLogger();
  configureChatModel(config.model, env);
  // The runtime the LangGraph Platform gives graphs, in place before they are imported.
  registerPlatformLogger(log);
  // A busy port is found before anything is opened or resumed (a second start touches nothing).
  await checkPortFree(config.server.host, config.server.port);
  // Graph types as JSON schemas: a LangGraph project's are read from the start (it takes seconds), in a worker thread.
  const typeSchemas = new TypeSchemaIndex(() => Object.values(config.graphs));
  if (config.format === 'langgraph') typeSchemas.warm();
  const loaded = await GraphRegistry.load(config.graphs, { configFile: config.file });
  const userApp = config.http.app ? await loadUserApp(config.http.app, config.file) : undefined;
  const userApps = await loadUserApps(config.http.apps ?? {}, config.file);
  const customAuth = config.auth ? await loadCustomAuth(config.auth.path, config.file) : undefined;
  const ui = config.ui
    ? generativeUiRoutes(await bundleGraphUi(config.ui, { baseDir: dirname(config.file), shared: config.ui_config?.shared ?? [], configFile: config.file }))
    : undefined;
  for (const notice of config.notices) log.info(notice);
  // Before anything that does work, so the first request and the runs resumed at start are traced.
  const stopTracing = await startTracing(env, { serviceName: 'switchboard', version: VERSION, log });
  const storeIndex = config.store?.index ? await loadStoreIndex(config.store.index, config.file) : undefined;
  const { storage, shared } = await openBackend(config.storage, {
    log,
    workers: config.runs.workers,
    eventRetentionMs: config.runs.stream_retention_seconds * 1000,
    storeIndex,
    ...(config.store?.ttl ? { storeTtl: { refreshOnRead: config.store.ttl.refresh_on_read, defaultMinutes: config.store.ttl.default_ttl ?? undefined } } : {}),
  });
  // What has started so far, undone in reverse if a later part fails to start.
  const started: Undo[] = [() => storage.close()];
  try {
    const graphs = loaded.attach(storage);
    const engine = createEngine({
      storage,
      graphs,
      log,
      workers: config.runs.workers,
      defaultStrategy: config.runs.default_multitask_strategy,
      timeoutSeconds: config.runs.timeout_seconds,
      streamRetentionSeconds: config.runs.stream_retention_seconds,
      streamMemoryBytes: config.runs.stream_memory_bytes,
      assistants: config.assistants,
      webhooks: !config.http.disable_webhooks,
      ...(config.webhooks
        ? {
            webhookPolicy: new WebhookPolicy({ rules: config.webhooks.url ?? NO_URL_RULES, headers: config.webhooks.headers ?? {}, allowedFields: config.webhooks.allowed_fields }),
          }
        : {}),
      ...(config.checkpointer?.ttl
        ? {
            threadTtl: {
              defaultMinutes: config.checkpointer.ttl.default_ttl,
              strategy: config.checkpointer.ttl.strategy,
              sweepIntervalMs: config.checkpointer.ttl.sweep_interval_minutes * 60_000,
            },
          }
        : {}),
      ...(config.store?.ttl?.sweep_interval_minutes ? { storeSweepIntervalMs: config.store.ttl.sweep_interval_minutes * 60_000 } : {}),
      // On PostgreSQL, one process sweeps expired threads and store items each interval.
      ...(shared ? { sweepTurn: shared.cluster.sweepTurn } : {}),
      // On PostgreSQL, every process started on the same database shares the runs.
      ...(shared ? { scheduler: (parts) => shared.cluster.scheduler(parts) } : {}),
    });
    const chat = new ChatService({
      engine,
      store: storage.chat,
      config: config.chat,
      log,
      nativeStreaming: (platform) => platform === 'slack' && config.platforms.slack.streaming !== 'edit',
      ...(shared ? { owner: shared.cluster.lease.processId } : {}),
    });
    // Work of processes that die is adopted by the survivors.
    shared?.cluster.lease.onAdopt(async (dead) => {
      const adopted = await chat.adopt(dead);
      if (adopted > 0) log.warn({ adopted, from: dead }, 'took over chat replies and deliveries of processes that died');
    });
    await engine.start();
    // From here the engine owns the storage: stopping it closes the storage too.
    started.splice(0, started.length, () => engine.stop());
    started.push(startIdleMemory({ idleMs: config.server.idle_gc_seconds * 1000, log, release: () => engine.releaseMemory() }));

    let stopping = false;
    const platforms = await enabledPlatforms(env, config, storage.chat, log, { installations: storage.installations, rateLedger: shared?.rateLedger });
    for (const platform of platforms) chat.addAdapter(platform.adapter);
    await chat.start();
    started.push(() => chat.stop());
    // A platform that cannot be reached is retried in the background; one that refuses its token stops the start.
    const startups = new Map(
      platforms.map((platform) => [
        platform,
        new PlatformStartup({
          name: platform.adapter.platform,
          log,
          backoff: { initialMs: config.platforms.retry.initial_seconds * 1000, maxMs: config.platforms.retry.max_seconds * 1000 },
          connect: async () => {
            await platform.start(chat);
            if (platform.needsLeader) started.push(await lead(platform, shared));
          },
        }),
      ]),
    );
    const stopPlatforms = once(async () => {
      await Promise.all([...startups.values()].map((startup) => startup.stop()));
      for (const platform of [...platforms].reverse()) await platform.stop().catch((error: unknown) => log.warn({ err: error }, 'a platform did not stop cleanly'));
    });
    started.push(stopPlatforms);
    for (const startup of startups.values()) await startup.begin();

    const routes = platforms.flatMap((platform) => (platform.routes ? [platform.routes()] : []));
    registerScrapedGauges(storage, chat);
    const app = createHttpApp({
      engine,
      version: VERSION,
      log,
      apiKey: config.server.api_key,
      maxBodyBytes: config.server.max_body_bytes,
      guard: { bindHost: config.server.host, allowedHosts: config.server.allowed_hosts, cors: config.server.cors },
      mounts: mountsOf(routes, 'own'),
      ...(ui ? { publicMounts: [(app: Hono) => app.route('/', ui.assets)] } : {}),
      authenticatedMounts: mountsOf(routes, 'api-key'),
      // As on the Platform, a project's custom auth authenticates POST /ui/{name} (its GET assets stay public).
      ...(ui ? { apiMounts: [(app: Hono) => app.route('/', ui.api)] } : {}),
      http: config.http,
      ...(userApp ? { userApp } : {}),
      userApps,
      ...(customAuth ? { customAuth } : {}),
      typeSchemas,
      stopping: () => stopping,
      health: () => health(storage, platforms, (platform) => startups.get(platform)?.health() ?? platform.health()),
    });
    // Custom routes and graphs reach the API in-process, as on the Platform.
    started.push(bindLoopbackFetch(app));
    // langgraph.json's http.mount_prefix: everything under it; in-process calls (above) stay without it.
    const served = config.http.mount_prefix ? servedUnder(config.http.mount_prefix, app) : app;
    const server = await listen(served, config.server.host, config.server.port).catch((error: unknown) => {
      throw listenProblem(error, config.server.host, config.server.port) ?? error;
    });
    log.info(
      {
        url: server.url,
        storage: storage.kind,
        graphs: graphs.ids(),
        model: resolveProvider(),
        platforms: platforms.map((platform) => platform.describe?.() ?? platform.adapter.platform),
      },
      'Switchboard is listening',
    );
    const stop = once(async () => {
      // Platforms first (the playground's live connections end, so the server can close); then the rest, newest first.
      await stopPlatforms();
      await server.close();
      for (const undo of started.reverse()) await undo();
      await flushTraces(stopTracing);
    });
    return {
      config,
      engine,
      chat,
      platforms,
      platform: (name) => platforms.find((platform) => platform.adapter.platform === name),
      server,
      processId: shared?.cluster.lease.processId,
      stop,
      async stopGracefully(graceMs = config.server.shutdown_grace_seconds * 1000) {
        stopping = true;
        const left = await settle({ scheduler: engine.scheduler, chat }, graceMs);
        if (left.runs > 0 || left.deliveries > 0) log.warn(left, 'the grace period is over: what is left resumes at the next start');
        await stop();
        return left;
      },
    };
  } catch (error) {
    for (const undo of started.reverse()) await Promise.resolve(undo()).catch(() => undefined);
    await flushTraces(stopTracing).catch(() => undefined);
    throw error;
  }
}

/**
 * Starts what only a leader does: at once with one process; with several, in the one that
 * holds the platform's leadership, moving to another when that one dies.
 */
async function lead(platform: Platform, shared: SharedWork | undefined): Promise<Undo> {
  const stand = () => platform.standDown?.() ?? Promise.resolve();
  if (!shared) {
    await platform.lead?.();
    return stand;
  }
  const leadership = shared.leadership(`${platform.adapter.platform}-leader`);
  leadership.start({ acquired: () => platform.lead?.() ?? Promise.resolve(), lost: stand });
  return () => leadership.stop();
}

/** Figures read when /metrics is scraped: runs waiting for a worker, replies waiting for their platform. */
function registerScrapedGauges(storage: Storage, chat: ChatService): void {
  gaugeOf('switchboard_runs_pending', 'Runs accepted and waiting for a worker (every process on the storage).', [], async () => [
    { value: (await storage.runs.active()).filter((run) => run.status === 'pending').length },
  ]);
  gaugeOf('switchboard_outbox_pending', 'Chat deliveries not yet taken by their platform, by platform.', ['platform'], async () => {
    const counts = new Map<string, number>();
    for (const { value } of await chat.outbox.pending()) counts.set(value.place.platform, (counts.get(value.place.platform) ?? 0) + 1);
    return [...counts].map(([platform, value]) => ({ labels: { platform }, value }));
  });
}

function mountsOf(routes: PlatformRoutes[], auth: PlatformRoutes['auth']): Array<(app: Hono) => void> {
  return routes.filter((each) => each.auth === auth).map((each) => (app: Hono) => void app.route('/', each.app));
}

/**
 * GET /ok: the database and each platform. An unreachable database or an unhealthy platform
 * (a "zombie" Discord gateway, a platform not reached yet) answers 503 naming it.
 */
async function health(storage: Storage, platforms: Platform[], reportOf: (platform: Platform) => PlatformHealth): Promise<Record<string, unknown>> {
  const database = storage.ping ? ((await storage.ping()) ? 'reachable' : 'unreachable') : undefined;
  const reports: Record<string, PlatformHealth> = Object.fromEntries(platforms.map((platform) => [platform.adapter.platform, reportOf(platform)]));
  const unhealthy = Object.values(reports).some((report) => report.healthy === false);
  return { ...(unhealthy || database === 'unreachable' ? { ok: false } : {}), ...(database ? { database } : {}), platforms: reports };
}

/** The last spans and LangSmith runs leave before the process does. */
async function flushTraces(stopTracing: () => Promise<void>): Promise<void> {
  await stopTracing();
  await flushLangSmith();
}

function once(work: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= work());
}
