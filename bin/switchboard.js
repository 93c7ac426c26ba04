#!/usr/bin/env node
// `npx switchboard start`: the same start as `npm start` (compiled, then plain Node), with
// npm start's memory flags (young objects in 4 MiB semi-spaces instead of up to 16; the
// heap grown by 20% at a time instead of up to 4x). A V8 heap flag only counts when Node
// starts, so without them the CLI runs itself again with them, passing signals on and
// leaving with its exit code.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** npm start's V8 flags (package.json): see the README's memory section. */
const FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=20'];
if (process.execArgv.some((arg) => arg.startsWith('--max-semi-space-size'))) {
  await import('../scripts/start.mjs');
} else {
  const start = fileURLToPath(new URL('../scripts/start.mjs', import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, ...FLAGS, start, ...process.argv.slice(2)], { stdio: 'inherit' });
  // Ctrl-C reaches the whole process group, the child included: passing it on would make it a
  // second signal, which stops at once. A SIGTERM is sent to this process only: it is passed on.
  process.on('SIGINT', () => undefined);
  for (const signal of ['SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal === 'SIGINT' ? 130 : 143)));
}
