import type { ChatUser, Place } from './types.ts';

/**
 * Who is talking, as a graph written for the LangGraph Platform reads it: the keys the
 * Platform's custom auth puts in `config.configurable` (`langgraph_auth_user_id`,
 * `langgraph_auth_user`), plus `chat`, the place the message came from. A graph can then
 * personalise (a memory per person) or authorise without knowing the chat platform.
 */
export interface ChatIdentity {
  langgraph_auth_user_id: string;
  langgraph_auth_user: { identity: string; display_name: string; is_authenticated: true; permissions: string[]; platform: string };
  chat: { platform: string; workspace: string; channel: string; conversation: string | null; message_id: string | null; is_direct: boolean };
}

/** `slack:<team>:<user>`, `discord:<user>`, `web:<name>`: stable across conversations and channels. */
export function identityOf(place: Place, user: ChatUser, userTeam?: string): string {
  switch (place.platform) {
    case 'slack':
      // A Slack Connect user belongs to their own team, not the channel's workspace.
      return `slack:${userTeam ?? place.workspace}:${user.id}`;
    case 'discord':
      return `discord:${user.id}`;
    default:
      return `${place.platform}:${user.id}`;
  }
}

export function chatIdentity(
  place: Place,
  user: ChatUser,
  message: { messageId?: string | undefined; isDirect?: boolean | undefined; userTeam?: string | undefined } = {},
  /** A configured admin (chat.access.admins): `admin` among the permissions. */
  admin = false,
): ChatIdentity {
  const identity = identityOf(place, user, message.userTeam);
  return {
    langgraph_auth_user_id: identity,
    langgraph_auth_user: {
      identity,
      display_name: user.name ?? user.id,
      is_authenticated: true,
      permissions: [...(admin ? ['admin'] : []), ...(user.roles ?? [])],
      platform: place.platform,
    },
    chat: {
      platform: place.platform,
      workspace: place.workspace,
      channel: place.channel,
      conversation: place.thread ?? null,
      message_id: message.messageId ?? null,
      is_direct: message.isDirect ?? false,
    },
  };
}
