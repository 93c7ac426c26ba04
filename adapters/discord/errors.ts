import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../src/chat/types.ts';

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
