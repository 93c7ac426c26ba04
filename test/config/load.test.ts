import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load.ts';
import { useTempDirs } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('config', () => {
  const temp = useTempDirs('switchboard-config-');

  /**
   * A langgraph.json project in a temp folder: `src/agent.ts` plus the given modules under
   * `src/`; `write` (re)writes its langgraph.json with extra keys, `load` loads it.
   */
  function langgraphProject(modules: Record<string, string> = {}) {
    const dir = temp();
    mkdirSync(join(dir, 'src'));
    for (const [name, code] of Object.entries({ 'agent.ts': 'export const graph = 1;\n', ...modules })) writeFileSync(join(dir, 'src', name), code);
    const write = (extra: Record<string, unknown>) =>
      writeFileSync(join(dir, 'langgraph.json'), JSON.stringify({ dependencies: ['.'], graphs: { agent: './src/agent.ts:graph' }, ...extra }));
    const load = () => loadConfig({ cwd: dir, env: { SWITCHBOARD_CONFIG: 'langgraph.json' } });
    return { dir, write, load };
  }

  function problemsOf(fn: () => unknown) {
    try {
      fn();
    } catch (error) {
      if (error instanceof ConfigError) return error;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('the default config declares the three example graphs and their assistants, frozen', () => {
    const config = loadConfig({ cwd: ROOT, env: {} });
    expect(Object.keys(config.graphs)).toEqual(['chat', 'writer', 'approval']);
    expect(config.graphs.writer!.file).toBe(join(ROOT, 'src/graphs/writer.ts'));
    expect(config.graphs.writer!.exportName).toBe('graph');
    expect(config.assistants.map((assistant) => assistant.name)).toEqual(['blog', 'tweet', 'assistant', 'approver']);
    expect(config.storage).toEqual({ kind: 'lowdb', dir: join(ROOT, 'data'), journal_memory_bytes: 32 * 1024 * 1024 });
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 2024, allow_unauthenticated: false });
    expect(config.server.api_key).toBeUndefined();
    expect(Object.isFrozen(config.assistants[0]!.config)).toBe(true);
  });

  it('SWITCHBOARD_CONFIG, SWITCHBOARD_DATA_DIR, HOST and PORT override the defaults', () => {
    const dir = temp();
    const config = loadConfig({
      cwd: ROOT,
      env: {
        SWITCHBOARD_CONFIG: join(ROOT, 'config/switchboard.yaml'),
        SWITCHBOARD_DATA_DIR: dir,
        HOST: '0.0.0.0',
        PORT: '9999',
        SWITCHBOARD_API_KEY: 'a-key-of-sixteen-chars',
      },
    });
    expect(config.storage).toMatchObject({ dir });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 9999, api_key: 'a-key-of-sixteen-chars' });
  });

  it('refuses to serve a non-loopback address without an API key unless told to', () => {
    const error = problemsOf(() => loadConfig({ cwd: ROOT, env: { HOST: '0.0.0.0' } }));
    expect(error.problems[0]).toMatchObject({ key: 'server.host' });
    expect(error.problems[0]!.message).toContain('SWITCHBOARD_API_KEY');
  });

  it('an API key from the environment follows the config rule: a short one is refused, naming the variable', () => {
    const error = problemsOf(() => loadConfig({ cwd: ROOT, env: { HOST: '0.0.0.0', SWITCHBOARD_API_KEY: 'x' } }));
    expect(error.problems).toEqual([{ file: 'environment', key: 'SWITCHBOARD_API_KEY', message: 'use at least 16 characters' }]);
  });

  it('SWITCHBOARD_ALLOWED_HOSTS adds to server.allowed_hosts', () => {
    const config = loadConfig({ cwd: ROOT, env: { SWITCHBOARD_ALLOWED_HOSTS: 'chat.example.com, .corp.example' } });
    expect(config.server.allowed_hosts).toEqual(['chat.example.com', '.corp.example']);
  });

  it('refuses a config with several mistakes with one message listing every problem, with file and key', () => {
    const dir = temp();
    const file = join(dir, 'switchboard.yaml');
    writeFileSync(
      file,
      [
        'graphs:',
        '  good: ./graph.ts:graph',
        '  missing: ./nowhere.ts:graph',
        'assistants:',
        '  - name: a',
        '    graph: ghost',
        '  - name: a',
        '    graph: good',
        '    colour: blue',
        'runs:',
        '  workers: 0',
        'storage:',
        '  kind: sqlite',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'graph.ts'), 'export const graph = 1;\n');
    const error = problemsOf(() => loadConfig({ path: file, env: { PORT: 'eighty' } }));
    const keys = error.problems.map((problem) => problem.key);
    expect(keys).toEqual(expect.arrayContaining(['graphs.missing', 'assistants[0].graph', 'assistants[1]', 'assistants[1].name', 'runs.workers', 'storage.kind', 'PORT']));
    expect(error.problems.every((problem) => problem.file === file || problem.file === 'environment')).toBe(true);
    expect(error.message).toContain('problem(s)');
    for (const problem of error.problems) expect(error.message).toContain(problem.message);
  });

  it('checks graph references and files after the schema: unknown graph, duplicate names, missing module', () => {
    const dir = temp();
    const file = join(dir, 'switchboard.yaml');
    writeFileSync(
      file,
      ['graphs:', '  good: ./graph.ts:graph', '  missing: ./nowhere.ts:graph', 'assistants:', '  - {name: a, graph: ghost}', '  - {name: a, graph: good}'].join('\n'),
    );
    writeFileSync(join(dir, 'graph.ts'), 'export const graph = 1;\n');
    const error = problemsOf(() => loadConfig({ path: file, env: {} }));
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(['assistants[0].graph', 'assistants[1].name', 'graphs.missing']);
    expect(error.problems.find((problem) => problem.key === 'assistants[0].graph')!.message).toContain('unknown graph "ghost"');
  });

  it('accepts an existing langgraph.json as it is, with paths relative to it and its env file', () => {
    const dir = temp();
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src/agent.ts'), 'export const graph = 1;\n');
    writeFileSync(join(dir, '.env'), 'AGENT_SETTING=from-env-file\n');
    writeFileSync(
      join(dir, 'langgraph.json'),
      JSON.stringify({
        node_version: '20',
        dependencies: ['.'],
        graphs: { agent: './src/agent.ts:graph', other: { path: './src/agent.ts:graph', description: 'same file' } },
        env: '.env',
        dockerfile_lines: [],
        http: { cors: { allow_origins: ['*'] } },
      }),
    );
    const config = loadConfig({ cwd: dir, env: { SWITCHBOARD_CONFIG: 'langgraph.json' } });
    expect(config.format).toBe('langgraph');
    expect(config.graphs.agent!.file).toBe(join(dir, 'src/agent.ts'));
    expect(config.graphs.other!.description).toBe('same file');
    expect(config.assistants).toEqual([]);
    expect(config.server.cors?.allow_origins).toEqual(['*']);
    expect(config.notices).toEqual(expect.arrayContaining([expect.stringContaining('"dependencies" ignored'), expect.stringContaining('"dockerfile_lines" ignored')]));
  });

  it("honours langgraph.json's http section and refuses, by key, what is not served here", () => {
    const { dir, write, load } = langgraphProject({ 'app.ts': 'export const app = 1;\n' });
    write({
      http: {
        app: './src/app.ts:app',
        disable_store: true,
        disable_mcp: true,
        disable_webhooks: true,
        configurable_headers: { includes: ['x-team-*'] },
        cors: { allow_origin_regex: 'https://.*\\.example\\.com' },
      },
    });
    const config = load();
    expect(config.http).toMatchObject({
      app: `${join(dir, 'src/app.ts')}:app`,
      disable_store: true,
      disable_threads: false,
      disable_webhooks: true,
      configurable_headers: { includes: ['x-team-*'] },
    });
    expect(config.server.cors?.allow_origin_regex).toBe('https://.*\\.example\\.com');
    expect(config.notices).toEqual(expect.arrayContaining([expect.stringContaining('"http.disable_mcp" ignored')]));

    write({
      auth: { path: './src/auth.ts:auth' },
      store: { index: { embed: 'openai:text-embedding-3-small', dims: 1536 }, ttl: { default_ttl: 60 } },
      ui: { agent: './src/ui.tsx' },
      http: { app: './src/missing.ts:app' },
    });
    const error = problemsOf(() => load());
    const keys = error.problems.map((problem) => problem.key);
    // ui is served (bundled at start), so a missing module is the problem, named by its graph.
    // auth is served too: a module that is not there is named at auth.path.
    // store.index and store.ttl are served.
    expect(keys).toEqual(expect.arrayContaining(['auth.path', 'ui.agent', 'http.app']));
    expect(keys).not.toContain('store');
    expect(keys).not.toContain('store.ttl');
    expect(error.message).toMatch(/\(auth\.path\): module .*auth\.ts not found/);
    expect(error.message).toMatch(/\(http\.app\): module .*missing\.ts not found/);
  });

  it("serves langgraph.json's checkpointer.ttl (delete and keep_latest), store.ttl and store.index, and refuses bad TTLs and a malformed serde by key", () => {
    const { dir, write, load } = langgraphProject({ 'embed.ts': 'export const embed = () => [];\n' });
    write({ checkpointer: { ttl: { strategy: 'delete', default_ttl: 43_200, sweep_interval_minutes: 10 } }, store: { index: { embed: './src/embed.ts:embed', dims: 8 } } });
    const config = load();
    expect(config.checkpointer?.ttl).toEqual({ strategy: 'delete', default_ttl: 43_200, sweep_interval_minutes: 10 });
    expect(config.store?.index).toEqual({ embed: `${join(dir, 'src/embed.ts')}:embed`, dims: 8 });
    write({ checkpointer: { ttl: { strategy: 'keep_latest', default_ttl: 60 } }, store: { ttl: { refresh_on_read: false, default_ttl: 10_080, sweep_interval_minutes: 120 } } });
    const withTtl = load();
    expect(withTtl.checkpointer?.ttl).toEqual({ strategy: 'keep_latest', default_ttl: 60, sweep_interval_minutes: 5 });
    expect(withTtl.store?.ttl).toEqual({ refresh_on_read: false, default_ttl: 10_080, sweep_interval_minutes: 120 });
    // Only refresh_on_read given: it defaults as on the Platform (refreshing reads, items without a TTL).
    write({ store: { ttl: {} } });
    expect(load().store?.ttl).toEqual({ refresh_on_read: true });
    write({ checkpointer: { ttl: { strategy: 'archive', default_ttl: 60 }, serde: { pickle_fallback: 'yes' } }, store: { ttl: { default_ttl: -1, sweep: 5 } } });
    const keys = problemsOf(() => load()).problems.map((problem) => problem.key);
    expect(keys).toEqual(expect.arrayContaining(['checkpointer.ttl.strategy', 'checkpointer.serde.pickle_fallback', 'store.ttl.default_ttl', 'store.ttl']));
  });

  it('reads ${NAME} references from the environment and reports an unset one at its key', () => {
    const dir = temp();
    writeFileSync(join(dir, 'g.ts'), 'export default 1;\n');
    const file = join(dir, 'c.yaml');
    writeFileSync(file, ['graphs: {g: ./g.ts}', 'model:', '  provider: openai', '  api_key: ${MY_KEY}', '  base_url: ${MY_URL:-http://127.0.0.1:9/v1}'].join('\n'));
    const config = loadConfig({ path: file, env: { MY_KEY: 'sk-test' } });
    expect(config.model).toMatchObject({ api_key: 'sk-test', base_url: 'http://127.0.0.1:9/v1' });
    const error = problemsOf(() => loadConfig({ path: file, env: {} }));
    expect(error.problems).toEqual([{ file, key: 'model.api_key', message: 'environment variable MY_KEY is not set' }]);
  });

  it('reports a missing config file and invalid YAML', () => {
    const missing = problemsOf(() => loadConfig({ path: '/nonexistent/switchboard.yaml', env: {} }));
    expect(missing.problems[0]!.message).toContain('not found');
    const dir = temp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'graphs: [unclosed\n');
    expect(problemsOf(() => loadConfig({ path: file, env: {} })).problems[0]!.message).toContain('not valid YAML');
  });
});
