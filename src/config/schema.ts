import { z } from 'zod';
import { webhooksSpec } from './webhooks.ts';

/**
 * The configuration schema. The TypeScript type of a loaded config is inferred from
 * it, and every default lives in DEFAULTS so that one place says what a bare config means.
 */
export const DEFAULTS = {
  host: '127.0.0.1',
  port: 2024,
  dataDir: './data',
  workers: 8,
  multitaskStrategy: 'enqueue',
  streamRetentionSeconds: 300,
  streamMemoryBytes: 32 * 1024 * 1024,
  journalMemoryBytes: 32 * 1024 * 1024,
  postgresPoolSize: 10,
  modelProvider: 'auto',
  maxBodyBytes: 10 * 1024 * 1024,
  shutdownGraceSeconds: 10,
  idleGcSeconds: 15,
  platformRetry: { initial_seconds: 1, max_seconds: 60 },
  /** Files people attach: the largest taken (10 MiB), and the kinds (mime patterns: images, PDF, text). */
  chatFiles: { max_bytes: 10 * 1024 * 1024, types: ['image/*', 'application/pdf', 'text/*'] as string[] },
} as const;

export const MULTITASK_STRATEGIES = ['reject', 'enqueue', 'interrupt', 'rollback'] as const;

/** `"./src/graphs/writer.ts:graph"` as in langgraph.json, or `{ path, description }`. */
const graphSpec = z.union([z.string().min(1, 'a graph path such as ./src/graphs/agent.ts:graph'), z.strictObject({ path: z.string().min(1), description: z.string().optional() })]);

const jsonObject = z.record(z.string(), z.unknown());

const runnableConfig = z.strictObject({
  configurable: jsonObject.optional(),
  tags: z.array(z.string()).optional(),
  recursion_limit: z.number().int().positive().optional(),
  metadata: jsonObject.optional(),
});

const assistantSpec = z.strictObject({
  name: z.string().min(1),
  graph: z.string().min(1),
  /** A fixed id; by default one is derived from the name so it is stable across restarts. */
  assistant_id: z.uuid().optional(),
  description: z.string().optional(),
  config: runnableConfig.optional(),
  context: jsonObject.optional(),
  metadata: jsonObject.optional(),
  /** Default double-texting strategy for runs of this assistant. */
  multitask_strategy: z.enum(MULTITASK_STRATEGIES).optional(),
});

const storageSpec = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('lowdb'),
    dir: z.string().min(1).default(DEFAULTS.dataDir),
    /** What open thread journals may hold in memory together (JSON bytes of records, values and runs); the least used close past it. */
    journal_memory_bytes: z.number().int().min(0).default(DEFAULTS.journalMemoryBytes),
  }),
  z.strictObject({
    kind: z.literal('postgres'),
    /** postgres://user:password@host:5432/database (DATABASE_URL overrides). */
    url: z.string().min(1),
    pool_size: z.number().int().positive().max(1000).default(DEFAULTS.postgresPoolSize),
    /** The schema Switchboard's tables live in, created when missing. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a plain lowercase identifier')
      .default('switchboard'),
    /** How long a process may go silent before others take over its runs (and its Discord gateway). */
    lease_seconds: z.number().min(1).max(3600).default(10),
  }),
]);

/** An API key: long enough not to be guessed, whether it comes from the config or the environment. */
export const apiKeySchema = z.string().min(16, 'use at least 16 characters');

/** Which web pages on other origins may call the API (as the Platform's `http.cors`). Loopback origins always may. */
const corsSpec = z.strictObject({
  /** Origins such as `https://chat.example.com`; `*` allows every origin. */
  allow_origins: z.array(z.string().min(1)).default([]),
  allow_methods: z.array(z.string().min(1)).optional(),
  allow_headers: z.array(z.string().min(1)).optional(),
  allow_credentials: z.boolean().default(false),
  /** A regular expression an origin must match whole, e.g. `https://.*\\.example\\.com`. */
  allow_origin_regex: z
    .string()
    .refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  expose_headers: z.array(z.string().min(1)).optional(),
  max_age: z.number().int().min(0).optional(),
});
export type CorsSpec = z.output<typeof corsSpec>;

