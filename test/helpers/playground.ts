import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** The playground as a person sees it in a browser: a name, a channel, a thread. */
export class PlaygroundPage {
  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
  ) {}

  static async open(browser: Browser, url: string, name: string): Promise<PlaygroundPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(url);
    const playground = new PlaygroundPage(context, page);
    await playground.connected();
    await playground.setName(name);
    if (errors.length > 0) throw new Error(`the page failed: ${errors.join('; ')}`);
    return playground;
  }

  async connected(): Promise<void> {
    await this.page.waitForSelector('[data-testid=connection][data-state=connected]', { timeout: 15_000 });
  }

  async setName(name: string): Promise<void> {
    await this.page.fill('[data-testid=name]', name);
  }

  /** A new message in the channel; the page opens its thread. */
  async say(text: string): Promise<void> {
    const threads = await this.page.locator('[data-testid=messages] [data-testid=open-thread]').count();
    await this.page.fill('[data-testid=composer]', text);
    await this.page.press('[data-testid=composer]', 'Enter');
    if (!text.startsWith('/')) await this.page.locator('[data-testid=messages] [data-testid=open-thread]').nth(threads).waitFor();
  }

  async reply(text: string): Promise<void> {
    await this.page.fill('[data-testid=reply]', text);
    await this.page.press('[data-testid=reply]', 'Enter');
  }

  get threadMessages(): Locator {
    return this.page.locator('[data-testid=thread-messages] [data-testid=message]');
  }

  get botReplies(): Locator {
    return this.page.locator('[data-testid=thread-messages] [data-testid=message][data-author=switchboard]');
  }

  get notices(): Locator {
    return this.page.locator('[data-testid=thread-messages] [data-testid=ephemeral]');
  }

  async texts(locator: Locator): Promise<string[]> {
    return (await locator.allTextContents()).map((text) => text.replace(/\s+/g, ' ').trim());
  }

  async lastReply(): Promise<string> {
    return (await this.texts(this.botReplies)).at(-1) ?? '';
  }

  async info(field: 'assistant' | 'thread' | 'status' | 'last-run' | 'strategy'): Promise<string> {
    return (await this.page.locator(`[data-testid=info-${field}]`).textContent()) ?? '';
  }

  /** The thread open in the page (from its address). */
  threadId(): string {
    return new URL(this.page.url()).hash.split('/')[2] ?? '';
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
