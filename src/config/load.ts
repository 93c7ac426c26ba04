import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { SwitchboardError } from '../errors.ts';
import { resolveHttpApps } from './http-apps.ts';
import { apiKeySchema, configSchema, type ParsedConfig } from './schema.ts';
import { translateLangGraphJson } from './langgraph-json.ts';
import { interpolateEnv } from './interpolate.ts';
import { formatKeyPath } from './key-path.ts';
import { renderWebhookHeaders } from './webhooks.ts';

export const DEFAULT_CONFIG_PATH = 'config/switchboard.yaml';

export interface ConfigProblem {
  file: string;
  key: string;
  message: string;
}

/** A config that cannot be used; `problems` lists every mistake found, not just the first. */
export class ConfigError extends SwitchboardError {
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    const lines = problems.map((p) => `  - ${p.file}${p.key ? ` (${p.key})` : ''}: ${p.message}`);
    super('config_invalid', `The configuration has ${problems.length} problem(s):\n${lines.join('\n')}`);
    this.problems = problems;
  }
}

export interface GraphEntry {
  graphId: string;
  /** Absolute path of the module that exports the graph. */
  file: string;
  /** Export name; `default` when the spec names none. */
  exportName: string;
  description?: string;
  /** The spec as written, for messages. */
  spec: string;
  /** The config and context of the graph's default assistant, from LANGGRAPH_CONFIG (as on the Platform). */
  defaults?: { config: Record<string, unknown>; context?: Record<string, unknown> };
}

export type LoadedConfig = Omit<ParsedConfig, 'graphs'> & {
  /** Absolute path of the file the config came from. */
  readonly file: string;
  readonly format: 'switchboard' | 'langgraph';
  /** What the loader accepted without using (langgraph.json deployment keys...), to be logged at start. */
  readonly notices: readonly string[];
  readonly graphs: Readonly<Record<string, GraphEntry>>;
};

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Overrides SWITCHBOARD_CONFIG and the default path. */
  path?: string;
}

