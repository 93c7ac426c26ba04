import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchBrowser } from './browser.ts';
import { PlaygroundPage } from './playground.ts';
import { startTestSwitchboard, type TestSwitchboard } from './switchboard.ts';

export interface PlaygroundSuite {
  /** This test's Switchboard (started by `start`, or the first `open`). */
  readonly t: TestSwitchboard;
  /** Starts this test's Switchboard on `config`; later calls in the same test keep the first one. */
  start(config?: Record<string, unknown>): Promise<TestSwitchboard>;
  /** The playground at `path` (under the Switchboard's URL) as `name`, in a browser context of its own. */
  open(name: string, path?: string): Promise<PlaygroundPage>;
}

/**
 * What a suite of playground browser tests shares: one Chromium for the file, one Switchboard
 * per test, and the pages a test opened, closed after it (then its Switchboard). Call it in
 * a `describe`: it registers the hooks.
 */
export function playgroundSuite(): PlaygroundSuite {
  let browser: Browser | undefined;
  let current: TestSwitchboard | undefined;
  const pages: PlaygroundPage[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => browser?.close());
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    await current?.dispose();
    current = undefined;
  });
  const suite: PlaygroundSuite = {
    get t() {
      if (!current) throw new Error('no Switchboard yet in this test: call start() or open() first');
      return current;
    },
    async start(config = {}) {
      current ??= await startTestSwitchboard({ config });
      return current;
    },
    async open(name, path = '/') {
      const page = await PlaygroundPage.open(browser!, `${(await suite.start()).url}${path}`, name);
      pages.push(page);
      return page;
    },
  };
  return suite;
}
