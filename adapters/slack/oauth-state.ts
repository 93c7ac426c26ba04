import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Why an install's state was refused: each a stable code the redirect page names. */
export type StateRefusal = 'oauth_state_missing' | 'oauth_state_invalid' | 'oauth_state_expired' | 'oauth_state_other_browser';

/**
 * The `state` of an install link: `<payload>.<signature>`, the payload a nonce and an
 * expiry (base64url JSON) signed with HMAC-SHA256 under SLACK_STATE_SECRET. Nothing is
 * stored server-side, so any process sharing the secret can finish an install another
 * started. The nonce also goes into a cookie of the browser that asked for the link, and
 * the redirect must come back with both: a state lifted from someone else's link (login
 * CSRF: installing into the attacker's workspace from the victim's browser) is refused.
 */
export class InstallState {
  readonly #secret: string;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { secret: string; ttlMs: number; now?: () => number }) {
    this.#secret = options.secret;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  issue(): { state: string; nonce: string } {
    const nonce = randomBytes(16).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ n: nonce, e: this.#now() + this.#ttlMs })).toString('base64url');
    return { state: `${payload}.${this.#sign(payload)}`, nonce };
  }

  /** Null when the state is genuine, fresh and from this browser; else why not. */
  check(state: string | undefined, cookieNonce: string | undefined): StateRefusal | null {
    if (!state) return 'oauth_state_missing';
    const [payload, signature, ...rest] = state.split('.');
    if (!payload || !signature || rest.length > 0 || !equal(signature, this.#sign(payload))) return 'oauth_state_invalid';
    let claims: { n?: unknown; e?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { n?: unknown; e?: unknown };
    } catch {
      return 'oauth_state_invalid';
    }
    if (typeof claims.n !== 'string' || typeof claims.e !== 'number') return 'oauth_state_invalid';
    if (claims.e <= this.#now()) return 'oauth_state_expired';
    if (!cookieNonce || !equal(cookieNonce, claims.n)) return 'oauth_state_other_browser';
    return null;
  }

  #sign(payload: string): string {
    return createHmac('sha256', this.#secret).update(`slack-install-state:${payload}`).digest('base64url');
  }
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
