import { describeInterrupt, type PromptRecord } from '../../src/chat/prompts.ts';

/** The prompt record the chat layer stores for an interrupt value (see PromptFlow), with `extra` over it. */
export function promptRecordOf(value: unknown, extra: Partial<PromptRecord> = {}): PromptRecord {
  const described = describeInterrupt(value);
  return {
    id: 'p1',
    conversation: 'memory:w:c:t',
    place: { platform: 'memory', workspace: 'w', channel: 'c', thread: 't' },
    thread_id: 'th',
    assistant_id: 'as',
    run_id: 'r',
    interrupt_id: 'i',
    kind: described.kind,
    as_list: described.as_list,
    action: described.action,
    human: described.human,
    view: { promptId: 'p1', question: described.question, options: described.options, allowFreeText: described.allowFreeText },
    answerers: described.answerers ?? 'anyone',
    status: 'pending',
    created_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  };
}
