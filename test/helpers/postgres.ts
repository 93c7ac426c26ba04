import pg from 'pg';

/**
 * The PostgreSQL the tests use: TEST_DATABASE_URL (.ci/run sets it), or the local server
 * test/global-setup.ts found. Without either, those tests are skipped (global-setup says so once).
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
export const HAS_POSTGRES = Boolean(TEST_DATABASE_URL);
if (!HAS_POSTGRES && process.env.CI) throw new Error('CI has no TEST_DATABASE_URL');

let counter = 0;

/** A schema name no other test (or test run) uses. */
export function freshSchema(): string {
  counter += 1;
  return `sb_test_${process.pid}_${Date.now().toString(36)}_${counter}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}

export const pgOptions = (schema: string, poolSize = 5) => ({ url: TEST_DATABASE_URL!, schema, poolSize });
