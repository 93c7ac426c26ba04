import type { Logger } from 'pino';
import type { Run } from '../storage/types.ts';
import { loopbackFetch } from '../platform/loopback.ts';
import type { RunOutcome } from './executor.ts';
import type { WebhookPolicy } from './webhook-policy.ts';

/**
 * Tells a run's webhook how the run ended: a POST of the run with its final values (the
 * Platform's payload), with the project's webhooks policy (headers, fields). Tried three times with a growing pause; a webhook that stays
 * unreachable is logged, never allowed to disturb the engine.
 */
export async function sendWebhook(run: Run, outcome: RunOutcome, log: Logger, options: { policy?: WebhookPolicy | undefined; fetchImpl?: typeof fetch } = {}): Promise<void> {
  const url = run.kwargs.webhook;
  if (!url) return;
  const { policy, fetchImpl = fetch } = options;
  // Checked when the run was accepted; again now, as the Platform does: the rules or the host's addresses may have changed since.
  const refusal = await policy?.refusal(url);
  if (refusal) {
    log.warn({ url, runId: run.run_id, reason: refusal }, 'webhook not called: the webhooks policy refuses it');
    return;
  }
  const payload = {
    ...run,
    status: outcome.status,
    values: outcome.values,
    error: outcome.error?.message ?? null,
    run_ended_at: new Date().toISOString(),
    webhook_sent_at: new Date().toISOString(),
  };
  const body = JSON.stringify(policy ? policy.payload(payload) : payload);
  // The project's headers (webhooks.headers) after ours, so they may set their own content type as on the Platform.
  const headers = { 'content-type': 'application/json', ...policy?.headers };
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    try {
      // A path is this server's own route (a project's http.app), reached in-process as on the Platform.
      const local = url.startsWith('/') ? loopbackFetch() : undefined;
      if (url.startsWith('/') && !local) {
        log.warn({ url, runId: run.run_id }, 'webhook is a path, but no HTTP app is serving');
        return;
      }
      const response = await (local ?? fetchImpl)(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
      if (response.ok) return;
      log.warn({ url, status: response.status, runId: run.run_id, attempt }, 'webhook answered with an error');
    } catch (error) {
      log.warn({ url, err: error, runId: run.run_id, attempt }, 'webhook unreachable');
    }
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
}
