/**
 * What Switchboard does with each key of a langgraph.json, so a LangGraph project starts
 * unchanged: the keys that say what to serve are honoured; the keys that only say how the
 * Platform builds its container are accepted and said to be ignored; the keys for features
 * not served here are refused at start, naming the key and why, rather than silently
 * dropped (a project that relies on custom auth must not start open).
 */

type Use = { use: 'serve' } | { use: 'deploy'; why: string } | { use: 'refuse'; why: string };

const DEPLOY_ONLY = 'only shapes the Platform\u2019s container image; Switchboard runs the project where it is';

const TOP_LEVEL: Record<string, Use> = {
  graphs: { use: 'serve' },
  env: { use: 'serve' },
  http: { use: 'serve' },
  dependencies: { use: 'deploy', why: 'install the project\u2019s packages yourself (npm install); graphs are imported from the project folder' },
  node_version: { use: 'serve' },
  python_version: { use: 'deploy', why: DEPLOY_ONLY },
  pip_config_file: { use: 'deploy', why: DEPLOY_ONLY },
  pip_installer: { use: 'deploy', why: DEPLOY_ONLY },
  dockerfile_lines: { use: 'deploy', why: DEPLOY_ONLY },
  docker_compose_file: { use: 'deploy', why: DEPLOY_ONLY },
  image_distro: { use: 'deploy', why: DEPLOY_ONLY },
  base_image: { use: 'deploy', why: DEPLOY_ONLY },
  keep_pkg_tools: { use: 'deploy', why: DEPLOY_ONLY },
  api_version: { use: 'deploy', why: 'Switchboard serves one API version, its own' },
  _INTERNAL_docker_tag: { use: 'deploy', why: DEPLOY_ONLY },
  auth: { use: 'serve' },
  store: { use: 'serve' },
  checkpointer: { use: 'serve' },
  ui: { use: 'serve' },
  ui_config: { use: 'serve' },
  webhooks: { use: 'serve' },
};

const HTTP_KEYS: Record<string, Use> = {
  app: { use: 'serve' },
  apps: { use: 'serve' },
  cors: { use: 'serve' },
  configurable_headers: { use: 'serve' },
  disable_assistants: { use: 'serve' },
  disable_threads: { use: 'serve' },
  disable_runs: { use: 'serve' },
  disable_store: { use: 'serve' },
  disable_meta: { use: 'serve' },
  disable_ui: { use: 'deploy', why: 'there are no /ui routes to disable' },
  disable_mcp: { use: 'deploy', why: 'there is no /mcp route to disable' },
  disable_a2a: { use: 'deploy', why: 'there are no /a2a routes to disable' },
  logging_headers: { use: 'deploy', why: 'request headers are never logged' },
  mount_prefix: { use: 'serve' },
  middleware_order: { use: 'serve' },
  enable_custom_route_auth: { use: 'serve' },
  disable_webhooks: { use: 'serve' },
};

export interface Translated {
  /** The langgraph.json as Switchboard's own config (graphs, env, http, server.cors). */
  source: Record<string, unknown>;
  /** What was accepted but not used, to be logged at start. */
  notices: string[];
}

/** Reads a langgraph.json: every key honoured, said to be ignored, or reported as a problem. */
export function translateLangGraphJson(raw: Record<string, unknown>, problem: (key: string, message: string) => void): Translated {
  const notices: string[] = [];
  const source: Record<string, unknown> = { graphs: raw.graphs };
  if (raw.env !== undefined) source.env = Array.isArray(raw.env) ? undefined : raw.env;
  if (raw.ui !== undefined) source.ui = raw.ui;
  if (raw.ui_config !== undefined) source.ui_config = raw.ui_config;
  if (raw.webhooks !== undefined && raw.webhooks !== null) source.webhooks = raw.webhooks;
  if (raw.auth !== undefined && raw.auth !== null) source.auth = translateAuth(raw.auth, problem, notices);
  if (raw.store !== undefined && raw.store !== null) source.store = translateStore(raw.store, problem);
  if (raw.checkpointer !== undefined && raw.checkpointer !== null) source.checkpointer = translateCheckpointer(raw.checkpointer, problem);
  noteSerde(raw.checkpointer, problem, notices);
  for (const [key, value] of Object.entries(raw)) {
    const use = Object.hasOwn(TOP_LEVEL, key) ? TOP_LEVEL[key]! : undefined;
    if (!use) notices.push(`langgraph.json: "${key}" is not a key Switchboard knows; ignored`);
    else if (use.use === 'deploy') notices.push(`langgraph.json: "${key}" ignored: ${use.why}`);
    else if (use.use === 'refuse' && value !== undefined && value !== null) problem(key, `not supported: ${use.why}`);
  }
  const nodeVersion = raw.node_version;
  if (nodeVersion !== undefined) {
    const wanted = Number.parseInt(String(nodeVersion), 10);
    const running = Number.parseInt(process.versions.node, 10);
    if (!Number.isInteger(wanted)) problem('node_version', `must be a Node.js major version such as "20", got ${JSON.stringify(nodeVersion)}`);
    else if (wanted > running) notices.push(`langgraph.json: node_version is ${wanted}, this is Node.js ${process.versions.node}; graphs that need a newer Node may fail`);
  }
  const http = raw.http;
  if (http !== undefined && http !== null) {
    if (typeof http !== 'object' || Array.isArray(http)) problem('http', 'must be an object');
    else {
      // CORS is the server's in Switchboard's own config: the same rules for the API and the playground.
      const { cors, ...rest } = translateHttp(http as Record<string, unknown>, problem, notices);
      source.http = rest;
      if (cors !== undefined) source.server = { cors };
    }
  }
  return { source, notices };
}