/** Top-level keys of our own format; a file with other keys is read as a langgraph.json. */
const OWN_KEYS = new Set([
  'graphs',
  'env',
  'assistants',
  'storage',
  'server',
  'runs',
  'model',
  'chat',
  'platforms',
  'http',
  'ui',
  'ui_config',
  'auth',
  'store',
  'checkpointer',
  'webhooks',
]);

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, options.path ?? env.SWITCHBOARD_CONFIG ?? DEFAULT_CONFIG_PATH);
  const problems: ConfigProblem[] = [];
  const problem = (key: string, message: string, where = file) => problems.push({ file: where, key, message });

  const raw = readConfigFile(file, problem);
  if (raw === undefined) throw new ConfigError(problems);

  const format = isLangGraphJson(file, raw) ? 'langgraph' : 'switchboard';
  // A langgraph.json: what it says to serve is read, deployment keys are noted, the rest refused (langgraph-json.ts).
  const translated = format === 'langgraph' ? translateLangGraphJson(raw, problem) : { source: raw, notices: [] };
  const source = translated.source;

  const fileEnv = loadEnvSection(source.env, dirname(file), problem);
  const mergedEnv = { ...fileEnv, ...env };
  // `webhooks` is left as written: its headers take only `${{ env.<env_prefix>… }}` (renderWebhookHeaders), not any `${NAME}`.
  const { webhooks, ...interpolable } = source;
  const interpolated = { ...(interpolateEnv(interpolable, mergedEnv, (key, message) => problem(key, message)) as object), ...(webhooks === undefined ? {} : { webhooks }) };

  const parsed = configSchema.safeParse(interpolated);
  if (!parsed.success) for (const issue of parsed.error.issues) problem(formatKeyPath(issue.path), describeIssue(issue));

  const envOverrides = applyEnvOverrides(env, problem);
  // Cross-references are checked even when the schema failed, on whatever is well-formed,
  // so that one run of the loader reports every mistake.
  const declared = asRecord((interpolated as Record<string, unknown>).graphs);
  const graphs = resolveGraphs(declared, dirname(file), problem);
  // From the file's `env` too (a langgraph.json often sets it there), the process environment winning.
  applyGraphDefaults(graphs, mergedEnv.LANGGRAPH_CONFIG, problem);
  checkAssistants((interpolated as Record<string, unknown>).assistants, Object.keys(declared), problem);
  const httpApp = parsed.success && parsed.data.http.app ? resolveSpecPath(parsed.data.http.app, dirname(file)) : undefined;
  if (httpApp && !existsSync(parseGraphSpec(httpApp).path)) problem('http.app', `module ${parseGraphSpec(httpApp).path} not found`);
  const locate = (spec: string) => ({ spec: resolveSpecPath(spec, dirname(file)), file: parseGraphSpec(resolveSpecPath(spec, dirname(file))).path });
  const httpApps = resolveHttpApps(parsed.success ? parsed.data.http.apps : undefined, locate, problem);
  const embed = parsed.success ? parsed.data.store?.index?.embed : undefined;
  // The project's own embeddings are a module path like a graph's; a provider name (openai:…) is not.
  const embedPath = embed && embedIsModule(embed) ? resolveSpecPath(embed, dirname(file)) : undefined;
  if (embedPath && !existsSync(parseGraphSpec(embedPath).path)) problem('store.index.embed', `module ${parseGraphSpec(embedPath).path} not found`);
  const authPath = parsed.success && parsed.data.auth ? resolveSpecPath(parsed.data.auth.path, dirname(file)) : undefined;
  if (authPath && !existsSync(parseGraphSpec(authPath).path)) problem('auth.path', `module ${parseGraphSpec(authPath).path} not found`);
  if (parsed.success && parsed.data.http.enable_custom_route_auth && parsed.data.http.middleware_order === 'middleware_first' && (parsed.data.http.app || parsed.data.http.apps)) {
    problem('http.middleware_order', 'with enable_custom_route_auth, custom auth must run before the app: set middleware_order to "auth_first"');
  }
  const webhookHeaders = parsed.success && parsed.data.webhooks ? renderWebhookHeaders(parsed.data.webhooks, mergedEnv, problem) : undefined;
  for (const [name, path] of Object.entries((parsed.success && parsed.data.ui) || {})) {
    if (!existsSync(resolve(dirname(file), path))) problem(`ui.${name}`, `module ${resolve(dirname(file), path)} not found`);
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const config = parsed.data;

  for (const [name, value] of Object.entries(fileEnv)) if (process.env[name] === undefined && env === process.env) process.env[name] = value;

  const server = {
    ...config.server,
    host: envOverrides.host ?? config.server.host,
    port: envOverrides.port ?? config.server.port,
    shutdown_grace_seconds: envOverrides.shutdownGraceSeconds ?? config.server.shutdown_grace_seconds,
    ...(envOverrides.apiKey ? { api_key: envOverrides.apiKey } : {}),
    allowed_hosts: [...config.server.allowed_hosts, ...(envOverrides.allowedHosts ?? [])],
  };
  // A project's own auth authenticates every request: it stands in for the API key.
  if (!isLoopback(server.host) && !server.api_key && !authPath && !server.allow_unauthenticated) {
    throw new ConfigError([
      {
        file,
        key: 'server.host',
        message: `serving ${server.host} (not loopback) without an API key: set SWITCHBOARD_API_KEY, or server.allow_unauthenticated: true`,
      },
    ]);
  }
  const chosen = envOverrides.databaseUrl
    ? storageSpecFromUrl(config.storage, envOverrides.databaseUrl)
    : config.storage.kind === 'lowdb'
      ? { ...config.storage, dir: resolve(cwd, envOverrides.dataDir ?? config.storage.dir) }
      : config.storage;
  const storage = chosen.kind === 'postgres' && envOverrides.databaseSchema ? { ...chosen, schema: envOverrides.databaseSchema } : chosen;
  return deepFreeze({
    ...config,
    file,
    format,
    graphs,
    storage,
    server,
    notices: translated.notices,
    http: { ...config.http, ...(httpApp ? { app: httpApp } : {}), ...(httpApps ? { apps: httpApps } : {}) },
    ...(config.auth && authPath ? { auth: { ...config.auth, path: authPath } } : {}),
    ...(config.webhooks && webhookHeaders ? { webhooks: { ...config.webhooks, headers: webhookHeaders } } : {}),
    ...(config.store?.index && embedPath ? { store: { ...config.store, index: { ...config.store.index, embed: embedPath } } } : {}),
  });
}

/** DATABASE_URL switches storage to PostgreSQL, keeping the file's other PostgreSQL settings. */
function storageSpecFromUrl(storage: ParsedConfig['storage'], url: string): ParsedConfig['storage'] {
  if (storage.kind === 'postgres') return { ...storage, url };
  return { kind: 'postgres', url, pool_size: 10, schema: 'switchboard', lease_seconds: 10 };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');
}

