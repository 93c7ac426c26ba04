import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; .ci/run installs it), or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_BROWSER = existsSync(CHROMIUM_PATH);
if (!HAS_BROWSER && process.env.CI) {
  // CI installs Chromium (.ci/run): a missing browser there is a broken CI, not a reason to skip.
  throw new Error(`CI has no Chromium at ${CHROMIUM_PATH}`);
}
// Without it the browser tests skip; vitest.config.ts says so once (test/helpers/test-services.ts).

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where tests leave screenshots for people to look at (not committed). */
export function artifactPath(name: string): string {
  const dir = resolve(import.meta.dirname, '../../test-artifacts');
  mkdirSync(dir, { recursive: true });
  return resolve(dir, name);
}

export { freePort } from './free-port.ts';