function translateHttp(http: Record<string, unknown>, problem: (key: string, message: string) => void, notices: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(http)) {
    const use = Object.hasOwn(HTTP_KEYS, key) ? HTTP_KEYS[key]! : undefined;
    if (!use) notices.push(`langgraph.json: "http.${key}" is not a key Switchboard knows; ignored`);
    else if (use.use === 'deploy') notices.push(`langgraph.json: "http.${key}" ignored: ${use.why}`);
    else if (use.use === 'refuse') {
      // `false` for a switch, or an empty value, asks for nothing: accepted.
      if (value !== undefined && value !== null && value !== false && value !== '') problem(`http.${key}`, `not supported: ${use.why}`);
    } else out[key] = value;
  }
  return out;
}

/**
 * `auth.path` is served (custom auth); `openapi` only documents it; `disable_studio_auth`
 * is how it already is here (no request is let through as LangGraph Studio's user).
 */
function translateAuth(auth: unknown, problem: (key: string, message: string) => void, notices: string[]): Record<string, unknown> | undefined {
  if (typeof auth !== 'object' || Array.isArray(auth) || auth === null) {
    problem('auth', 'must be an object with "path" naming the Auth instance ("./src/auth.ts:auth")');
    return undefined;
  }
  const { path, openapi, disable_studio_auth, ...rest } = auth as Record<string, unknown>;
  for (const key of Object.keys(rest)) notices.push(`langgraph.json: "auth.${key}" is not a key Switchboard knows; ignored`);
  if (openapi !== undefined) notices.push('langgraph.json: "auth.openapi" ignored: it only documents the auth scheme in the Platform\u2019s OpenAPI page');
  if (disable_studio_auth !== undefined) notices.push('langgraph.json: "auth.disable_studio_auth": Studio requests get no bypass here, so custom auth applies to them either way');
  if (path === undefined) return undefined;
  return { path };
}

/** `store.index` (semantic search) and `store.ttl` (items' time to live) are served. */
function translateStore(store: unknown, problem: (key: string, message: string) => void): Record<string, unknown> | undefined {
  if (typeof store !== 'object' || Array.isArray(store) || store === null) {
    problem('store', 'must be an object ({"index": {"embed": "openai:text-embedding-3-small", "dims": 1536}})');
    return undefined;
  }
  const { index, ttl, ...rest } = store as Record<string, unknown>;
  for (const key of Object.keys(rest)) problem(`store.${key}`, 'not a key of the Platform\u2019s store config');
  return { ...(index === undefined ? {} : { index }), ...(ttl === undefined || ttl === null ? {} : { ttl }) };
}

/** `checkpointer.ttl` is served, with either strategy (`delete`, `keep_latest`); `serde` is noteSerde's. */
function translateCheckpointer(checkpointer: unknown, problem: (key: string, message: string) => void): Record<string, unknown> | undefined {
  if (typeof checkpointer !== 'object' || Array.isArray(checkpointer) || checkpointer === null) {
    problem('checkpointer', 'must be an object ({"ttl": {"strategy": "delete", "default_ttl": 43200}})');
    return undefined;
  }
  const { ttl, serde: _serde, ...rest } = checkpointer as Record<string, unknown>;
  for (const key of Object.keys(rest)) problem(`checkpointer.${key}`, 'not supported: only checkpointer.ttl is served; checkpoints are stored as LangGraph serializes them');
  return ttl === undefined ? {} : { ttl };
}

/**
 * `checkpointer.serde` (`allowed_json_modules`, `pickle_fallback`) tells the Platform's Python
 * server which Python classes it may import, and whether it may unpickle, when it reads
 * checkpoints back. A JS project's checkpoints are LangGraph JS's JSON, which revives only
 * LangChain's own classes and never pickles: the settings have nothing to act on here, so
 * they are accepted (the project still deploys as written) and said to be ignored.
 */
function noteSerde(checkpointer: unknown, problem: (key: string, message: string) => void, notices: string[]): void {
  if (typeof checkpointer !== 'object' || checkpointer === null || Array.isArray(checkpointer)) return;
  const serde = (checkpointer as Record<string, unknown>).serde;
  if (serde === undefined || serde === null) return;
  if (typeof serde !== 'object' || Array.isArray(serde)) {
    problem('checkpointer.serde', 'must be an object ({"allowed_json_modules": [...], "pickle_fallback": false})');
    return;
  }
  const { allowed_json_modules: modules, pickle_fallback: pickle, ...rest } = serde as Record<string, unknown>;
  for (const key of Object.keys(rest)) problem(`checkpointer.serde.${key}`, 'not a key of the Platform\u2019s serde config (allowed_json_modules, pickle_fallback)');
  if (
    modules !== undefined &&
    modules !== null &&
    modules !== true &&
    !(Array.isArray(modules) && modules.every((path) => Array.isArray(path) && path.every((part) => typeof part === 'string')))
  ) {
    problem('checkpointer.serde.allowed_json_modules', 'must be true, or a list of module paths such as [["my_agent", "models", "SomeType"]]');
  }
  if (pickle !== undefined && typeof pickle !== 'boolean') problem('checkpointer.serde.pickle_fallback', 'must be true or false');
  notices.push(
    'langgraph.json: "checkpointer.serde" ignored: allowed_json_modules and pickle_fallback govern which Python classes the Platform\u2019s Python server revives from checkpoints; LangGraph JS checkpoints are JSON that revive only LangChain\u2019s own classes, never pickle',
  );
}
