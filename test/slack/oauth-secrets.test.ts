import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InstallState } from '../../adapters/slack/oauth-state.ts';
import { isSwitchboardError } from '../../src/errors.ts';
import { sealerFromKey } from '../../src/util/sealed-secret.ts';

const KEY = randomBytes(32);
const TOKEN = 'xoxb-1234-5678-abcdefghijklmnop';

describe('tokens sealed at rest (AES-256-GCM under SWITCHBOARD_SECRET_KEY)', () => {
  it('opens what it sealed, in base64 or hex, and the sealed text holds no part of the token', () => {
    const sealer = sealerFromKey(KEY.toString('base64'));
    const sealed = sealer.seal(TOKEN, 'slack:team:T1');
    expect(sealed).toMatch(/^v1:[\w-]{8}:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('xoxb');
    expect(sealed).not.toContain(Buffer.from(TOKEN).toString('base64url').slice(0, 12));
    expect(sealerFromKey(KEY.toString('hex')).open(sealed, 'slack:team:T1')).toBe(TOKEN);
    // A fresh nonce each time: sealing twice never gives the same text.
    expect(sealer.seal(TOKEN, 'slack:team:T1')).not.toBe(sealed);
  });

  it('refuses a token sealed under another key, altered, or moved to another installation, naming which', () => {
    const sealer = sealerFromKey(KEY.toString('base64'));
    const sealed = sealer.seal(TOKEN, 'slack:team:T1');
    const other = sealerFromKey(randomBytes(32).toString('base64'));
    expect(() => other.open(sealed, 'slack:team:T1')).toThrow(/sealed with another SWITCHBOARD_SECRET_KEY/);
    const parts = sealed.split(':');
    const body = Buffer.from(parts[4]!, 'base64url');
    body[0] = body[0]! ^ 1;
    const altered = [...parts.slice(0, 4), body.toString('base64url')].join(':');
    expect(() => sealer.open(altered, 'slack:team:T1')).toThrow(/altered or belongs to another record/);
    expect(() => sealer.open(sealed, 'slack:team:T2')).toThrow(/altered or belongs to another record/);
    expect(() => sealer.open('xoxb-in-clear', 'slack:team:T1')).toThrow(/not in the v1 format/);
  });

  it('takes only 32 random bytes as the key, with an error that says how to make one', () => {
    for (const bad of [undefined, '', 'correct horse battery staple', randomBytes(16).toString('base64'), 'zz'.repeat(32)]) {
      let error: unknown;
      try {
        sealerFromKey(bad);
      } catch (caught) {
        error = caught;
      }
      expect(isSwitchboardError(error, 'config_invalid')).toBe(true);
      expect((error as Error).message).toContain('openssl rand -base64 32');
    }
  });
});

describe("an install link's state (signed, expiring, tied to the browser)", () => {
  const secret = 'state-secret-0123456789abcdef';
  it('accepts its own fresh state with the cookie nonce; refuses a forged, expired, foreign or cookie-less one', () => {
    let now = 1_000_000;
    const state = new InstallState({ secret, ttlMs: 600_000, now: () => now });
    const { state: signed, nonce } = state.issue();
    expect(state.check(signed, nonce)).toBeNull();
    expect(state.check(undefined, nonce)).toBe('oauth_state_missing');
    expect(state.check(signed, undefined)).toBe('oauth_state_other_browser');
    expect(state.check(signed, `${nonce}x`)).toBe('oauth_state_other_browser');
    const [payload] = signed.split('.');
    expect(state.check(`${payload}.${'A'.repeat(43)}`, nonce)).toBe('oauth_state_invalid');
    expect(new InstallState({ secret: 'another-secret-0123456789', ttlMs: 600_000, now: () => now }).check(signed, nonce)).toBe('oauth_state_invalid');
    // A payload rewritten to live longer no longer matches its signature.
    const longer = Buffer.from(JSON.stringify({ n: nonce, e: now + 10 ** 9 })).toString('base64url');
    expect(state.check(`${longer}.${signed.split('.')[1]}`, nonce)).toBe('oauth_state_invalid');
    now += 600_001;
    expect(state.check(signed, nonce)).toBe('oauth_state_expired');
  });
});
