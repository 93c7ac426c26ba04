import { DeliveryError } from '../../src/chat/types.ts';
import { SwitchboardError } from '../../src/errors.ts';
import { countPlatformError } from '../../src/ops/metrics.ts';

/** Slack errors that a later attempt can get past; every other platform error is final. */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'team_added_to_org', 'accesslimited']);

/**
 * A Web API failure as the outbox understands it: a 429 waits for its Retry-After, a 5xx
 * or a network error is retried with backoff, and an answer like `channel_not_found` is
 * not retried at all.
 */
export function toDeliveryError(error: unknown): DeliveryError {
  // Already decided (a workspace the app is not installed in is final).
  if (error instanceof DeliveryError) return error;
  const failure = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string }; message?: string };
  switch (failure.code) {
    case 'slack_webapi_rate_limited_error':
      return new DeliveryError('rate limited by Slack', { retryAfterMs: (failure.retryAfter ?? 1) * 1000, cause: error });
    case 'slack_webapi_request_error':
      return new DeliveryError(`Slack unreachable: ${failure.message}`, { cause: error });
    case 'slack_webapi_http_error':
      return new DeliveryError(`Slack answered HTTP ${failure.statusCode}`, { permanent: (failure.statusCode ?? 500) < 500, cause: error });
    case 'slack_webapi_platform_error': {
      const code = failure.data?.error ?? 'unknown_error';
      return new DeliveryError(`Slack refused: ${code}`, { permanent: !TRANSIENT.has(code), cause: error });
    }
    default:
      return new DeliveryError((error as Error)?.message ?? String(error), { cause: error });
  }
}

/** Counts a failed Web API call in /metrics: the error Slack named (`ratelimited`, `channel_not_found`), the HTTP status, or `unreachable`. */
export function countSlackError(error: unknown): void {
  const failure = error as { code?: string; statusCode?: number; data?: { error?: string } };
  const code =
    failure.code === 'slack_webapi_rate_limited_error'
      ? 'ratelimited'
      : failure.code === 'slack_webapi_platform_error'
        ? (failure.data?.error ?? 'unknown_error')
        : failure.code === 'slack_webapi_http_error'
          ? String(failure.statusCode ?? 'http_error')
          : 'unreachable';
  countPlatformError('slack', code);
}

/** Whether Slack refused the token itself (revoked, wrong): what is cached of the workspace's installation must go. */
export function refusedToken(error: unknown): boolean {
  const failure = error as { code?: string; data?: { error?: string } };
  return failure.code === 'slack_webapi_platform_error' && REFUSED_TOKEN.has(failure.data?.error ?? '');
}

/** Answers that say the token itself is wrong: waiting does not fix them (Slack's unrecoverable start errors). */
const REFUSED_TOKEN = new Set(['invalid_auth', 'not_authed', 'account_inactive', 'token_revoked', 'token_expired', 'user_removed_from_team', 'team_disabled']);

/**
 * A failure to start as the start-up understands it: a token Slack refuses becomes a
 * `config_invalid` error naming the variable to fix (the start fails in one line); anything
 * else (Slack unreachable, a 5xx) is returned as it is, to be tried again.
 */
export function startFailure(error: unknown, tokenVariable: string): unknown {
  const failure = error as { code?: string; data?: { error?: string } };
  const code = failure.code === 'slack_webapi_platform_error' ? failure.data?.error : undefined;
  if (code && REFUSED_TOKEN.has(code)) return new SwitchboardError('config_invalid', `Slack refused ${tokenVariable} (${code}): set a valid token for this app`, { cause: error });
  return error;
}