const serverSpec = z.strictObject({
  host: z.string().min(1).default(DEFAULTS.host),
  port: z.number().int().min(0).max(65535).default(DEFAULTS.port),
  /** Required on every route but /ok when set (SWITCHBOARD_API_KEY overrides). */
  api_key: apiKeySchema.optional(),
  /**
   * Host names this server answers to besides loopback names, IP addresses and its own
   * host name (`chat.example.com`, `.example.com` for every subdomain, `*` for any): a
   * request naming another host is refused, so DNS rebinding reaches nothing.
   */
  allowed_hosts: z.array(z.string().min(1)).default([]),
  cors: corsSpec.optional(),
  /** Serve a non-loopback address without an API key, knowingly. */
  allow_unauthenticated: z.boolean().default(false),
  max_body_bytes: z.number().int().positive().default(DEFAULTS.maxBodyBytes),
  /** On SIGTERM, how long runs in flight and undelivered replies get before the rest is left for the next start (SWITCHBOARD_SHUTDOWN_GRACE_SECONDS overrides). */
  shutdown_grace_seconds: z.number().min(0).max(3600).default(DEFAULTS.shutdownGraceSeconds),
  /** After a burst of work, once the process has been quiet this long, one full garbage collection hands the memory back (0: never). */
  idle_gc_seconds: z.number().min(0).max(86_400).default(DEFAULTS.idleGcSeconds),
});

/** Header name patterns (`x-*`, `user-agent`), lower-case, `*` any run of characters. */
const headerPatterns = z.array(z.string().min(1)).optional();

/**
 * The HTTP surface as langgraph.json's `http` shapes it: a user's own Hono app served beside
 * the API (`path/to/app.ts:export`), route groups turned off, and which request headers
 * reach a run's `configurable`.
 */
const httpSpec = z.strictObject({
  app: z.string().min(1).optional(),
  /** More of the project's Hono apps, by path prefix (`{"/dashboard": "./dashboard.ts:app"}`). */
  apps: z.record(z.string(), z.string().min(1)).optional(),
  disable_assistants: z.boolean().default(false),
  disable_threads: z.boolean().default(false),
  disable_runs: z.boolean().default(false),
  disable_store: z.boolean().default(false),
  disable_meta: z.boolean().default(false),
  configurable_headers: z.strictObject({ includes: headerPatterns, excludes: headerPatterns, include: headerPatterns, exclude: headerPatterns }).optional(),
  /** Custom auth also authenticates the routes of `app` (by default they are open, as on the Platform). */
  enable_custom_route_auth: z.boolean().default(false),
  /** `auth_first`: custom auth runs before `app`; `middleware_first` (the default): `app` sees requests first. */
  middleware_order: z.enum(['auth_first', 'middleware_first']).default('middleware_first'),
  /** No run's `webhook` is called (runs and crons still accept the field, as on the Platform). */
  disable_webhooks: z.boolean().default(false),
  /** Everything is served under this path (`/my-agent`): the API, /ok, the project's routes, the playground (http/mount-prefix.ts). */
  mount_prefix: z
    .string()
    .startsWith('/', 'must start with "/", e.g. "/my-agent"')
    .refine((prefix) => !prefix.endsWith('/'), 'must not end with "/" (write "/my-agent", not "/my-agent/")')
    .refine((prefix) => /^(\/[\w.~-]+)+$/.test(prefix), 'path segments of letters, digits, -, _, . and ~, each after one "/"')
    .optional(),
});
export type HttpSpec = z.output<typeof httpSpec>;

