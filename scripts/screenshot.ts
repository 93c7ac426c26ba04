/**
 * `npm run screenshot`: the README's picture of the playground (docs/playground.png), taken
 * from a real run on the default config: a conversation with the approval assistant whose
 * question was answered with a button. Needs Chromium (apt-get install -y chromium).
 */
import { join, resolve } from 'node:path';
import { silentLogger } from '../src/log.ts';
import { startSwitchboard } from '../src/main.ts';
import { launchBrowser } from '../test/helpers/browser.ts';
import { PlaygroundPage } from '../test/helpers/playground.ts';
import { makeTempDir } from '../test/helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '..');
const temp = makeTempDir('switchboard-screenshot-');
const sb = await startSwitchboard({
  path: join(ROOT, 'config/switchboard.yaml'),
  env: { SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'), PORT: '0' },
  log: silentLogger(),
});
const browser = await launchBrowser();
try {
  const ana = await PlaygroundPage.open(browser, `${sb.server.url}/`, 'ana');
  await ana.say('What should our onboarding checklist cover?');
  await ana.page.locator('[data-testid=typing]').waitFor({ state: 'hidden', timeout: 30_000 });
  await ana.say('/sb use approver');
  await ana.say('Publish the 2.0 release notes to #announcements');
  await ana.page.locator('.prompt button', { hasText: 'Approve' }).click();
  await ana.page.locator('[data-testid=answered]').waitFor();
  await ana.page.locator('[data-testid=typing]').waitFor({ state: 'hidden', timeout: 30_000 });
  await ana.page.waitForTimeout(300);
  await ana.page.screenshot({ path: join(ROOT, 'docs/playground.png') });
  process.stdout.write('wrote docs/playground.png\n');
} finally {
  await browser.close();
  await sb.stop();
  temp.cleanup();
}
