/// <reference lib="dom" />
import { describe, expect, it } from 'vitest';
import { artifactPath, HAS_BROWSER } from '../helpers/browser.ts';
import { eventually } from '../helpers/chat.ts';
import { formsConfig } from '../helpers/forms.ts';
import type { PlaygroundPage } from '../helpers/playground.ts';
import { playgroundSuite } from '../helpers/playground-suite.ts';

describe.skipIf(!HAS_BROWSER)('playground forms in a real browser', () => {
  const suite = playgroundSuite();

  /** A page as `name`; the test's Switchboard starts on the forms config (with `assistant`) with its first page. */
  async function open(name: string, assistant?: string, chat: Record<string, unknown> = {}) {
    await suite.start(formsConfig({ assistant, ...chat }));
    return suite.open(name);
  }
  const optionButton = (page: PlaygroundPage, label: string) => page.page.locator('[data-testid=thread-messages] .prompt button', { hasText: label });
  const form = (page: PlaygroundPage) => page.page.locator('[data-testid=thread-messages] [data-testid=prompt-form]');
  const field = (page: PlaygroundPage, label: string) => form(page).locator('label.field', { hasText: label }).locator('input, textarea, select');
  const threadValues = async (page: PlaygroundPage) => {
    const conversation = await suite.t.sb.chat.conversations.find({ platform: 'web', workspace: 'local', channel: 'general', thread: page.threadId() });
    return (await suite.t.sb.engine.threads.getState(conversation!.thread_id)).values as Record<string, unknown>;
  };

  it('a form interrupt opens a form under the prompt; errors show beside their field and keep what was typed; the sent form resumes with { name: value }', async () => {
    const ana = await open('ana', 'trip');
    await ana.say('book it');
    await optionButton(ana, 'Answer').waitFor({ timeout: 10_000 });
    const clicked = performance.now();
    await optionButton(ana, 'Answer').click();
    await form(ana).waitFor();
    console.info(`click -> form shown (playground, Chromium): ${(performance.now() - clicked).toFixed(1)} ms`);
    expect(await field(ana, 'City').evaluate((element) => element.tagName)).toBe('INPUT');
    expect(await field(ana, 'Notes').evaluate((element) => element.tagName)).toBe('TEXTAREA');
    expect(await field(ana, 'Class').locator('option').allTextContents()).toEqual(['—', 'economy', 'Business class']);
    await field(ana, 'Notes').fill('window seat');
    await field(ana, 'Class').selectOption('business');
    await form(ana).locator('button[type=submit]').click();
    await eventually(async () => expect(await form(ana).locator('[data-testid=field-error]:visible').allTextContents()).toEqual(['City is needed']));
    expect(await field(ana, 'Notes').inputValue()).toBe('window seat');
    await field(ana, 'City').fill('Oslo');
    await ana.page.screenshot({ path: artifactPath('playground-form.png') });
    await form(ana).locator('button[type=submit]').click();
    await eventually(async () => expect(await ana.lastReply()).toContain('Got: {"city":"Oslo","notes":"window seat","class":"business"}'), 10_000);
    expect(await form(ana).count()).toBe(0);
    expect(await ana.page.locator('[data-testid=thread-messages] [data-testid=answered]').textContent()).toMatch(/ana\s*chose\s*Answer \(city: Oslo/);
  });

  it("an Agent Inbox Edit opens a form prefilled with the arguments, and resumes [{ type: 'edit', args: { action, args } }]", async () => {
    const ana = await open('ana', 'inbox');
    await ana.say('send the email');
    await optionButton(ana, 'Edit').click({ timeout: 10_000 });
    await form(ana).waitFor();
    expect(await field(ana, 'to').inputValue()).toBe('team@example.com');
    expect(await field(ana, 'subject').inputValue()).toBe('Launch');
    await field(ana, 'subject').fill('Launch day');
    await form(ana).locator('button[type=submit]').click();
    await eventually(async () => expect(await ana.lastReply()).toContain('review ended: edit'), 10_000);
    expect((await threadValues(ana)).outcome).toBe('edit:{"action":"send_email","args":{"to":"team@example.com","subject":"Launch day"}}');
  });

  it('a person who may not answer gets no form, only a private notice; the starter answers', async () => {
    const ana = await open('ana', 'approver', { prompt_answerers: 'starter' });
    await ana.say('ship it');
    const bo = await open('bo');
    await bo.page.goto(`${suite.t.url}/#/general/${ana.threadId()}`);
    await bo.connected();
    await optionButton(bo, 'Edit').click({ timeout: 10_000 });
    await eventually(async () => expect((await bo.texts(bo.notices)).join(' ')).toContain('Only the person who asked can answer this.'));
    expect(await form(bo).count()).toBe(0);
    await optionButton(ana, 'Edit').click();
    expect(await field(ana, 'What to send').inputValue()).toBe('ship it');
    await field(ana, 'What to send').fill('ship it on Monday');
    await form(ana).locator('button[type=submit]').click();
    await eventually(async () => expect(await ana.lastReply()).toContain('Edited and approved. Sent this to the team: "ship it on Monday"'), 10_000);
  });
});