const runsSpec = z.strictObject({
  /** How many runs execute at once across all threads (one at a time per thread regardless). */
  workers: z.number().int().min(1).max(1024).default(DEFAULTS.workers),
  default_multitask_strategy: z.enum(MULTITASK_STRATEGIES).default(DEFAULTS.multitaskStrategy),
  /** A run past this limit ends with status `timeout`; unset means no limit. */
  timeout_seconds: z.number().positive().optional(),
  /** How long a finished run's stream can still be joined and replayed. */
  stream_retention_seconds: z.number().min(0).default(DEFAULTS.streamRetentionSeconds),
  /**
   * The most memory finished runs' streams hold together (bytes of their events' JSON); past
   * it the oldest are dropped before their retention ends, and joining one answers its final
   * state (on PostgreSQL, its events while the database keeps them).
   */
  stream_memory_bytes: z.number().int().min(0).default(DEFAULTS.streamMemoryBytes),
});

const modelSpec = z.strictObject({
  /** `auto` picks OpenAI or Anthropic when their key is in the environment, else the offline model. */
  provider: z.enum(['auto', 'offline', 'openai', 'anthropic']).default(DEFAULTS.modelProvider),
  name: z.string().optional(),
  base_url: z.string().optional(),
  api_key: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  /** Offline model only: delay between streamed tokens, to make streaming visible. */
  token_delay_ms: z.number().min(0).max(10_000).optional(),
});

export const CHAT_STRATEGIES = ['reject', 'enqueue', 'interrupt', 'rollback', 'collect'] as const;
const answerers = z.union([z.enum(['anyone', 'starter']), z.array(z.string().min(1))]);

/**
 * Who may talk to the bot. Identities are `slack:<team>:<user>` (or `slack:<user>`),
 * `discord:<user>`, `web:<name>`. Each key may be set again per channel.
 */
const accessSpec = z
  .strictObject({
    /** Direct messages: open to all, only `users`, `pairing` (an admin approves a one-time code), or off. */
    dm: z.enum(['open', 'allowlist', 'pairing', 'off']),
    /** Identities allowed to use the bot (admins always are); empty: everyone. */
    users: z.array(z.string().min(1)),
    /** Identities that may change a conversation (use, strategy, new) when `commands: admins`, and approve pairings. */
    admins: z.array(z.string().min(1)),
    commands: z.enum(['anyone', 'admins']),
    /** Runs one person may start per minute (in this process); 0: no limit. */
    rate_per_minute: z.number().int().min(0).max(10_000),
  })
  .partial();
export type AccessSpec = z.output<typeof accessSpec>;

/** Settings of the chat layer that a channel can override. */
const channelSettings = {
  access: accessSpec.optional(),
  /** In channels: answer every message, or only mentions and threads the bot is part of. DMs: always every message. */
  respond: z.enum(['all', 'mentions']).optional(),
  /** Assistant name or id for new conversations here. */
  assistant: z.string().min(1).optional(),
  strategy: z.enum(CHAT_STRATEGIES).optional(),
  /** Only these users are answered (platform user ids); unset: everyone. */
  allowed_users: z.array(z.string().min(1)).optional(),
  /** Whether messages of other bots are answered (the bot never answers itself). */
  answer_bots: z.boolean().optional(),
  /** Who may answer a prompt: anyone in the conversation, the person who started the run, or a list of user ids / role names. */
  prompt_answerers: answerers.optional(),
};

