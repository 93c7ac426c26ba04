import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.ts';
import { loadUserApps } from '../../src/http/user-app.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

describe("loading langgraph.json's http.apps at start", () => {
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const made of temps.splice(0)) made.cleanup();
  });

  function moduleWith(code: string): string {
    const made = makeTempDir('switchboard-user-apps-');
    temps.push(made);
    const file = join(made.dir, 'apps.mjs');
    writeFileSync(file, code);
    return file;
  }

  it('gives each prefix its Hono app, in the order given', async () => {
    const file = moduleWith("import { Hono } from 'hono';\nexport const a = new Hono().get('/', (c) => c.text('a'));\nexport default new Hono().get('/', (c) => c.text('b'));\n");
    const apps = await loadUserApps({ '/a': `${file}:a`, '/b': file }, 'langgraph.json');
    expect(apps.map((mounted) => mounted.prefix)).toEqual(['/a', '/b']);
    expect(await (await apps[1]!.app.request('/')).text()).toBe('b');
  });

  it('refuses, naming the prefix, an export that is not a Hono app or a module that does not import', async () => {
    const file = moduleWith('export const app = 1;\n');
    const refusal = await loadUserApps({ '/x': `${file}:app` }, 'langgraph.json').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as ConfigError).problems).toEqual([{ file: 'langgraph.json', key: 'http.apps./x', message: expect.stringMatching(/is not a Hono app/) }]);
    const broken = moduleWith('export const app = ;\n');
    const failed = (await loadUserApps({ '/y': `${broken}:app` }, 'langgraph.json').catch((error: unknown) => error)) as ConfigError;
    expect(failed.problems[0]).toMatchObject({ key: 'http.apps./y', message: expect.stringMatching(/cannot import/) });
  });
});
