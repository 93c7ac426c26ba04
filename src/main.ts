import { readFileSync } from 'node:fs';
import type { Hono } from 'hono';
import type { Logger } from 'pino';
import { createDiscordAdapter, type DiscordAdapter } from '../adapters/discord/index.ts';
import { createSlackAdapter, type SlackAdapter } from '../adapters/slack/index.ts';
import { createWebAdapter, type WebAdapter } from '../adapters/web/index.ts';
import { ChatService } from './chat/chat.ts';
import { loadConfig, type LoadedConfig, type LoadOptions } from './config/load.ts';
import { createEngine, type Engine } from './engine/engine.ts';
import { GraphRegistry } from './engine/graphs.ts';
import { SwitchboardError } from './errors.ts';
import { configureChatModel, resolveProvider } from './graphs/models/chat-model.ts';
import { createHttpApp } from './http/app.ts';
import { listen, type RunningServer } from './http/server.ts';
import { createLogger } from './log.ts';
import { openLowdbStorage } from './storage/lowdb/index.ts';
import { createCluster } from './storage/postgres/cluster/index.ts';
import { Leadership } from './storage/postgres/cluster/leadership.ts';
import { openPostgresStorage, type PostgresStorage } from './storage/postgres/index.ts';
import type { Storage } from './storage/types.ts';

export interface Switchboard {
  config: LoadedConfig;
  engine: Engine;
  chat: ChatService;
  slack: SlackAdapter | undefined;
  discord: DiscordAdapter | undefined;
  web: WebAdapter | undefined;
  server: RunningServer;
  /** This process's id among the processes sharing a PostgreSQL database. */
  processId: string | undefined;
  stop(): Promise<void>;
}

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * The composition root: config -> storage -> graphs -> engine -> chat -> adapters, and
 * the HTTP server. Everything that starts is started here, and `stop()` undoes it in
 * reverse order. A platform starts when its credentials are in the environment.
 */