const chatSpec = z.strictObject({
  ...channelSettings,
  collect_quiet_ms: z.number().int().min(0).max(60_000).default(1500),
  edit_interval_ms: z.number().int().min(100).max(60_000).default(1000),
  /** Mentioned in a thread it was not part of, the bot reads up to this many earlier messages of it; 0: none. */
  context_messages: z.number().int().min(0).max(200).default(20),
  /** Files attached to messages: larger ones, or other kinds, are not downloaded (the person is told; the text still goes). */
  files: z
    .strictObject({
      max_bytes: z
        .number()
        .int()
        .min(1)
        .max(1024 * 1024 * 1024)
        .default(DEFAULTS.chatFiles.max_bytes),
      // Mime patterns such as image/* or application/pdf; "*/*" takes every kind.
      types: z.array(z.string().regex(/^[a-z0-9.+-]+\/(\*|[a-z0-9.+-]+)$|^\*\/\*$/i, 'a mime pattern such as image/* or application/pdf')).default(DEFAULTS.chatFiles.types),
    })
    .default(DEFAULTS.chatFiles),
  /**
   * Settings per channel, per workspace (a Slack team id, a Discord guild id: every channel of
   * it), or both; `channel: '*'` is the platform's default. A channel's entry wins over its workspace's.
   */
  channels: z
    .array(
      z
        .strictObject({ platform: z.string().min(1), workspace: z.string().min(1).optional(), channel: z.string().min(1).optional(), ...channelSettings })
        .refine((entry) => entry.channel !== undefined || entry.workspace !== undefined, 'an entry names a channel, a workspace, or both'),
    )
    .default([]),
});

