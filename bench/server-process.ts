/**
 * Switchboard started as a newcomer starts it (`npm start` on the default config,
 * the offline model, a fresh data folder), in a child process whose memory and CPU time
 * the benchmark reads from /proc: the figures are the server's alone, not the load's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const ROOT = new URL('..', import.meta.url).pathname;
/** `npm start`'s command (its Node flags matter to memory), run directly so the process measured is the server's. */
const START = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start.split(' ');

export async function startServerProcess(extraEnv: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
  const temp = makeTempDir('switchboard-bench-server-');
  const port = await freePort();
  // No model keys and no platform tokens: the offline model, the API and the playground only.
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: String(port),
    SWITCHBOARD_DATA_DIR: temp.dir,
    ...extraEnv,
  };
  if (START[0] !== 'node') throw new Error(`npm start is expected to run node, not: ${START.join(' ')}`);
  const child: ChildProcess = spawn(process.execPath, START.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited at start: ${stderr.slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`the server did not answer /ok within 60 s: ${stderr.slice(-2000)}`);
    const ok = await fetch(`${url}/ok`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    url,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      temp.cleanup();
    },
  };
}

/** The process's resident memory (VmRSS), in MiB. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** CPU time the process has used so far (user + system), in ms. */
export function cpuMs(pid: number): number {
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux that Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
