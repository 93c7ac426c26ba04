import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

/** An interrupt that declares a form: one line, several lines (optional), one of a list. */
export const TRIP_FORM = {
  question: 'Book the trip?',
  fields: [
    { name: 'city', label: 'City', type: 'text' },
    { name: 'notes', label: 'Notes', type: 'textarea', required: false },
    { name: 'class', label: 'Class', type: 'select', options: ['economy', { label: 'Business class', value: 'business' }] },
  ],
};

/** A form of six fields: more than a Discord modal holds (5). */
export const SURVEY_FORM = {
  question: 'Tell us about the launch',
  fields: ['date', 'owner', 'budget', 'risks', 'channel', 'notes'].map((name) => ({
    name,
    label: name[0]!.toUpperCase() + name.slice(1),
    type: 'text',
    required: name !== 'notes',
  })),
};

/**
 * Switchboard config for the form tests: the approval graph (its Edit opens a form), an
 * asker that interrupts with TRIP_FORM and says what it got, and an Agent Inbox graph
 * (HumanInterrupt with accept / edit / respond / ignore, asked in a list).
 */
export function formsConfig(chat: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    graphs: {
      approval: join(ROOT, 'src/graphs/approval.ts:graph'),
      asker: join(ROOT, 'test/helpers/graphs.ts:askerGraph'),
      inbox: join(ROOT, 'test/helpers/graphs.ts:humanReviewGraph'),
    },
    assistants: [
      { name: 'approver', graph: 'approval' },
      { name: 'trip', graph: 'asker', config: { configurable: { ask: TRIP_FORM } } },
      { name: 'inbox', graph: 'inbox' },
      { name: 'survey', graph: 'asker', config: { configurable: { ask: SURVEY_FORM } } },
    ],
    chat: { assistant: 'trip', ...chat },
  };
}
