/**
 * `npm run bench`: Switchboard's performance figures, each against a baseline measured in
 * the same run. Medians of several repetitions; nothing here is a pass/fail test.
 */
import { benchChatBurst } from './chat-burst.ts';
import { benchDoubleTexting } from './double-texting.ts';
import { benchFirstToken, benchPerRun, benchThroughput } from './engine.ts';
import { benchHttp } from './http.ts';
import { benchMove } from './move.ts';
import { benchPostgres } from './postgres.ts';
import { benchSlack } from './slack.ts';
import { benchWriteScaling } from './storage.ts';
import { benchTracing } from './tracing.ts';

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
  move: benchMove,
};

/** Sections that take minutes: run only when named (`npm run bench -- move`). */
const NAMED_ONLY = new Set(['move']);

const only = process.argv.slice(2);
process.stdout.write(`Switchboard benchmark — Node ${process.version}, ${new Date().toISOString()}\n`);
for (const [name, run] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name)) continue;
  if (only.length === 0 && NAMED_ONLY.has(name)) {
    process.stdout.write(`\n${name}: not run by default (it takes minutes); npm run bench -- ${name}\n`);
    continue;
  }
  await run();
}
