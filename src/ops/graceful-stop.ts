import type { ChatService } from '../chat/chat.ts';
import type { RunScheduler } from '../engine/scheduler.ts';

/** What a graceful stop could not finish within its grace: left stored, for the next start. */
export interface Leftovers {
  runs: number;
  deliveries: number;
}

const POLL_MS = 25;

/**
 * The first half of a graceful stop: takes no more work (no run starts, new chat messages
 * are held in the inbox), then gives the runs in flight, their replies and the outbox until
 * the deadline. What is left then is stored and is done at the next start; the caller stops
 * the rest (which cancels the runs still running so that they resume from their checkpoints).
 */
export async function settle(parts: { scheduler: RunScheduler; chat: ChatService }, graceMs: number): Promise<Leftovers> {
  const { scheduler, chat } = parts;
  const deadline = Date.now() + graceMs;
  scheduler.pause();
  chat.hold();
  await until(() => scheduler.runningCount === 0, deadline);
  // A finished run's reply ends with a last edit; replies of runs still waiting never end here, hence the deadline.
  await Promise.race([chat.idle(), sleep(deadline - Date.now())]);
  await until(() => chat.outbox.pendingCount() === 0, deadline);
  return { runs: scheduler.runningCount, deliveries: chat.outbox.pendingCount() };
}

async function until(done: () => boolean, deadline: number): Promise<void> {
  while (!done() && Date.now() < deadline) await sleep(Math.min(POLL_MS, deadline - Date.now()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
