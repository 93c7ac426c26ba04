/**
 * `npm run bench`: Switchboard's performance figures, each against a baseline measured in
 * the same run. Medians of several repetitions; nothing here is a pass/fail test.
 * `npm run bench -- memory postgres` runs only those sections; `--minutes 10` sets how
 * long the memory section's full-speed load lasts (1 minute by default).
 */
import { parseArgs } from 'node:util';
import { benchChatBurst } from './chat-burst.ts';
import { benchDoubleTexting } from './double-texting.ts';
import { benchFirstToken, benchPerRun, benchThroughput } from './engine.ts';
import { benchHttp } from './http.ts';
import { benchMemory } from './memory.ts';
import { benchMove } from './move.ts';
import { benchPostgres } from './postgres.ts';
import { benchSlack } from './slack.ts';
import { benchWriteScaling } from './storage.ts';
import { benchTracing } from './tracing.ts';

const { values: flags, positionals: only } = parseArgs({ allowPositionals: true, options: { minutes: { type: 'string', default: '1' } } });
const minutes = Number(flags.minutes);
if (!(minutes > 0)) throw new Error(`--minutes must be a positive number, not "${flags.minutes}"`);

const sections: Record<string, () => Promise<void>> = {
  'per-run': benchPerRun,
  throughput: benchThroughput,
  'write-scaling': benchWriteScaling,
  'first-token': benchFirstToken,
  'double-texting': benchDoubleTexting,
  http: benchHttp,
  slack: benchSlack,
  postgres: benchPostgres,
  'chat-burst': benchChatBurst,
  tracing: benchTracing,
  memory: () => benchMemory({ minutes }),
  move: benchMove,
};

/** Sections that take minutes: run only when named (`npm run bench -- move`). */
const NAMED_ONLY = new Set(['move']);

const unknown = only.filter((name) => !(name in sections));
if (unknown.length > 0) throw new Error(`unknown bench section ${unknown.join(', ')}; the sections are ${Object.keys(sections).join(', ')}`);
process.stdout.write(`Switchboard benchmark — Node ${process.version}, ${new Date().toISOString()}\n`);
for (const [name, run] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (only.length === 0 && NAMED_ONLY.has(name)) {
    process.stdout.write(`\n${name}: not run by default (it takes minutes); npm run bench -- ${name}\n`);
    continue;
  }
  await run();
}