const platformsSpec = z.strictObject({
  /** A platform that cannot be reached is tried again after `initial_seconds`, doubling up to `max_seconds`, while the rest runs. */
  retry: z
    .strictObject({
      initial_seconds: z.number().positive().default(DEFAULTS.platformRetry.initial_seconds),
      max_seconds: z.number().positive().default(DEFAULTS.platformRetry.max_seconds),
    })
    .default(DEFAULTS.platformRetry),
  slack: z
    .strictObject({
      slash_command: z
        .string()
        .regex(/^\/[a-z0-9_-]+$/, 'a slash command such as /sb')
        .default('/sb'),
      /** native: chat.startStream where it applies; edit: throttled chat.update; auto: native when it applies. */
      streaming: z.enum(['auto', 'native', 'edit']).default('auto'),
      /** The busy indicator: assistant.threads.setStatus where Slack allows it, else a reaction. */
      status_reaction: z.string().default('hourglass_flowing_sand'),
    })
    .default({ slash_command: '/sb', streaming: 'auto', status_reaction: 'hourglass_flowing_sand' }),
  discord: z
    .strictObject({
      command: z
        .string()
        .regex(/^[a-z0-9_-]{1,32}$/, 'a slash command name such as sb')
        .default('sb'),
      /** Open a Discord thread for each new conversation started by a mention in a channel. */
      thread_per_conversation: z.boolean().default(false),
    })
    .default({ command: 'sb', thread_per_conversation: false }),
  web: z
    .strictObject({
      /** The playground at / on the HTTP server. */
      enabled: z.boolean().default(true),
      /** Typed in the playground's message box to run a command (`/sb use tweet`). */
      command: z
        .string()
        .regex(/^\/[a-z0-9_-]+$/, 'a command such as /sb')
        .default('/sb'),
      /** Channels the playground starts with. */
      channels: z
        .array(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, _ and -'))
        .min(1)
        .default(['general', 'random']),
    })
    .default({ enabled: true, command: '/sb', channels: ['general', 'random'] }),
});

export const configSchema = z.strictObject({
  graphs: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'graph ids use letters, digits, _ . -'), graphSpec),
  /** langgraph.json's `env`: a .env file path or a map of variables. */
  env: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  assistants: z.array(assistantSpec).default([]),
  /** Generative UI (langgraph.json `ui`): graph name to the module exporting its React components. */
  ui: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'UI names use letters, digits, _ . -'), z.string().min(1)).optional(),
  /** `shared`: packages the page provides to the components, not bundled with them. */
  ui_config: z.strictObject({ shared: z.array(z.string().min(1)).optional() }).optional(),
  http: httpSpec.default({
    disable_assistants: false,
    disable_threads: false,
    disable_runs: false,
    disable_store: false,
    disable_meta: false,
    enable_custom_route_auth: false,
    middleware_order: 'middleware_first',
    disable_webhooks: false,
  }),
  /** langgraph.json's `store`: `index` embeds items for semantic search (`embed`: `openai:<model>` or `./path.ts:fn`). */
  store: z
    .strictObject({
      index: z.strictObject({ embed: z.string().min(1), dims: z.number().int().positive().max(65_536), fields: z.array(z.string().min(1)).min(1).optional() }).optional(),
      /**
       * Items' time to live, as on the Platform: `default_ttl` minutes for items put without
       * their own; reads restart the clock unless `refresh_on_read` is false; expired items are
       * deleted every `sweep_interval_minutes` (5 when not given) and never returned meanwhile.
       */
      ttl: z
        .strictObject({
          refresh_on_read: z.boolean().default(true),
          default_ttl: z.number().positive().max(52_560_000).nullish(),
          sweep_interval_minutes: z.number().positive().max(10_080).nullish(),
        })
        .optional(),
    })
    .optional(),
  /**
   * langgraph.json's `checkpointer.ttl`: threads idle longer than `default_ttl` minutes are
   * deleted (`delete`) or keep only their latest checkpoint (`keep_latest`), checked every `sweep_interval_minutes`.
   */
  checkpointer: z
    .strictObject({
      ttl: z
        .strictObject({
          strategy: z.enum(['delete', 'keep_latest']).default('delete'),
          sweep_interval_minutes: z.number().positive().max(10_080).default(5),
          default_ttl: z.number().positive().optional(),
        })
        .optional(),
    })
    .optional(),
  /** langgraph.json's `webhooks`: the URL rules, headers and fields of runs' webhook calls (config/webhooks.ts). */
  webhooks: webhooksSpec.optional(),
  /** langgraph.json's `auth`: the project's Auth instance (`./src/auth.ts:auth`), which authenticates and authorizes API requests. */
  auth: z.strictObject({ path: z.string().min(1), disable_studio_auth: z.boolean().optional() }).optional(),
  storage: storageSpec.default({ kind: 'lowdb', dir: DEFAULTS.dataDir, journal_memory_bytes: DEFAULTS.journalMemoryBytes }),
  server: serverSpec.default({
    host: DEFAULTS.host,
    port: DEFAULTS.port,
    allow_unauthenticated: false,
    max_body_bytes: DEFAULTS.maxBodyBytes,
    allowed_hosts: [],
    shutdown_grace_seconds: DEFAULTS.shutdownGraceSeconds,
    idle_gc_seconds: DEFAULTS.idleGcSeconds,
  }),
  runs: runsSpec.default({
    workers: DEFAULTS.workers,
    default_multitask_strategy: DEFAULTS.multitaskStrategy,
    stream_retention_seconds: DEFAULTS.streamRetentionSeconds,
    stream_memory_bytes: DEFAULTS.streamMemoryBytes,
  }),
  model: modelSpec.default({ provider: DEFAULTS.modelProvider }),
  chat: chatSpec.default({ collect_quiet_ms: 1500, edit_interval_ms: 1000, context_messages: 20, files: DEFAULTS.chatFiles, channels: [] }),
  platforms: platformsSpec.default({
    retry: DEFAULTS.platformRetry,
    slack: { slash_command: '/sb', streaming: 'auto', status_reaction: 'hourglass_flowing_sand' },
    discord: { command: 'sb', thread_per_conversation: false },
    web: { enabled: true, command: '/sb', channels: ['general', 'random'] },
  }),
});

export type ConfigInput = z.input<typeof configSchema>;
export type ParsedConfig = z.output<typeof configSchema>;
export type AssistantSpec = z.output<typeof assistantSpec>;
export type GraphSpec = z.output<typeof graphSpec>;
export type StorageSpec = z.output<typeof storageSpec>;
export type ModelSpec = z.output<typeof modelSpec>;
export type MultitaskStrategy = (typeof MULTITASK_STRATEGIES)[number];
export type ChatStrategy = (typeof CHAT_STRATEGIES)[number];
export type ChatSpec = z.output<typeof chatSpec>;
export type PlatformsSpec = z.output<typeof platformsSpec>;
