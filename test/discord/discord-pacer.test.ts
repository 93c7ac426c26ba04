import { REST, Routes } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DiscordPacer } from '../../adapters/discord/rate-limits.ts';
import { Db } from '../../src/storage/postgres/db.ts';
import { migrate } from '../../src/storage/postgres/migrations.ts';
import { FakeDiscord } from '../fakes/discord.ts';
import { GENERAL } from '../helpers/discord.ts';
import { leasedLedger } from '../helpers/leased-ledger.ts';
import { dropSchema, freshSchema, HAS_POSTGRES, pgOptions } from '../helpers/postgres.ts';

/**
 * The adapter's two discord.js REST clients (its own for replies, the gateway client's) share
 * one pacer; here two real clients share one against the fake Discord, each call on its own
 * queue as discord.js keeps it, so only the pacer can hold one back for the other.
 */
describe('two discord.js REST clients sharing one pacer, against a fake Discord', () => {
  let discord: FakeDiscord | undefined;
  const dbs: Db[] = [];
  let schema: string | undefined;
  afterEach(async () => {
    await discord?.stop();
    discord = undefined;
    for (const db of dbs.splice(0)) await db.close();
    if (schema) await dropSchema(schema);
    schema = undefined;
  });

  /** Two clients on one pacer (one process), or each on a pacer of its own sharing a ledger on PostgreSQL (two processes). */
  const clients = async (processes: 'one process' | 'two processes on PostgreSQL' = 'one process') => {
    discord = new FakeDiscord();
    await discord.start();
    let pacers: DiscordPacer[];
    if (processes === 'one process') pacers = [new DiscordPacer()];
    else {
      schema = freshSchema();
      dbs.push(new Db(pgOptions(schema)), new Db(pgOptions(schema)));
      await migrate(dbs[0]!);
      pacers = await Promise.all(dbs.map(async (db) => new DiscordPacer({ ledger: (await leasedLedger(db)).ledger })));
    }
    const make = (pacer: DiscordPacer) => new REST({ api: discord!.apiUrl, makeRequest: pacer.makeRequest, offset: 250 }).setToken('fake-discord-token');
    return [make(pacers[0]!), make(pacers.at(-1)!)] as const;
  };

  it.each(['one process', ...(HAS_POSTGRES ? (['two processes on PostgreSQL'] as const) : [])] as const)(
    'a 429 one client gets closes its bucket for the other (%s): no call goes out during the Retry-After, and both messages land',
    async (processes) => {
      const [first, second] = await clients(processes);
      discord!.failNext(/^POST \/channels\/\d+\/messages$/, { status: 429, retryAfter: 1 });
      const route = Routes.channelMessages(GENERAL);
      await Promise.all([first.post(route, { body: { content: 'from the first' } }), second.post(route, { body: { content: 'from the second' } })]);
      const posts = discord!.callsTo(/^POST \/channels\/\d+\/messages$/);
      expect(posts.map((call) => Boolean(call.refused))).toEqual([true, false, false]);
      expect(discord!.callsDuringRetryAfter()).toEqual([]);
      expect(
        discord!
          .botMessages(GENERAL)
          .map((message) => message.content)
          .sort(),
      ).toEqual(['from the first', 'from the second']);
    },
  );

  it('120 reads at once from two clients across 20 channels stay within the global 50 a second: Discord never refuses one', async () => {
    const [first, second] = await clients();
    const channels = Array.from({ length: 20 }, (_, index) => `5200000000000000${String(index).padStart(2, '0')}`);
    for (const channel of channels) discord!.addTextChannel(channel, `read-${channel.slice(-2)}`);
    discord!.enforceLimits();
    // Each client alone would allow itself 50 a second: together, twice Discord's limit.
    const reads = Array.from({ length: 120 }, (_, index) => (index % 2 === 0 ? first : second).get(Routes.channelMessages(channels[index % channels.length]!)));
    await Promise.all(reads);
    const calls = discord!.callsTo(/^GET \/channels\/\d+\/messages$/);
    expect(calls).toHaveLength(120);
    expect(calls.filter((call) => call.refused)).toEqual([]);
    expect(discord!.callsDuringRetryAfter()).toEqual([]);
  });
});
