import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (name: string) => parse(readFileSync(resolve(ROOT, 'config', name), 'utf8')) as Manifest;

interface Manifest {
  features: { slash_commands: Array<{ command: string; url?: string }>; bot_user: unknown };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions: { request_url?: string; bot_events: string[] }; interactivity: { is_enabled: boolean; request_url?: string }; socket_mode_enabled: boolean };
}

const HISTORY = ['channels:history', 'groups:history', 'im:history', 'mpim:history'];
/** The bot scopes each Web API method needs, from Slack's method reference. A method missing here fails the test: look it up and add it. */
const METHOD_SCOPES: Record<string, string[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.startStream': ['chat:write'],
  'chat.appendStream': ['chat:write'],
  'chat.stopStream': ['chat:write'],
  'assistant.threads.setStatus': ['assistant:write'],
  'assistant.threads.setSuggestedPrompts': ['assistant:write'],
  'assistant.threads.setTitle': ['assistant:write'],
  'reactions.add': ['reactions:write'],
  'reactions.remove': ['reactions:write'],
  'conversations.replies': HISTORY,
  'users.info': ['users:read'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  /** Not a method: a GET of a file's url_private with the bot token. */
  'url_private download': ['files:read'],
  /** Opening a modal needs no scope: the click's trigger_id is the permission. */
  'views.open': [],
};
/** The subscriptions and scopes each Bolt listener needs: `message` is delivered per conversation type. */
const LISTENER_NEEDS: Record<string, { events: string[]; scopes: string[] }> = {
  'event:app_mention': { events: ['app_mention'], scopes: ['app_mentions:read'] },
  'event:message': { events: ['message.channels', 'message.groups', 'message.im', 'message.mpim'], scopes: HISTORY },
  // Slack's AI-app events: subscribing to them needs assistant:write (its "Developing apps with AI features" guide).
  'event:assistant_thread_started': { events: ['assistant_thread_started'], scopes: ['assistant:write'] },
  'event:assistant_thread_context_changed': { events: ['assistant_thread_context_changed'], scopes: ['assistant:write'] },
  command: { events: [], scopes: ['commands'] },
  action: { events: [], scopes: [] },
  /** A modal's submission arrives through interactivity, like a click. */
  view: { events: [], scopes: [] },
  // Many workspaces: an uninstall or a revoked bot token removes the workspace's installation.
  'event:app_uninstalled': { events: ['app_uninstalled'], scopes: [] },
  'event:tokens_revoked': { events: ['tokens_revoked'], scopes: [] },
};

/** What the Slack adapter's code calls and listens to, read from its source, so a new call or listener cannot be forgotten in the manifests. */
function adapterUse(): { methods: string[]; listeners: string[] } {
  const dir = resolve(ROOT, 'adapters/slack');
  const source = readdirSync(dir)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(resolve(dir, name), 'utf8'))
    .join('\n');
  const methods = [...source.matchAll(/\bclient\.((?:[a-zA-Z][a-zA-Z0-9]*\.)+[a-zA-Z][a-zA-Z0-9]*)\(/g)].map((match) => match[1]!);
  // Files people share are downloaded from their url_private, which needs files:read.
  if (source.includes('url_private')) methods.push('url_private download');
  const listeners = [...source.matchAll(/\bapp\.(event|command|action|message|view|shortcut|options)\(\s*('([^']+)')?/g)].map((match) =>
    match[1] === 'event' ? `event:${match[3]}` : match[1]!,
  );
  return { methods: [...new Set(methods)].sort(), listeners: [...new Set(listeners)].sort() };
}

describe('the Slack app manifests in config/', () => {
  const defaults = loadConfig({ path: resolve(ROOT, 'config/switchboard.yaml'), env: {} });
  const use = adapterUse();

  it('the adapter uses only methods and listeners whose scopes are known here', () => {
    // Guards the scan itself: it must find what the adapter is known to do.
    expect(use.methods).toEqual(expect.arrayContaining(['chat.postMessage', 'chat.update', 'conversations.replies', 'users.info']));
    expect(use.listeners).toEqual([
      'action',
      'command',
      'event:app_mention',
      'event:app_uninstalled',
      'event:assistant_thread_context_changed',
      'event:assistant_thread_started',
      'event:message',
      'event:tokens_revoked',
      'view',
    ]);
    expect(use.methods.filter((method) => !(method in METHOD_SCOPES))).toEqual([]);
    expect(use.listeners.filter((listener) => !(listener in LISTENER_NEEDS))).toEqual([]);
  });

  const scopesNeeded = [
    ...new Set([...use.methods.flatMap((method) => METHOD_SCOPES[method] ?? []), ...use.listeners.flatMap((listener) => LISTENER_NEEDS[listener]?.scopes ?? [])]),
  ].sort();
  const eventsNeeded = [...new Set(use.listeners.flatMap((listener) => LISTENER_NEEDS[listener]?.events ?? []))].sort();

  for (const [name, socket] of [
    ['slack-app-manifest.yaml', true],
    ['slack-app-manifest.http.yaml', false],
  ] as const) {
    it(`${name}: exactly the scopes and events of what the adapter calls and listens to, its slash command and interactivity`, () => {
      const manifest = read(name);
      expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(scopesNeeded);
      expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(eventsNeeded);
      expect(manifest.features.slash_commands.map((command) => command.command)).toEqual([defaults.platforms.slack.slash_command]);
      expect(manifest.settings.interactivity.is_enabled).toBe(use.listeners.includes('action'));
      expect(manifest.settings.socket_mode_enabled).toBe(socket);
      const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0]!.url];
      // HTTP mode: everything goes to the one route Switchboard serves; Socket Mode needs no URL.
      expect(urls).toEqual(socket ? [undefined, undefined, undefined] : Array(3).fill('https://YOUR-HOST/slack/events'));
    });
  }
});
