/** How long the gateway may be down before the process reports itself unhealthy (a zombie bot). */
const GRACE_MS = 30_000;

/** `standby`: another process holds the gateway (several processes on one database). */
export type GatewayState = 'connecting' | 'ready' | 'reconnecting' | 'closed' | 'standby';

/**
 * The gateway's state for health checks: a bot whose socket dropped and never came back
 * looks online to nobody, so it must show in GET /ok (and fail it after a grace period).
 */
export class GatewayHealth {
  state: GatewayState = 'standby';
  closeCode: number | null = null;
  since = Date.now();
  reconnects = 0;
  resumes = 0;

  set(state: GatewayState, closeCode: number | null = null): void {
    if (state === 'reconnecting' && this.state !== 'reconnecting') this.reconnects += 1;
    if (state !== this.state) this.since = Date.now();
    this.state = state;
    if (closeCode !== null) this.closeCode = closeCode;
  }

  healthy(now = Date.now()): boolean {
    if (this.state === 'ready' || this.state === 'standby') return true;
    if (this.state === 'closed') return false;
    return now - this.since < GRACE_MS;
  }

  report(): Record<string, unknown> {
    return {
      gateway: this.state,
      since: new Date(this.since).toISOString(),
      last_close_code: this.closeCode,
      reconnects: this.reconnects,
      resumes: this.resumes,
      healthy: this.healthy(),
    };
  }
}
