import { existsSync } from 'node:fs';
import pg from 'pg';

/** Where the PostgreSQL tests go when TEST_DATABASE_URL is not set: the machine's own server, if it answers. */
const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/**
 * Finds what the optional tests need, once, before vitest builds its projects (the
 * PostgreSQL project exists only with a database): TEST_DATABASE_URL if set (CI sets it),
 * else a PostgreSQL answering on 127.0.0.1:5432; Chromium at CHROMIUM_PATH or Debian's
 * path. What is missing is said in one line each, with how to get it; the test files then
 * skip those tests quietly. Test files run in child processes that inherit what is set here.
 */
export async function findTestServices(): Promise<void> {
  if (!process.env.TEST_DATABASE_URL && !process.env.SWITCHBOARD_TEST_SKIP_POSTGRES) {
    if (await answers(LOCAL_DATABASE_URL)) {
      process.env.TEST_DATABASE_URL = LOCAL_DATABASE_URL;
      say(`PostgreSQL tests use ${LOCAL_DATABASE_URL} (set TEST_DATABASE_URL to choose another).`);
    } else {
      process.env.SWITCHBOARD_TEST_SKIP_POSTGRES = '1';
      say('PostgreSQL tests skipped: no server answers on 127.0.0.1:5432; set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.');
    }
  }
  const chromium = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(chromium) && !process.env.CI) {
    say(`Browser tests skipped: no Chromium at ${chromium} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  // A refused connection also emits 'error' on the client: handled here, not a crash.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function say(line: string): void {
  // Once per `npm test`: the config is loaded again in watch mode, not per test file.
  if (process.env.SWITCHBOARD_TEST_SERVICES_SAID) return;
  process.stderr.write(`${line}\n`);
}
