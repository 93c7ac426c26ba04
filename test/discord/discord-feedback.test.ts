import { describe, expect, it } from 'vitest';
import { parseFeedbackActionId } from '../../src/chat/feedback.ts';
import { componentProblems } from '../fakes/discord-components.ts';
import { eventually } from '../helpers/chat.ts';
import { GENERAL, useDiscordHarness } from '../helpers/discord.ts';

describe('Discord: 👍/👎 on answers, through the real discord.js client', () => {
  const h = useDiscordHarness();

  it("an answer's last message carries valid 👍/👎 buttons; a click is stored with the run under the clicker's identity, one vote per person", async () => {
    await h.start();
    h.discord.userMessage({ channel: GENERAL, user: 'ana', content: 'rate this answer', mention: true });
    await eventually(() => expect(h.discord.botMessages(GENERAL).at(-1)?.components.length ?? 0).toBeGreaterThan(0), 10_000);
    await h.t.sb.chat.idle();
    const answer = h.discord.botMessages(GENERAL).at(-1)!;
    expect(answer.content).toContain('You said: "rate this answer"');
    expect(componentProblems(answer.components)).toEqual([]);
    const buttons = (answer.components as Array<{ components: Array<{ custom_id: string; emoji: { name: string } }> }>)[0]!.components;
    expect(buttons.map((button) => button.emoji.name)).toEqual(['👍', '👎']);
    const conversation = await h.t.sb.chat.conversations.find({ platform: 'discord', workspace: h.discord.guildId, channel: GENERAL, thread: GENERAL });
    const [run] = await h.t.sb.engine.runs.list(conversation!.thread_id);
    expect(parseFeedbackActionId(buttons[0]!.custom_id)).toEqual({ threadId: conversation!.thread_id, runId: run!.run_id, vote: 'up' });

    const up = h.discord.click({ message: answer.id, customId: buttons[0]!.custom_id, user: 'ana' });
    await eventually(() => expect(up.followups.map((followup) => followup.content)).toEqual(['Thanks for the feedback (👍).']));
    // Acknowledged at once without changing the message (deferred update), answered privately.
    expect(up.callbacks[0]!.type).toBe(6);
    expect(up.followups[0]!.flags).toBe(64);
    const down = h.discord.click({ message: answer.id, customId: buttons[1]!.custom_id, user: 'ana' });
    await eventually(() => expect(down.followups.map((followup) => followup.content)).toEqual(['Changed your vote to 👎.']));
    h.discord.click({ message: answer.id, customId: buttons[0]!.custom_id, user: 'bo' });
    const response = await eventually(async () => {
      const listed = (await (await fetch(`${h.t.url}/threads/${conversation!.thread_id}/runs/${run!.run_id}/feedback`)).json()) as Array<{ user: string; score: number }>;
      expect(listed).toHaveLength(2);
      return listed;
    });
    expect(response.map((vote) => [vote.user, vote.score])).toEqual([
      [`discord:${h.discord.userId('ana')}`, 0],
      [`discord:${h.discord.userId('bo')}`, 1],
    ]);
  });
});
