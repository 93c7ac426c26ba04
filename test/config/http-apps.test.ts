import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

describe("langgraph.json's http.apps", () => {
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const made of temps.splice(0)) made.cleanup();
  });

  /** A project with `src/agent.ts` and `src/app.ts`, whose langgraph.json has the given `http`. */
  function load(http: Record<string, unknown>) {
    const made = makeTempDir('switchboard-apps-');
    temps.push(made);
    mkdirSync(join(made.dir, 'src'));
    writeFileSync(join(made.dir, 'src', 'agent.ts'), 'export const graph = 1;\n');
    writeFileSync(join(made.dir, 'src', 'app.ts'), 'export const app = 1;\n');
    writeFileSync(join(made.dir, 'langgraph.json'), JSON.stringify({ graphs: { agent: './src/agent.ts:graph' }, http }));
    return { dir: made.dir, load: () => loadConfig({ cwd: made.dir, env: { SWITCHBOARD_CONFIG: 'langgraph.json' } }) };
  }

  function problems(run: () => unknown): Array<{ key: string; message: string }> {
    try {
      run();
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    throw new Error('the config loaded');
  }

  it('is served (not "ignored"): prefixes get their leading slash, lose a trailing one, and modules resolve against the project', () => {
    const project = load({ apps: { '/dashboard': './src/app.ts:app', 'ext/': './src/app.ts' } });
    const config = project.load();
    expect(config.http.apps).toEqual({ '/dashboard': `${join(project.dir, 'src/app.ts')}:app`, '/ext': `${join(project.dir, 'src/app.ts')}:default` });
    expect(config.notices.join('\n')).not.toContain('http.apps');
  });

  it('refuses at start, by key, a module that is not there, a route pattern or the root as a prefix, and a prefix given twice', () => {
    const found = problems(
      load({ apps: { '/bad': './src/nonexistent.ts:app', '/users/:id': './src/app.ts:app', '/': './src/app.ts:app', twice: './src/app.ts:app', '/twice/': './src/app.ts:app' } })
        .load,
    );
    expect(found.map((problem) => problem.key).sort()).toEqual(['http.apps./', 'http.apps./bad', 'http.apps./twice/', 'http.apps./users/:id']);
    expect(found.find((problem) => problem.key === 'http.apps./bad')!.message).toMatch(/nonexistent\.ts not found/);
  });
});