function readConfigFile(file: string, problem: (key: string, message: string) => void): Record<string, unknown> | undefined {
  if (!existsSync(file)) {
    problem('', 'config file not found (set SWITCHBOARD_CONFIG to its path)');
    return undefined;
  }
  const text = readFileSync(file, 'utf8');
  if (extname(file) === '.json') {
    try {
      return asObject(JSON.parse(text), problem);
    } catch (error) {
      problem('', `not valid JSON: ${(error as Error).message}`);
      return undefined;
    }
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) problem('', `not valid YAML: ${error.message}`);
    return undefined;
  }
  return asObject(doc.toJS(), problem);
}

function asObject(value: unknown, problem: (key: string, message: string) => void): Record<string, unknown> | undefined {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  problem('', 'the config must be a mapping with at least a `graphs` key');
  return undefined;
}

function isLangGraphJson(file: string, raw: Record<string, unknown>): boolean {
  // langgraph.json, and its variants a project keeps beside it (langgraph.auth.json, langgraph.prod.json).
  if (/^langgraph(\.[\w-]+)?\.json$/.test(basename(file))) return true;
  return Object.keys(raw).some((key) => !OWN_KEYS.has(key)) && 'dependencies' in raw;
}

function loadEnvSection(section: unknown, baseDir: string, problem: (key: string, message: string, where?: string) => void): Record<string, string> {
  if (section === undefined) return {};
  if (typeof section === 'string') {
    const envFile = resolve(baseDir, section);
    if (!existsSync(envFile)) {
      problem('env', `env file ${envFile} not found`);
      return {};
    }
    return parseEnv(readFileSync(envFile, 'utf8')) as Record<string, string>;
  }
  if (section !== null && typeof section === 'object') return section as Record<string, string>;
  return {};
}

function applyEnvOverrides(env: NodeJS.ProcessEnv, problem: (key: string, message: string, where?: string) => void) {
  const out: {
    dataDir?: string;
    host?: string;
    port?: number;
    apiKey?: string;
    databaseUrl?: string;
    databaseSchema?: string;
    allowedHosts?: string[];
    shutdownGraceSeconds?: number;
  } = {};
  if (env.DATABASE_SCHEMA) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(env.DATABASE_SCHEMA)) problem('DATABASE_SCHEMA', 'must be a plain lowercase identifier', 'environment');
    else out.databaseSchema = env.DATABASE_SCHEMA;
  }
  if (env.SWITCHBOARD_DATA_DIR) out.dataDir = env.SWITCHBOARD_DATA_DIR;
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) problem('DATABASE_URL', 'must be a postgres:// URL', 'environment');
    else out.databaseUrl = env.DATABASE_URL;
  }
  if (env.SWITCHBOARD_API_KEY) {
    // The same rule as server.api_key in the config: a short key is refused wherever it comes from.
    const checked = apiKeySchema.safeParse(env.SWITCHBOARD_API_KEY);
    if (!checked.success) problem('SWITCHBOARD_API_KEY', checked.error.issues[0]?.message ?? 'not a usable key', 'environment');
    else out.apiKey = checked.data;
  }
  if (env.SWITCHBOARD_ALLOWED_HOSTS)
    out.allowedHosts = env.SWITCHBOARD_ALLOWED_HOSTS.split(',')
      .map((host) => host.trim())
      .filter(Boolean);
  if (env.HOST) out.host = env.HOST;
  if (env.SWITCHBOARD_SHUTDOWN_GRACE_SECONDS !== undefined && env.SWITCHBOARD_SHUTDOWN_GRACE_SECONDS !== '') {
    const grace = Number(env.SWITCHBOARD_SHUTDOWN_GRACE_SECONDS);
    if (!Number.isFinite(grace) || grace < 0 || grace > 3600)
      problem('SWITCHBOARD_SHUTDOWN_GRACE_SECONDS', `must be a number of seconds 0-3600, got "${env.SWITCHBOARD_SHUTDOWN_GRACE_SECONDS}"`, 'environment');
    else out.shutdownGraceSeconds = grace;
  }
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) problem('PORT', `must be a port number 0-65535, got "${env.PORT}"`, 'environment');
    else out.port = port;
  }
  return out;
}

/**
 * LANGGRAPH_CONFIG, as the Platform reads it: JSON of `{ "<graph id>": { "configurable": {...},
 * "context": {...}, ... } }`, the config and context of each graph's default assistant.
 */
