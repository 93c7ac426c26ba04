import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { silentLogger } from '../../src/log.ts';
import { startSwitchboard, type Switchboard } from '../../src/main.ts';
import { makeTempDir } from './tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

export interface TestSwitchboard {
  sb: Switchboard;
  url: string;
  dataDir: string;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/**
 * The whole of Switchboard as `npm start` builds it (config file, storage, engine, chat,
 * adapters, HTTP), on a temporary folder and a free port, with the example graphs and a
 * few assistants the tests use.
 */
export async function startTestSwitchboard(options: { env?: Record<string, string>; config?: Record<string, unknown>; log?: Logger } = {}): Promise<TestSwitchboard> {
  const temp = makeTempDir();
  const dataDir = join(temp.dir, 'data');
  const configFile = join(temp.dir, 'switchboard.yaml');
  writeFileSync(
    configFile,
    stringify({
      graphs: {
        chat: join(ROOT, 'src/graphs/chat.ts:graph'),
        writer: join(ROOT, 'src/graphs/writer.ts:graph'),
        approval: join(ROOT, 'src/graphs/approval.ts:graph'),
      },
      assistants: [
        { name: 'talker', graph: 'chat' },
        { name: 'slowtalker', graph: 'chat', config: { configurable: { token_delay_ms: 30 } } },
        { name: 'tweet', graph: 'writer', config: { configurable: { style: 'tweet', max_chars: 280 } } },
        { name: 'approver', graph: 'approval' },
      ],
      model: { provider: 'offline' },
      server: { port: 0 },
      ...options.config,
      chat: { assistant: 'talker', edit_interval_ms: 150, ...((options.config?.chat as object) ?? {}) },
    }),
  );
  const env = { SWITCHBOARD_DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...options.env };
  let stopped = false;
  const start = async () => {
    const sb = await startSwitchboard({ path: configFile, env, log: options.log ?? silentLogger() });
    const stop = sb.stop.bind(sb);
    sb.stop = async () => {
      if (stopped) return;
      stopped = true;
      await stop();
    };
    return sb;
  };
  const harness: TestSwitchboard = {
    sb: await start(),
    url: '',
    dataDir,
    async restart() {
      if (!stopped) await harness.sb.stop();
      stopped = false;
      harness.sb = await start();
      harness.url = harness.sb.server.url;
    },
    async dispose() {
      await harness.sb.stop();
      temp.cleanup();
    },
  };
  harness.url = harness.sb.server.url;
  return harness;
}
