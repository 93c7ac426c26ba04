import { describe, expect, it } from 'vitest';
import { GatewayHealth } from '../../adapters/discord/gateway-health.ts';

/** GET /ok reads `healthy` (a closed gateway's 503 is in discord-gateway.test.ts); here, the 30 s grace on its clock. */
describe('Discord gateway health: 30 s of grace before a dropped gateway fails GET /ok', () => {
  it('a gateway reconnecting stays healthy for 30 s from the drop, then is unhealthy until it is ready again', () => {
    const health = new GatewayHealth();
    health.set('ready');
    expect(health.healthy()).toBe(true);
    health.set('reconnecting', 4000);
    const dropped = health.since;
    expect(health.healthy(dropped + 29_999)).toBe(true);
    expect(health.healthy(dropped + 30_000)).toBe(false);
    // Still reconnecting later: the grace counts from the drop, not from the last attempt.
    health.set('reconnecting');
    expect(health.since).toBe(dropped);
    expect(health.reconnects).toBe(1);
    expect(health.healthy(dropped + 30_000)).toBe(false);
    health.set('ready');
    expect(health.healthy(dropped + 60_000)).toBe(true);
    expect(health.report()).toMatchObject({ gateway: 'ready', last_close_code: 4000, reconnects: 1, healthy: true });
  });

  it('connecting gets the same grace; closed for good is unhealthy at once; standby (another process holds it) is healthy', () => {
    const health = new GatewayHealth();
    expect(health.healthy()).toBe(true);
    health.set('connecting');
    expect(health.healthy(health.since + 29_999)).toBe(true);
    expect(health.healthy(health.since + 30_000)).toBe(false);
    health.set('closed', 4004);
    expect(health.healthy(health.since)).toBe(false);
    expect(health.report()).toMatchObject({ gateway: 'closed', last_close_code: 4004, healthy: false });
  });
});