function applyGraphDefaults(graphs: Record<string, GraphEntry>, raw: string | undefined, problem: (key: string, message: string, where?: string) => void): void {
  if (raw === undefined || raw.trim() === '') return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    problem('LANGGRAPH_CONFIG', `not valid JSON (${(error as Error).message})`, 'environment');
    return;
  }
  const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
  if (!isObject(parsed)) {
    problem('LANGGRAPH_CONFIG', 'must be an object keyed by graph id', 'environment');
    return;
  }
  for (const [graphId, value] of Object.entries(parsed)) {
    if (!isObject(value)) {
      problem(`LANGGRAPH_CONFIG.${graphId}`, 'must be an object (configurable, context, ...)', 'environment');
      continue;
    }
    const entry = Object.hasOwn(graphs, graphId) ? graphs[graphId] : undefined;
    if (!entry) continue; // the Platform ignores graphs it does not serve
    const { context, ...config } = value;
    if (context !== undefined && !isObject(context)) {
      problem(`LANGGRAPH_CONFIG.${graphId}.context`, 'must be an object', 'environment');
      continue;
    }
    entry.defaults = { config, ...(context ? { context } : {}) };
  }
}

/** `./src/app.ts:app` with its file made absolute against the config's folder. */
function resolveSpecPath(spec: string, baseDir: string): string {
  const { path, exportName } = parseGraphSpec(spec);
  return `${isAbsolute(path) ? path : resolve(baseDir, path)}:${exportName}`;
}

/** Whether `store.index.embed` names the project's own module (`./src/embed.ts:embed`) rather than a provider (`openai:<model>`). */
export const embedIsModule = (embed: string) => /[./\\]/.test(embed.split(':')[0] ?? '');

/** Splits `path/to/file.ts:exportName`; a Windows drive letter is not an export separator. */
export function parseGraphSpec(spec: string): { path: string; exportName: string } {
  const colon = spec.lastIndexOf(':');
  if (colon <= 1) return { path: spec, exportName: 'default' };
  return { path: spec.slice(0, colon), exportName: spec.slice(colon + 1) || 'default' };
}

function asRecord(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function resolveGraphs(graphs: Record<string, unknown>, baseDir: string, problem: (key: string, message: string) => void): Record<string, GraphEntry> {
  // Entries, not assignments: a graph id such as "__proto__" stays a key like any other.
  const out: Array<[string, GraphEntry]> = [];
  if (Object.keys(graphs).length === 0) problem('graphs', 'declare at least one graph, e.g. `agent: ./src/agent.ts:graph`');
  for (const [graphId, value] of Object.entries(graphs)) {
    const spec = typeof value === 'string' ? value : typeof asRecord(value).path === 'string' ? (asRecord(value).path as string) : undefined;
    if (spec === undefined || spec === '') continue; // the schema reports it
    const { path, exportName } = parseGraphSpec(spec);
    const file = isAbsolute(path) ? path : resolve(baseDir, path);
    if (!existsSync(file)) {
      problem(`graphs.${graphId}`, `graph module ${file} not found`);
      continue;
    }
    if (!/^[A-Za-z_$][\w$]*$/.test(exportName)) {
      problem(`graphs.${graphId}`, `"${exportName}" is not a valid export name`);
      continue;
    }
    const entry: GraphEntry = { graphId, file, exportName, spec };
    const description = asRecord(value).description;
    if (typeof description === 'string') entry.description = description;
    out.push([graphId, entry]);
  }
  return Object.fromEntries(out);
}

function checkAssistants(assistants: unknown, graphIds: string[], problem: (key: string, message: string) => void) {
  if (!Array.isArray(assistants)) return;
  const seen = new Map<string, number>();
  assistants.forEach((raw, index) => {
    const assistant = asRecord(raw);
    const key = `assistants[${index}]`;
    if (typeof assistant.graph === 'string' && !graphIds.includes(assistant.graph)) {
      problem(`${key}.graph`, `unknown graph "${assistant.graph}"; declared graphs: ${graphIds.join(', ') || 'none'}`);
    }
    if (typeof assistant.name !== 'string') return;
    const previous = seen.get(assistant.name);
    if (previous !== undefined) problem(`${key}.name`, `duplicate assistant name "${assistant.name}" (also assistants[${previous}])`);
    else seen.set(assistant.name, index);
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown key(s): ${issue.keys.join(', ')}`;
  return issue.message;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
