import { describe, expect, it } from 'vitest';
import { BudgetShortError, RateLimiter } from '../../src/chat/rate-limiter.ts';
import { DeliveryError } from '../../src/chat/types.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the shared rate budget of a platform', () => {
  it('after a 429 nothing calls that bucket until its Retry-After has passed, whichever conversation asks', async () => {
    const limiter = new RateLimiter();
    const calls: number[] = [];
    const refusedAt = Date.now();
    await expect(
      limiter.run('T1:chat.update', undefined, 'required', async () => {
        calls.push(Date.now());
        throw new DeliveryError('rate limited', { retryAfterMs: 300 });
      }),
    ).rejects.toThrow('rate limited');
    // Ten other conversations want the same method at once: none goes before the 300 ms are over.
    await Promise.all(Array.from({ length: 10 }, () => limiter.run('T1:chat.update', undefined, 'required', async () => void calls.push(Date.now()))));
    expect(calls).toHaveLength(11);
    for (const at of calls.slice(1)) expect(at - refusedAt).toBeGreaterThanOrEqual(300);
    // Another bucket was never closed.
    const started = Date.now();
    await limiter.run('T1:chat.postMessage:C2', undefined, 'required', async () => undefined);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it('paces a known limit in advance: never more than `limit` calls answered within any window, and in the order asked', async () => {
    const limiter = new RateLimiter();
    const answered: Array<{ index: number; at: number }> = [];
    await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        limiter.run('C1', { limit: 3, windowMs: 250 }, 'required', async () => {
          await sleep(5);
          answered.push({ index, at: Date.now() });
        }),
      ),
    );
    expect(answered.map((call) => call.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    for (const [i, call] of answered.entries()) {
      const inWindow = answered.filter((other) => other.at <= call.at && other.at > call.at - 250);
      expect(inWindow.length, `calls answered in the 250 ms before call ${i}`).toBeLessThanOrEqual(3);
    }
    expect(answered.at(-1)!.at - answered[0]!.at).toBeGreaterThanOrEqual(2 * 250 - 20);
  });

  it('an optional call is skipped while a required one waits or the reserve is reached, so final text is never held behind it', async () => {
    const limiter = new RateLimiter({ reserveShare: 0.5 });
    const limit = { limit: 4, windowMs: 300 };
    const order: string[] = [];
    await limiter.run('T1:chat.update', limit, 'optional', async () => void order.push('edit 1'));
    await limiter.run('T1:chat.update', limit, 'optional', async () => void order.push('edit 2'));
    // Two of four used: the other two are kept for what must be said.
    await expect(limiter.run('T1:chat.update', limit, 'optional', async () => void order.push('edit 3'))).rejects.toBeInstanceOf(BudgetShortError);
    await limiter.run('T1:chat.update', limit, 'required', async () => void order.push('final A'));
    await limiter.run('T1:chat.update', limit, 'required', async () => void order.push('final B'));
    const finalC = limiter.run('T1:chat.update', limit, 'required', async () => void order.push('final C'));
    // final C waits for the window: an intermediate edit asked now is skipped, not queued ahead of or behind it.
    await expect(limiter.run('T1:chat.update', limit, 'optional', async () => void order.push('edit 4'))).rejects.toBeInstanceOf(BudgetShortError);
    await finalC;
    expect(order).toEqual(['edit 1', 'edit 2', 'final A', 'final B', 'final C']);
  });

  it('a stop rejects the required calls still waiting, so the outbox keeps their items', async () => {
    const limiter = new RateLimiter();
    const limit = { limit: 1, windowMs: 10_000 };
    await limiter.run('C1', limit, 'required', async () => undefined);
    const waiting = limiter.run('C1', limit, 'required', async () => 'sent');
    limiter.close();
    await expect(waiting).rejects.toBeInstanceOf(DeliveryError);
  });
});
