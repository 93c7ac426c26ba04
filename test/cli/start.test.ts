import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'src/cli.ts');

describe('switchboard start', () => {
  const children: Child[] = [];
  const temps: Array<{ dir: string; cleanup: () => void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  it('starts on the default config, prints its address and answers GET /ok; SIGTERM stops it cleanly', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const dataDir = join(temp.dir, 'data');
    const child = runTs(CLI, ['start'], { PORT: '0', SWITCHBOARD_DATA_DIR: dataDir, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' });
    children.push(child);
    const line = await child.waitFor(/Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/, 30_000);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
    const response = await fetch(`${url}/ok`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, platforms: { web: { browsers: 0 } } });
    // The playground is the embedded default: its address is printed and it answers.
    await child.waitFor(new RegExp(`^Playground: open ${url}/ in a browser$`));
    expect((await fetch(`${url}/`)).headers.get('content-type')).toContain('text/html');
    const info = (await (await fetch(`${url}/info`)).json()) as { graphs: string[] };
    expect(info.graphs).toEqual(['chat', 'writer', 'approval']);
    expect(existsSync(join(dataDir, 'assistants.json'))).toBe(true);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);

  it('`npx switchboard start` (the package bin) starts the same server', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const bin = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin.switchboard!;
    const child = spawn(process.execPath, [join(ROOT, bin), 'start'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), LOG_LEVEL: 'silent', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const url = await new Promise<string>((resolvePromise, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        const found = /Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (found) resolvePromise(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
    });
    expect((await fetch(`${url}/ok`)).status).toBe(200);
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);

  it('refuses a config with mistakes: exit code 2, every problem listed, nothing started', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const config = join(temp.dir, 'bad.yaml');
    writeFileSync(config, ['graphs:', '  a: ./missing.ts:graph', 'assistants:', '  - {name: x, graph: b}', 'server: {port: -1}'].join('\n'));
    const dataDir = join(temp.dir, 'data');
    const child = runTs(CLI, ['start'], { SWITCHBOARD_CONFIG: config, SWITCHBOARD_DATA_DIR: dataDir });
    children.push(child);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    expect(await child.exited).toBe(2);
    expect(stderr).toContain('graphs.a');
    expect(stderr).toContain('assistants[0].graph');
    expect(stderr).toContain('server.port');
    expect(existsSync(dataDir)).toBe(false);
  }, 30_000);

  it('reports a graph module that fails to load as a config problem with exit code 2', async () => {
    const temp = makeTempDir();
    temps.push(temp);
    writeFileSync(join(temp.dir, 'broken.ts'), 'throw new Error("cannot build the graph");\nexport const graph = 1;\n');
    writeFileSync(join(temp.dir, 'wrong.ts'), 'export const notTheGraph = 1;\n');
    const config = join(temp.dir, 'langgraph.json');
    writeFileSync(config, JSON.stringify({ graphs: { broken: './broken.ts:graph', wrong: './wrong.ts:graph' }, dependencies: ['.'] }));
    const child = runTs(CLI, ['start'], { SWITCHBOARD_CONFIG: config, SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), PORT: '0' });
    children.push(child);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    expect(await child.exited).toBe(2);
    expect(stderr).toContain('graphs.broken');
    expect(stderr).toContain('cannot build the graph');
    expect(stderr).toContain('has no export "graph"');
    expect(existsSync(join(temp.dir, 'data'))).toBe(false);
  }, 30_000);

  it('an unreachable PostgreSQL is reported in one line, without the password, with exit code 1', async () => {
    const child = runTs(CLI, ['start'], { DATABASE_URL: 'postgres://sb:hunter2@127.0.0.1:1/none', PORT: '0' });
    children.push(child);
    let stderr = '';
    child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    expect(await child.exited).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('cannot open PostgreSQL storage at postgres://sb:***@127.0.0.1:1/none');
    expect(stderr).not.toContain('hunter2');
  }, 30_000);

  it('a busy port is reported in one line naming the port and PORT, with exit code 1, before storage is opened', async () => {
    const busy = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', () => done()));
    const port = (busy.address() as AddressInfo).port;
    const temp = makeTempDir();
    temps.push(temp);
    try {
      const child = runTs(CLI, ['start'], { PORT: String(port), SWITCHBOARD_DATA_DIR: join(temp.dir, 'data') });
      children.push(child);
      let stderr = '';
      child.process.stderr!.on('data', (chunk) => (stderr += String(chunk)));
      expect(await child.exited).toBe(1);
      expect(stderr.trim().split('\n')).toEqual([`switchboard: port ${port} on 127.0.0.1 is already in use by another program: stop it, or set PORT to a free port`]);
      // Nothing was opened: no data folder was made.
      expect(existsSync(join(temp.dir, 'data'))).toBe(false);
    } finally {
      await new Promise((done) => busy.close(done));
    }
  }, 30_000);
});
