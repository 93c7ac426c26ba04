/**
 * The app side of the Slack benchmark, in its own process: either Switchboard as `npm start`
 * runs it (HTTP mode, offline model, fresh lowdb folder), or, as the baseline, the smallest
 * Bolt app that answers a mention in its thread. Both talk to the fake Slack API whose URL
 * is the second argument. Prints `listening <events url>`.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { App, LogLevel } from '@slack/bolt';
import { stringify } from 'yaml';
import { silentLogger } from '../src/log.ts';
import { startSwitchboard } from '../src/main.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';
import { SIGNING_SECRET } from '../test/fakes/slack.ts';

const [kind, apiUrl] = process.argv.slice(2) as ['switchboard' | 'bolt', string];
const ROOT = resolve(import.meta.dirname, '..');

if (kind === 'bolt') {
  const app = new App({
    token: 'xoxb-bench',
    signingSecret: SIGNING_SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: apiUrl, retryConfig: { retries: 0 } },
  });
  app.event('app_mention', async ({ event, client }) => {
    await client.chat.postMessage({ channel: event.channel, thread_ts: event.ts, text: 'hello' });
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as import('node:http').Server;
  const { port } = server.address() as import('node:net').AddressInfo;
  process.stdout.write(`listening http://127.0.0.1:${port}/slack/events\n`);
  process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
} else {
  const temp = makeTempDir('switchboard-bench-slack-');
  const configFile = join(temp.dir, 'switchboard.yaml');
  writeFileSync(
    configFile,
    stringify({
      graphs: { chat: join(ROOT, 'src/graphs/chat.ts:graph') },
      assistants: [
        { name: 'talker', graph: 'chat' },
        // About 40 tokens at 100 ms each: a reply that keeps its conversation busy for seconds.
        { name: 'slow', graph: 'chat', config: { configurable: { token_delay_ms: 100 } } },
      ],
      model: { provider: 'offline' },
      server: { port: 0 },
      runs: { workers: 32 },
      chat: { assistant: 'talker', channels: [{ platform: 'slack', channel: 'CBUSY', assistant: 'slow' }] },
    }),
  );
  const sb = await startSwitchboard({
    path: configFile,
    env: { SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl },
    log: silentLogger(),
  });
  process.stdout.write(`listening ${sb.server.url}/slack/events\n`);
  process.on(
    'SIGTERM',
    () =>
      void sb.stop().then(() => {
        temp.cleanup();
        process.exit(0);
      }),
  );
}
