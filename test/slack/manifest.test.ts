import { readFileSync } from 'node:fs';
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

// What the adapter calls and listens to, and the scope each needs.
const SCOPES_NEEDED = [
  'app_mentions:read',
  'channels:history',
  'groups:history',
  'im:history',
  'mpim:history',
  'chat:write',
  'commands',
  'reactions:write',
  'users:read',
  'assistant:write',
];
const EVENTS_NEEDED = ['app_mention', 'message.channels', 'message.groups', 'message.im', 'message.mpim'];

describe('the Slack app manifests in config/', () => {
  const defaults = loadConfig({ path: resolve(ROOT, 'config/switchboard.yaml'), env: {} });
  for (const [name, socket] of [
    ['slack-app-manifest.yaml', true],
    ['slack-app-manifest.http.yaml', false],
  ] as const) {
    it(`${name}: the scopes, events, slash command and interactivity Switchboard uses`, () => {
      const manifest = read(name);
      expect(manifest.oauth_config.scopes.bot.sort()).toEqual([...SCOPES_NEEDED].sort());
      expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([...EVENTS_NEEDED].sort());
      expect(manifest.features.slash_commands.map((command) => command.command)).toEqual([defaults.platforms.slack.slash_command]);
      expect(manifest.settings.interactivity.is_enabled).toBe(true);
      expect(manifest.settings.socket_mode_enabled).toBe(socket);
      const urls = [manifest.settings.event_subscriptions.request_url, manifest.settings.interactivity.request_url, manifest.features.slash_commands[0]!.url];
      // HTTP mode: everything goes to the one route Switchboard serves; Socket Mode needs no URL.
      expect(urls).toEqual(socket ? [undefined, undefined, undefined] : Array(3).fill('https://YOUR-HOST/slack/events'));
    });
  }
});
