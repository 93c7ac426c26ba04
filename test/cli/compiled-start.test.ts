import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: { start: string } };
/** `npm start`'s own command line, run directly: node, its flags, scripts/start.mjs, `start`. */
const START = PACKAGE.scripts.start.split(' ');

describe('npm start runs Switchboard compiled (plain Node, no TypeScript loader for its own code)', () => {
  const children: ChildProcess[] = [];
  const temps: Array<{ dir: string; cleanup: () => void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  async function start(env: NodeJS.ProcessEnv = {}): Promise<string> {
    const temp = makeTempDir();
    temps.push(temp);
    expect(START[0]).toBe('node');
    const child = spawn(process.execPath, START.slice(1), {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), LOG_LEVEL: 'silent', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
    return new Promise<string>((resolvePromise, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const found = /Switchboard is running at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
        if (found) resolvePromise(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code} before listening: ${stderr}`)));
    });
  }

  const waitRun = async (url: string, assistant: string, text: string) => {
    const response = await fetch(`${url}/runs/wait`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ assistant_id: assistant, input: { messages: [{ role: 'user', content: text }] } }),
    });
    expect(response.status).toBe(200);
    const values = (await response.json()) as { messages: Array<{ content: string }> };
    return values.messages.at(-1)!.content;
  };

  it('the default config: its graphs answer, the playground page and the version are read from the package, and the build is kept under dist/', async () => {
    const url = await start();
    expect(await waitRun(url, 'chat', 'compiled hello')).toContain('You said: "compiled hello"');
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('Switchboard playground');
    expect(((await (await fetch(`${url}/info`)).json()) as { version: string }).version).toBe(PACKAGE.version);
    const builds = readdirSync(join(ROOT, 'dist')).filter((name) => !name.startsWith('.'));
    expect(builds.some((name) => existsSync(join(ROOT, 'dist', name, 'src', 'cli.js')))).toBe(true);
  }, 60_000);

  it("a project's own TypeScript graph (outside Switchboard) still loads: tsx registers on first use", async () => {
    const url = await start({ SWITCHBOARD_CONFIG: join(ROOT, 'test/fixtures/project/langgraph.json') });
    expect(await waitRun(url, 'agent', 'Ada')).toBe('Bonjour, Ada!');
  }, 60_000);
});
