import { Hono } from 'hono';
import { z } from 'zod';
import type { ChatHost, ChatUser, Place } from '../../src/chat/types.ts';
import { readBody } from '../../src/http/validate.ts';

export interface FormRouteDeps {
  chat: () => ChatHost;
  channelOrFail: (name: string) => string;
  threadOrFail: (channel: string, thread: string) => string;
  placeOf: (channel: string, thread: string | undefined) => Place;
  privately: (to: string, channel: string, thread: string | null) => (markdown: string) => Promise<void>;
  userName: z.ZodType<string>;
}

/**
 * The playground's forms: `POST /playground/api/forms/open` gives the form an option opens
 * (or tells the person privately why not, and says `refused`); `POST /playground/api/forms`
 * sends it filled in (the text of each field, by position) and answers with the verdict:
 * `invalid` with each field's error (the page keeps what was typed), `refused` (said
 * privately too), or `accepted` once the run has resumed.
 */
export function playgroundFormRoutes(deps: FormRouteDeps): Hono {
  const target = z.strictObject({ user: deps.userName, channel: z.string().min(1), thread: z.string().min(1), promptId: z.string().min(1), optionIndex: z.number().int().min(0) });
  const filled = target.extend({ values: z.array(z.string().max(20_000).nullable()).max(100) });
  const routes = new Hono();
  const where = (body: z.infer<typeof target>) => {
    const channel = deps.channelOrFail(body.channel);
    const thread = deps.threadOrFail(channel, body.thread);
    const user: ChatUser = { id: body.user, name: body.user };
    return { place: deps.placeOf(channel, thread), user, privately: deps.privately(user.id, channel, thread) };
  };

  routes.post('/playground/api/forms/open', async (c) => {
    const body = await readBody(c, target);
    const { place, user, privately } = where(body);
    const opening = await deps.chat().openForm({ place, user, promptId: body.promptId, optionIndex: body.optionIndex });
    if ('refused' in opening) {
      await privately(opening.refused);
      return c.json({ refused: opening.refused });
    }
    return c.json({ form: opening.form });
  });

  routes.post('/playground/api/forms', async (c) => {
    const body = await readBody(c, filled);
    const { place, user, privately } = where(body);
    const verdict = await deps.chat().submitForm({
      place,
      user,
      promptId: body.promptId,
      optionIndex: body.optionIndex,
      values: body.values.map((value) => value ?? undefined),
      replyPrivately: privately,
    });
    if (verdict.status === 'invalid') return c.json({ status: 'invalid', errors: verdict.errors });
    if (verdict.status === 'refused') {
      await privately(verdict.message);
      return c.json({ status: 'refused', message: verdict.message });
    }
    await verdict.done;
    return c.json({ status: 'accepted' });
  });
  return routes;
}
