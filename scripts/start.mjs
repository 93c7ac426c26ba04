/**
 * `npm start` and `npx switchboard`: compile (scripts/build.mjs), then run the CLI as plain
 * JavaScript in this same process, so the Node flags given to it (memory) apply to the server.
 * Where the tree cannot be compiled (a read-only install), it runs the TypeScript through tsx.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, build } from './build.mjs';

let cli;
try {
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  cli = join(await build(), 'src', 'cli.js');
} catch (error) {
  process.stderr.write(`switchboard: could not compile (${error.message.split('\n')[0]}); running the TypeScript through tsx\n`);
  const { register } = await import('tsx/esm/api');
  register();
  cli = join(ROOT, 'src', 'cli.ts');
}
await import(pathToFileURL(cli).href);
