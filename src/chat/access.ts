import { randomInt } from 'node:crypto';
import type { AccessSpec } from '../config/schema.ts';
import { entriesFor } from './channel-entries.ts';
import type { ChatContext } from './context.ts';
import { identityOf } from './identity.ts';
import { messageKey } from './message-runs.ts';
import type { ChatUser, IncomingMessage, Place } from './types.ts';

type Access = { [K in keyof AccessSpec]-?: NonNullable<AccessSpec[K]> };
const DEFAULT_ACCESS: Access = { dm: 'open', users: [], admins: [], commands: 'anyone', rate_per_minute: 0 };

/** How long a pairing code can be approved, and how long before a refused person is told again. */
const CODE_TTL_MS = 60 * 60 * 1000;
const TELL_AGAIN_MS = 60 * 60 * 1000;
/** Unambiguous letters and digits (no 0/O, 1/I). */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export interface PairingRecord {
  code: string;
  identity: string;
  name: string;
  created_at: string;
  approved_by?: string;
}

/** Why a message was not taken, and what the person is told. */
export interface Refusal {
  reason: 'dm-off' | 'not-allowed' | 'pairing' | 'rate';
  text: string;
}

/** Whether `configured` (from the config) names `identity`: `slack:T1:U1` also as `slack:U1`, and a bare platform id. */
export function namesIdentity(configured: string, identity: string): boolean {
  const wanted = configured.trim();
  if (wanted === identity) return true;
  const parts = identity.split(':');
  const platform = parts[0];
  const userId = parts.at(-1);
  return wanted === `${platform}:${userId}` || wanted === userId;
}

/** Whether a configured list (users, admins) names this identity. */
const listedIn = (entries: readonly string[], identity: string) => entries.some((entry) => namesIdentity(entry, identity));

/**
 * Who may talk to the bot (`chat.access`, and per channel under `chat.channels[].access`):
 * direct messages open, allow-listed, by pairing or off; a list of users; admins who may
 * change conversations and approve pairings; a per-person rate of runs. A refused message
 * starts nothing; the person is told why once an hour (privately), and the message is
 * recorded with the reason.
 */
export class AccessGate {
  readonly #ctx: Pick<ChatContext, 'config' | 'state' | 'outbox'>;
  /** Start times of each person's recent runs, for `rate_per_minute` (this process). */
  readonly #recent = new Map<string, number[]>();

  constructor(ctx: Pick<ChatContext, 'config' | 'state' | 'outbox'>) {
    this.#ctx = ctx;
  }

  /** The access rules for a place: the defaults, then the platform-wide entry, the workspace's, then the channel's, key by key. */
  rulesFor(place: Place): Access {
    const { access, channels } = this.#ctx.config;
    const defined = (value: AccessSpec) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
    const layers = entriesFor(channels, place).map((entry) => defined(entry.access ?? {}));
    return Object.assign({ ...DEFAULT_ACCESS, ...defined(access ?? {}) }, ...layers) as Access;
  }

  isAdmin(place: Place, user: ChatUser, userTeam?: string): boolean {
    return listedIn(this.rulesFor(place).admins, identityOf(place, user, userTeam));
  }

  /** Null when the message may start work; otherwise why not (already told and recorded). */
  async admit(message: IncomingMessage, options: { startsRun: boolean }): Promise<Refusal | null> {
    const refusal = await this.#refusal(message, options);
    if (!refusal) return null;
    await this.#record(message, refusal);
    return refusal;
  }

  async #refusal(message: IncomingMessage, options: { startsRun: boolean }): Promise<Refusal | null> {
    const { place, user } = message;
    const rules = this.rulesFor(place);
    const identity = identityOf(place, user, message.userTeam);
    const admin = listedIn(rules.admins, identity);
    const listed = admin || listedIn(rules.users, identity);
    if (message.isDirect && !admin) {
      if (rules.dm === 'off') return { reason: 'dm-off', text: "I don't take direct messages here; mention me in a channel instead." };
      if (rules.dm === 'allowlist' && !listed) return { reason: 'not-allowed', text: "Sorry, I only talk to people on this workspace's list. Ask an admin to add you." };
      if (rules.dm === 'pairing' && !listed && !(await this.#ctx.state.paired.get(identity))) {
        const code = await this.#codeFor(identity, user);
        return { reason: 'pairing', text: `To talk to me here, ask an admin to approve code \`${code}\` with \`pair ${code}\` (it expires in an hour).` };
      }
    } else if (!message.isDirect && rules.users.length > 0 && !listed) {
      return { reason: 'not-allowed', text: "Sorry, I only answer people on this channel's list. Ask an admin to add you." };
    }
    if (options.startsRun && rules.rate_per_minute > 0 && !admin) {
      const now = Date.now();
      const recent = (this.#recent.get(identity) ?? []).filter((at) => now - at < 60_000);
      this.#recent.set(identity, recent);
      if (recent.length >= rules.rate_per_minute) {
        const wait = Math.ceil((60_000 - (now - recent[0]!)) / 1000);
        return { reason: 'rate', text: `You've started ${recent.length} runs in the last minute, the most allowed here; try again in ${wait} s.` };
      }
      recent.push(now);
    }
    return null;
  }

  /** A person's pending code, or a new one. */
  async #codeFor(identity: string, user: ChatUser): Promise<string> {
    const { pairings } = this.#ctx.state;
    const now = Date.now();
    const live = (await pairings.list())
      .map(({ value }) => value)
      .find((record) => record.identity === identity && !record.approved_by && now - Date.parse(record.created_at) < CODE_TTL_MS);
    if (live) return live.code;
    const code = Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
    await pairings.put(code, { code, identity, name: user.name ?? user.id, created_at: new Date(now).toISOString() });
    return code;
  }

  /** An admin approves a pairing code: its person may then talk in direct messages. */
  async pair(code: string, place: Place, admin: ChatUser, userTeam?: string): Promise<string> {
    if (!this.isAdmin(place, admin, userTeam)) return 'Only admins can approve pairing codes.';
    const record = await this.#ctx.state.pairings.get(code);
    if (!record || record.approved_by || Date.now() - Date.parse(record.created_at) >= CODE_TTL_MS) return `There is no pending code \`${code}\` (codes expire after an hour).`;
    const by = identityOf(place, admin, userTeam);
    await this.#ctx.state.pairings.put(code, { ...record, approved_by: by });
    await this.#ctx.state.paired.put(record.identity, { identity: record.identity, approved_by: by, at: new Date().toISOString() });
    return `Approved: **${record.name}** (\`${record.identity}\`) can now talk to me in direct messages.`;
  }

  /** Records the refused message (nothing is lost) and tells its author, once an hour per reason and place. */
  async #record(message: IncomingMessage, refusal: Refusal): Promise<void> {
    const { state, outbox } = this.#ctx;
    const identity = identityOf(message.place, message.user, message.userTeam);
    const at = new Date().toISOString();
    await state.refused.put(messageKey(message), {
      identity,
      reason: refusal.reason,
      text: message.text,
      place: message.place,
      at,
    });
    const noticeKey = `${identity}|${refusal.reason}|${message.place.channel}`;
    const told = await state.notices.get(noticeKey);
    if (told && Date.now() - Date.parse(told.at) < TELL_AGAIN_MS) return;
    await state.notices.put(noticeKey, { at });
    await outbox.enqueue(
      message.place,
      message.isDirect ? { kind: 'send', message: { markdown: refusal.text } } : { kind: 'ephemeral', userId: message.user.id, markdown: refusal.text },
    );
  }
}
