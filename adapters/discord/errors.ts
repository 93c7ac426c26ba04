import { DiscordAPIError, HTTPError, RateLimitError, RESTEvents, type REST } from 'discord.js';
import { DeliveryError } from '../../src/chat/types.ts';
import { SwitchboardError } from '../../src/errors.ts';
import { countPlatformError } from '../../src/ops/metrics.ts';

/**
 * A REST failure as the outbox understands it. discord.js already waits out 429s (it reads
 * the rate-limit headers and retry_after); what reaches here is a 5xx or a network error
 * (retried with backoff), or a refusal such as a missing permission (not retried).
 */
export function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof RateLimitError) return new DeliveryError('rate limited by Discord', { retryAfterMs: error.retryAfter, cause: error });
  if (error instanceof DiscordAPIError) {
    return new DeliveryError(`Discord refused: ${error.message} (${error.code})`, { permanent: error.status < 500 && error.status !== 429, cause: error });
  }
  if (error instanceof HTTPError) return new DeliveryError(`Discord answered HTTP ${error.status}`, { permanent: error.status < 500, cause: error });
  return new DeliveryError((error as Error)?.message ?? String(error), { cause: error });
}

/**
 * Counts every error answer a REST client gets in /metrics, by HTTP status: the 429s
 * discord.js waits out and retries never reach the caller, so they are counted here.
 */
export function countRestErrors(rest: REST): void {
  rest.on(RESTEvents.Response, (_request, response) => {
    if (response.status >= 400) countPlatformError('discord', response.status);
    // The event gets a copy of the answer; nobody reads its body here.
    const copy = response.body as { cancel?: () => Promise<void> } | null;
    copy?.cancel?.().catch(() => undefined);
  });
}

/** Counts a call that got no answer at all (the network, a timeout); answers with a status are counted by countRestErrors. */
export function countUnanswered(error: unknown): void {
  if (!(error instanceof DiscordAPIError || error instanceof HTTPError || error instanceof RateLimitError)) countPlatformError('discord', 'unreachable');
}

/**
 * A failure to start as the start-up understands it: a token Discord refuses (REST 401, or
 * discord.js' TokenInvalid from the gateway's 4004) becomes a `config_invalid` error naming
 * DISCORD_TOKEN; anything else (Discord unreachable) is returned as it is, to be tried again.
 */
export function startFailure(error: unknown): unknown {
  const refused = (error instanceof DiscordAPIError && error.status === 401) || (error as { code?: string })?.code === 'TokenInvalid';
  return refused ? new SwitchboardError('config_invalid', 'Discord refused DISCORD_TOKEN (401 Unauthorized): set the bot token of your application', { cause: error }) : error;
}