export async function startSwitchboard(options: LoadOptions & { log?: Logger } = {}): Promise<Switchboard> {
  const env = options.env ?? process.env;
  const config = loadConfig(options);
  const log = options.log ?? createLogger();
  configureChatModel(config.model, env);
  const loaded = await GraphRegistry.load(config.graphs, { configFile: config.file });
  const storage = await openStorage(config);
  // What has started so far, undone in reverse if a later part fails to start.
  const started: Array<() => Promise<void> | void> = [() => storage.close()];
  try {
    const graphs = loaded.attach(storage);
    // On PostgreSQL, every process started on the same database shares the runs.
    const cluster =
      config.storage.kind === 'postgres'
        ? createCluster({
            db: (storage as PostgresStorage).db,
            leaseMs: config.storage.lease_seconds * 1000,
            workers: config.runs.workers,
            log,
            eventRetentionMs: config.runs.stream_retention_seconds * 1000,
          })
        : undefined;
    // Work of processes that die is adopted by the survivors (the chat part once chat has started).
    let chatRef: ChatService | undefined;
    cluster?.lease.onAdopt(async (dead) => {
      const adopted = (await storage.chat.adopt?.(dead, cluster.lease.processId)) ?? 0;
      if (adopted > 0) {
        log.warn({ adopted, from: dead }, 'took over chat replies and deliveries of processes that died');
        await chatRef?.adopt();
      }
    });
    const engine = createEngine({
      storage,
      graphs,
      log,
      workers: config.runs.workers,
      defaultStrategy: config.runs.default_multitask_strategy,
      timeoutSeconds: config.runs.timeout_seconds,
      streamRetentionSeconds: config.runs.stream_retention_seconds,
      assistants: config.assistants,
      ...(cluster ? { scheduler: (parts) => cluster.scheduler(parts) } : {}),
    });
    await engine.start();
    // From here the engine owns the storage: stopping it closes the storage too.
    started.splice(0, started.length, () => engine.stop());

    const slack = slackFromEnv(env, config, log);
    const discord = discordFromEnv(env, config, engine, log);
    const chat = new ChatService({
      engine,
      repo: storage.chat,
      config: config.chat,
      log,
      nativeStreaming: (platform) => platform === 'slack' && config.platforms.slack.streaming !== 'edit',
      ...(cluster ? { owner: cluster.lease.processId } : {}),
    });
    chatRef = chat;
    const web = config.platforms.web.enabled
      ? await createWebAdapter({ repo: storage.chat.playground, engine, log, command: config.platforms.web.command, channels: config.platforms.web.channels })
      : undefined;
    if (slack) chat.addAdapter(slack.adapter);
    if (web) chat.addAdapter(web.adapter);
    if (discord) chat.addAdapter(discord.adapter);
    await chat.start();
    started.push(() => chat.stop());
    if (slack) {
      started.push(() => slack.stop());
      await slack.start(chat);
    }
    if (discord) {
      started.push(() => discord.stop());
      await discord.start(chat);
      if (cluster) {
        // Every process sends; one at a time holds the gateway (and it moves when that process dies).
        const gateway = new Leadership({ db: (storage as PostgresStorage).db, name: 'discord-gateway', retryMs: Math.max(500, (config.storage.kind === 'postgres' ? config.storage.lease_seconds : 2) * 250), log });
        started.push(() => gateway.stop());
        gateway.start({ acquired: () => discord.connectGateway(), lost: () => discord.disconnectGateway() });
      } else {
        await discord.connectGateway();
      }
    }
    if (web) {
      started.push(() => web.stop());
      await web.start(chat);
    }

    const mounts: Array<(app: Hono) => void> = [];
    if (slack?.handleHttp) mounts.push((app) => app.post('/slack/events', (c) => slack.handleHttp!(c)));
    const app = createHttpApp({
      engine,
      version: VERSION,
      log,
      apiKey: config.server.api_key,
      maxBodyBytes: config.server.max_body_bytes,
      mounts,
      authenticatedMounts: web ? [(app) => web.mount(app)] : [],
      health: async () => {
        const discordHealth = discord?.health();
        const database = 'ping' in storage ? ((await (storage as PostgresStorage).ping()) ? 'reachable' : 'unreachable') : undefined;
        // A Discord bot whose gateway is gone (a "zombie") fails the health check, so a supervisor restarts it.
        return {
          ...((discordHealth && !discordHealth.healthy) || database === 'unreachable' ? { ok: false } : {}),
          ...(database ? { database } : {}),
          platforms: { ...(slack ? { slack: slack.health() } : {}), ...(discordHealth ? { discord: discordHealth } : {}), ...(web ? { web: web.health() } : {}) },
        };
      },
    });
    const server = await listen(app, config.server.host, config.server.port);
    log.info(
      { url: server.url, storage: storage.kind, graphs: graphs.ids(), model: resolveProvider(), platforms: [...(slack ? [`slack (${slack.mode})`] : []), ...(discord ? ['discord'] : []), ...(web ? ['web playground'] : [])] },
      'Switchboard is listening',
    );
    return {
      config,
      engine,
      chat,
      slack,
      discord,
      web,
      server,
      processId: cluster?.lease.processId,
      async stop() {
        // The playground's live connections end first, so the server can close; then the rest, newest first.
        web?.stop();
        await server.close();
        for (const undo of started.reverse()) await undo();
      },
    };
  } catch (error) {
    for (const undo of started.reverse()) await Promise.resolve(undo()).catch(() => undefined);
    throw error;
  }
}

function slackFromEnv(env: NodeJS.ProcessEnv, config: LoadedConfig, log: Logger): SlackAdapter | undefined {
  if (!env.SLACK_BOT_TOKEN) return undefined;
  if (!env.SLACK_APP_TOKEN && !env.SLACK_SIGNING_SECRET) {
    throw new SwitchboardError('config_invalid', 'SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP mode) is');
  }
  return createSlackAdapter({
    botToken: env.SLACK_BOT_TOKEN,
    signingSecret: env.SLACK_SIGNING_SECRET,
    appToken: env.SLACK_APP_TOKEN,
    apiUrl: env.SLACK_API_URL,
    slashCommand: config.platforms.slack.slash_command,
    streaming: config.platforms.slack.streaming,
    statusReaction: config.platforms.slack.status_reaction,
    log,
  });
}

function discordFromEnv(env: NodeJS.ProcessEnv, config: LoadedConfig, engine: Engine, log: Logger): DiscordAdapter | undefined {
  if (!env.DISCORD_TOKEN) return undefined;
  return createDiscordAdapter({
    token: env.DISCORD_TOKEN,
    apiUrl: env.DISCORD_API_URL,
    guildId: env.DISCORD_GUILD_ID,
    command: config.platforms.discord.command,
    threadPerConversation: config.platforms.discord.thread_per_conversation,
    engine,
    log,
  });
}

async function openStorage(config: LoadedConfig): Promise<Storage> {
  if (config.storage.kind === 'lowdb') return openLowdbStorage(config.storage.dir);
  return openPostgresStorage({ url: config.storage.url, schema: config.storage.schema, poolSize: config.storage.pool_size });
}
