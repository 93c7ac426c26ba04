import { accessSync, constants, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, type LoadedConfig, loadConfig } from '../config/load.ts';
import { Db } from '../storage/postgres/db.ts';
import { MIGRATIONS } from '../storage/postgres/migrations.ts';
import { checkDiscordToken, checkSlackToken } from './doctor-platforms.ts';

/** One line of `switchboard doctor`: what was checked, what was found, and what to do when it is a problem. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/**
 * `switchboard doctor`: the config, the data folder or the database, and the Slack and
 * Discord tokens in the environment, each checked the way a start would use it, changing
 * nothing. Returns one check per line, in order.
 */
export async function runDoctor(env: NodeJS.ProcessEnv): Promise<Check[]> {
  const checks: Check[] = [];
  let config: LoadedConfig | undefined;
  try {
    config = loadConfig({ env });
    checks.push({ name: 'config', ok: true, detail: `${config.file}: ${Object.keys(config.graphs).length} graph(s), ${config.assistants.length} assistant(s)` });
  } catch (error) {
    checks.push({ name: 'config', ok: false, detail: oneLine(error), fix: 'correct the config (SWITCHBOARD_CONFIG, or config/switchboard.yaml) or the environment it names' });
  }
  if (config?.storage.kind === 'lowdb') checks.push(checkDataFolder(config.storage.dir));
  if (config?.storage.kind === 'postgres') checks.push(await checkDatabase(config.storage.url, config.storage.schema));
  if (env.SLACK_BOT_TOKEN) checks.push(await checkSlackToken(env.SLACK_BOT_TOKEN, env.SLACK_API_URL));
  if (env.DISCORD_TOKEN) checks.push(await checkDiscordToken(env.DISCORD_TOKEN, env.DISCORD_API_URL));
  return checks;
}

/** A config error's list of problems ("has 2 problem(s):" then "- …" lines) on one line. */
function oneLine(error: unknown): string {
  if (!(error instanceof ConfigError)) return (error as Error).message;
  const [head = '', ...problems] = error.message.split('\n').map((line) => line.trim().replace(/^- /, ''));
  return `${head.replace(/:$/, '')}: ${problems.filter(Boolean).join('; ')}`;
}

/** The lowdb data folder: writable if it exists (a file is written and removed), creatable if not. */
export function checkDataFolder(dir: string): Check {
  const name = 'data folder';
  if (existsSync(dir)) {
    try {
      rmSync(mkdtempSync(join(dir, '.doctor-')), { recursive: true });
      return { name, ok: true, detail: `${dir} is writable` };
    } catch (error) {
      return {
        name,
        ok: false,
        detail: `${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        fix: `give this user write access to ${dir}, or set SWITCHBOARD_DATA_DIR`,
      };
    }
  }
  let parent = dirname(dir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  try {
    accessSync(parent, constants.W_OK);
    return { name, ok: true, detail: `${dir} does not exist yet; the first start creates it` };
  } catch {
    return { name, ok: false, detail: `${dir} cannot be created (${parent} is not writable)`, fix: 'set SWITCHBOARD_DATA_DIR to a folder this user may write' };
  }
}

/** PostgreSQL: it answers, and the schema's migrations are applied (or which are pending; a start applies them). */
export async function checkDatabase(url: string, schema: string): Promise<Check> {
  const name = 'database';
  const shown = url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  const db = new Db({ url, schema, poolSize: 1 });
  try {
    const table = await db.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [`${schema}.sb_migrations`]);
    const done = table.rows[0]?.found ? new Set((await db.query<{ version: number }>('SELECT version FROM sb_migrations')).rows.map((row) => row.version)) : new Set<number>();
    const pending = MIGRATIONS.filter((migration) => !done.has(migration.version)).map((migration) => migration.version);
    if (pending.length > 0) {
      return {
        name,
        ok: false,
        detail: `${shown} answers; schema "${schema}" has migrations ${pending.join(', ')} pending`,
        fix: 'run `switchboard migrate` (a start applies them too)',
      };
    }
    return { name, ok: true, detail: `${shown} answers; schema "${schema}" is up to date (version ${Math.max(...MIGRATIONS.map((migration) => migration.version))})` };
  } catch (error) {
    return { name, ok: false, detail: `cannot reach PostgreSQL at ${shown} (${(error as Error).message})`, fix: 'start PostgreSQL, or correct DATABASE_URL' };
  } finally {
    await db.close().catch(() => undefined);
  }
}

/** `ok       config: …` or `problem  slack token: … — fix: …`. */
export function formatCheck(check: Check): string {
  return `${check.ok ? 'ok     ' : 'problem'}  ${check.name}: ${check.detail}${check.ok || !check.fix ? '' : ` — fix: ${check.fix}`}`;
}
