import { resolve } from 'node:path';
import { loadConfig } from '../../config/load.ts';
import { invalidInput } from '../../errors.ts';
import { openFilesStorage } from '../../storage/files/index.ts';
import { openPostgresStorage } from '../../storage/postgres/index.ts';
import type { MovableStorage } from '../../storage/types.ts';

/** Where records are moved from or to, as the command line names it. */
export type BackendSpec = { kind: 'files'; dir: string } | { kind: 'postgres'; url: string; schema: string };

const DEFAULT_SCHEMA = 'switchboard';

/**
 * `files` (the configured data folder), `files:<dir>`, a `postgres://` URL (schema from
 * DATABASE_SCHEMA, else the config's, else "switchboard"), or nothing: the configured storage.
 */
export function parseBackend(text: string | undefined, env: NodeJS.ProcessEnv = process.env): BackendSpec {
  if (text === undefined) {
    const { storage } = loadConfig({ env });
    return storage.kind === 'postgres' ? { kind: 'postgres', url: storage.url, schema: storage.schema } : { kind: 'files', dir: storage.dir };
  }
  if (text === 'files') return { kind: 'files', dir: configuredDataDir(env) };
  if (text.startsWith('files:') && text.length > 'files:'.length) return { kind: 'files', dir: resolve(text.slice('files:'.length)) };
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text, schema: env.DATABASE_SCHEMA || configuredSchema(env) };
  throw invalidInput(`"${text}" names no backend: use files, files:<dir> or a postgres:// URL`);
}

export function openBackend(spec: BackendSpec): Promise<MovableStorage> {
  return spec.kind === 'files' ? openFilesStorage(spec.dir) : openPostgresStorage({ url: spec.url, schema: spec.schema, poolSize: 4 });
}

export function describeBackend(spec: BackendSpec): string {
  if (spec.kind === 'files') return `files in ${spec.dir}`;
  const url = new URL(spec.url);
  url.password = url.password ? '***' : '';
  return `PostgreSQL ${url.toString()} (schema "${spec.schema}")`;
}

/** The data folder the config names (DATABASE_URL aside), or ./data when the config says PostgreSQL. */
function configuredDataDir(env: NodeJS.ProcessEnv): string {
  const { storage } = loadConfig({ env: { ...env, DATABASE_URL: '' } });
  return storage.kind === 'lowdb' ? storage.dir : resolve(env.SWITCHBOARD_DATA_DIR ?? 'data');
}

function configuredSchema(env: NodeJS.ProcessEnv): string {
  const { storage } = loadConfig({ env });
  return storage.kind === 'postgres' ? storage.schema : DEFAULT_SCHEMA;
}
