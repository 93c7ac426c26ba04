import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { FakeSlack, SIGNING_SECRET } from '../fakes/slack.ts';
import { eventually } from './chat.ts';
import { startTestSwitchboard, type TestSwitchboard } from './switchboard.ts';

export interface SlackHarness {
  /** The fake Slack API, shared by the tests of a file. */
  readonly slack: FakeSlack;
  /** The Switchboard of the current test (disposed after it). */
  readonly t: TestSwitchboard;
  /** Starts Switchboard with the Slack adapter against the fake, in HTTP mode or Socket Mode. */
  start(config?: Record<string, unknown>, env?: Record<string, string>): Promise<TestSwitchboard>;
}

/** Registers the hooks of a Slack test file: one fake Slack for the file, a Switchboard per test. */
export function useSlackHarness(mode: 'http' | 'socket'): SlackHarness {
  let slack: FakeSlack | undefined;
  let current: TestSwitchboard | undefined;
  beforeAll(async () => {
    slack = new FakeSlack();
    await slack.start();
  });
  afterAll(async () => slack?.stop());
  afterEach(async () => {
    await current?.dispose();
    current = undefined;
  });
  return {
    get slack() {
      return slack!;
    },
    get t() {
      if (!current) throw new Error('start() first');
      return current;
    },
    async start(config = {}, env = {}) {
      // Socket Mode needs no signing secret: with an app token, events come over the WebSocket.
      const credentials = mode === 'socket' ? { SLACK_APP_TOKEN: 'xapp-test' } : { SLACK_SIGNING_SECRET: SIGNING_SECRET };
      current = await startTestSwitchboard({ env: { SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack!.apiUrl, ...credentials, ...env }, config });
      if (mode === 'socket') await eventually(() => expect(slack!.socketConnected).toBe(true));
      return current;
    },
  };
}

/** Slack message timestamps, unique within a file from `base`. */
export function tsCounter(base: number): () => string {
  let ts = base;
  return () => `${++ts}.000100`;
}
