import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { silentLogger } from '../src/log.ts';
import { startSwitchboard, type Switchboard } from '../src/main.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Switchboard as `npm start` builds it, in this process, for a burst benchmark: the chat
 * graph on the offline model (answers at once, so the platform's limits are what is measured),
 * a fresh lowdb folder, and the platform whose credentials `env` gives.
 */
export async function startBurstSwitchboard(env: Record<string, string>, config: Record<string, unknown> = {}): Promise<{ sb: Switchboard; stop: () => Promise<void> }> {
  const temp = makeTempDir('switchboard-bench-burst-');
  const configFile = join(temp.dir, 'switchboard.yaml');
  writeFileSync(
    configFile,
    stringify({
      graphs: { chat: join(ROOT, 'src/graphs/chat.ts:graph') },
      assistants: [{ name: 'talker', graph: 'chat' }],
      model: { provider: 'offline' },
      server: { port: 0 },
      runs: { workers: 32 },
      chat: { assistant: 'talker' },
      ...config,
    }),
  );
  const sb = await startSwitchboard({ path: configFile, env: { SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), ...env }, log: silentLogger() });
  return {
    sb,
    async stop() {
      await sb.stop();
      temp.cleanup();
    },
  };
}

/** What one burst gave: time to the last complete answer, next to the bound the limits allow. */
export interface BurstResult {
  conversations: number;
  complete: number;
  lastAnswerMs: number;
  boundMs: number;
  boundWhy: string;
  calls: number;
  refused: number;
  duringRetryAfter: number;
}

/** The table rows of one burst. */
export function burstRow(platform: string, result: BurstResult): [string, string] {
  const ratio = result.lastAnswerMs / result.boundMs;
  const share = result.calls === 0 ? 0 : (result.refused / result.calls) * 100;
  return [
    `${platform}, ${result.conversations} conversations`,
    `last answer ${(result.lastAnswerMs / 1000).toFixed(1)} s, bound ${(result.boundMs / 1000).toFixed(1)} s (${result.boundWhy}) = ${ratio.toFixed(2)}x; ` +
      `${result.complete}/${result.conversations} complete; ${(result.calls / result.conversations).toFixed(2)} API calls/answer; ` +
      `429s ${result.refused} (${share.toFixed(1)}%); calls during a Retry-After ${result.duringRetryAfter}`,
  ];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
