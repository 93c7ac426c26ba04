import type { ChatSpec } from '../config/schema.ts';
import type { Place } from './types.ts';

export type ChannelEntry = ChatSpec['channels'][number];

/** How specific an entry is: a channel beats a workspace, and both together beat either. */
function rank(entry: ChannelEntry): number {
  const names = (value: string | undefined) => value !== undefined && value !== '*';
  return (names(entry.workspace) ? 1 : 0) + (names(entry.channel) ? 2 : 0);
}

/**
 * The `chat.channels` entries that apply to a place, least specific first, so that later
 * ones win key by key: the platform-wide entry (`channel: '*'`), the workspace's (a Slack
 * team, a Discord guild: `workspace` without a channel), the channel's in any workspace,
 * then the channel's in this workspace. An entry for another workspace or channel is left out.
 */
export function entriesFor(channels: readonly ChannelEntry[], place: Place): ChannelEntry[] {
  const matches = (wanted: string | undefined, actual: string) => wanted === undefined || wanted === '*' || wanted === actual;
  return channels
    .filter((entry) => entry.platform === place.platform && matches(entry.workspace, place.workspace) && matches(entry.channel, place.channel))
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => rank(a.entry) - rank(b.entry) || a.index - b.index)
    .map(({ entry }) => entry);
}
