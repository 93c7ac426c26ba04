import type { WebSocket } from 'ws';
import { type GuildRecords, wireGuild } from './discord-wire.ts';

/**
 * The fake Discord's gateway WebSocket: HELLO, IDENTIFY -> READY + GUILD_CREATE, heartbeats,
 * RESUME with replay of what was missed, and the dispatch of events. When the MessageContent
 * intent is not approved, IDENTIFY with it is closed with 4014, as Discord does.
 */

export const INTENT_MESSAGE_CONTENT = 1 << 15;

/** What the gateway reads of the fake, and the session counters it keeps there for tests to see. */
export interface GatewayHost extends GuildRecords {
  readonly applicationId: string;
  readonly url: string;
  readonly messageContentApproved: boolean;
  intents: number;
  identifies: number;
  resumes: number;
}

export class DiscordGateway {
  readonly #host: GatewayHost;
  #socket: WebSocket | undefined;
  #sequence = 0;
  #sessionId = '';
  /** Dispatches of the session, for RESUME to replay what a dropped connection missed. */
  #sent: Array<{ s: number; t: string; d: unknown }> = [];
  #readyWaiters: Array<() => void> = [];
  /** Connections waiting for their HELLO while the gateway is held. */
  #held: WebSocket[] | undefined;

  constructor(host: GatewayHost) {
    this.#host = host;
  }

  get connected(): boolean {
    return this.#socket?.readyState === 1 && this.#sessionId !== '';
  }

  whenReady(): Promise<void> {
    if (this.connected) return Promise.resolve();
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  hold(): void {
    this.#held = [];
  }

  release(): void {
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const socket of held) this.#hello(socket);
  }

  drop(code: number): void {
    this.#socket?.close(code, 'dropped by the test');
    this.#socket = undefined;
  }

  dispatch(t: string, d: unknown): void {
    const s = ++this.#sequence;
    this.#sent.push({ s, t, d });
    if (this.#sent.length > 1000) this.#sent.shift();
    if (this.connected) this.#socket!.send(JSON.stringify({ op: 0, s, t, d }));
  }

  onConnection(socket: WebSocket): void {
    socket.on('message', (raw) => {
      const payload = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> | number | null };
      switch (payload.op) {
        case 1:
          socket.send(JSON.stringify({ op: 11 }));
          break;
        case 2:
          this.#identify(socket, payload.d as { intents: number });
          break;
        case 6:
          this.#resume(socket, payload.d as { session_id: string; seq: number });
          break;
        default:
          break;
      }
    });
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    if (this.#held) this.#held.push(socket);
    else this.#hello(socket);
  }

  #hello(socket: WebSocket): void {
    if (socket.readyState === 1) socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
  }

  #identify(socket: WebSocket, d: { intents: number }): void {
    const host = this.#host;
    if ((d.intents & INTENT_MESSAGE_CONTENT) !== 0 && !host.messageContentApproved) {
      socket.close(4014, 'Disallowed intent(s).');
      return;
    }
    host.identifies += 1;
    host.intents = d.intents;
    this.#sessionId = `session-${host.identifies}`;
    this.#sent = [];
    this.#socket = socket;
    this.#sequence = 0;
    const ready = {
      v: 10,
      user: host.botUser,
      guilds: [{ id: host.guildId, unavailable: true }],
      session_id: this.#sessionId,
      resume_gateway_url: `${host.url.replace('http', 'ws')}/gateway`,
      shard: [0, 1],
      application: { id: host.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      user_settings: {},
    };
    this.dispatch('READY', ready);
    this.dispatch('GUILD_CREATE', wireGuild(host));
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }

  #resume(socket: WebSocket, d: { session_id: string; seq: number }): void {
    if (d.session_id !== this.#sessionId) {
      socket.send(JSON.stringify({ op: 9, d: false }));
      return;
    }
    this.#host.resumes += 1;
    this.#socket = socket;
    for (const event of this.#sent.filter((entry) => entry.s > d.seq)) socket.send(JSON.stringify({ op: 0, ...event }));
    this.dispatch('RESUMED', {});
    for (const resolve of this.#readyWaiters.splice(0)) resolve();
  }
}
