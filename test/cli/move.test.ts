import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runTs } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const CLI = join(resolve(import.meta.dirname, '../..'), 'src/cli.ts');

async function switchboard(args: string[]) {
  const child = runTs(CLI, args);
  let stderr = '';
  child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const code = await child.exited;
  return { code, stdout: child.lines.join('\n'), stderr };
}

describe('switchboard export / import on the command line', () => {
  const temps: Array<() => void> = [];
  afterEach(() => {
    for (const cleanup of temps.splice(0)) cleanup();
  });

  it('mistakes get one line and exit 1, and touch neither the file nor the backends', async () => {
    const temp = makeTempDir();
    temps.push(temp.cleanup);
    const existing = join(temp.dir, 'taken.jsonl');
    writeFileSync(existing, 'keep me\n');

    const overwrite = await switchboard(['export', existing, '--from', `files:${temp.dir}`]);
    expect(overwrite.code).toBe(1);
    expect(overwrite.stderr).toBe(`switchboard: ${existing} exists: choose another file, or remove it first\n`);

    const missing = await switchboard(['import', join(temp.dir, 'none.jsonl'), '--to', `files:${join(temp.dir, 'target')}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^switchboard: .*none\.jsonl not found: name an export written by switchboard export\n$/);

    const unknown = await switchboard(['migrate', '--from', 'mysql://x', '--to', 'files']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('"mysql://x" names no backend: use files, files:<dir> or a postgres:// URL');

    expect(readdirSync(temp.dir)).toEqual(['taken.jsonl']);
    expect(existsSync(join(temp.dir, 'target'))).toBe(false);
  }, 180_000);
});
