import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { runTs } from '../helpers/child.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, TEST_DATABASE_URL } from '../helpers/postgres.ts';

const CLI = join(resolve(import.meta.dirname, '../..'), 'src/cli.ts');

describe.skipIf(!HAS_POSTGRES)('switchboard migrate', () => {
  const schemas: string[] = [];
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });

  async function migrate(env: Record<string, string>) {
    const child = runTs(CLI, ['migrate'], env);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    const code = await child.exited;
    return { code, stdout: child.lines.join('\n'), stderr };
  }

  it('creates the schema and applies every migration once; a second run has nothing to do', async () => {
    const schema = freshSchema();
    schemas.push(schema);
    const env = { DATABASE_URL: TEST_DATABASE_URL!, DATABASE_SCHEMA: schema };
    const first = await migrate(env);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/applied migrations 1, 2\b/);
    const second = await migrate(env);
    expect(second.stdout).toMatch(/is up to date/);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'sb_runs'`, [schema]);
      expect(rows[0].n).toBe(1);
    } finally {
      await client.end();
    }
  }, 30_000);

  it('says so when storage is lowdb, with exit code 2', async () => {
    const result = await migrate({ DATABASE_URL: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('storage is lowdb');
  }, 30_000);
});
