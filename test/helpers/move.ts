import { chatState } from '../../src/chat/state.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { GraphRegistry } from '../../src/engine/graphs.ts';
import { silentLogger } from '../../src/log.ts';
import type { Installation, InterruptRecord, MovableStorage, RunFeedback } from '../../src/storage/types.ts';
import { exampleGraphs, userMessage } from './engine.ts';
import { testGraphs } from './graphs.ts';

/** An engine on the given storage with the example and test graphs; stopping it closes the storage. */
/** A Slack workspace's installation as the OAuth install stores it (token sealed): moved as it is. */
export const SEEDED_INSTALLATION: Installation = {
  installation_id: 'slack:team:T1',
  platform: 'slack',
  team_id: 'T1',
  team_name: 'Acme',
  enterprise_id: null,
  is_enterprise_install: false,
  app_id: 'A1',
  bot_user_id: 'UBOT',
  bot_id: 'BBOT',
  scopes: ['chat:write'],
  bot_token_sealed: 'v1:key-id:iv:tag:sealed',
  installer_user_id: 'U1',
  installed_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
};

export async function engineOn(storage: MovableStorage): Promise<Engine> {
  const graphs = GraphRegistry.fromGraphs({ ...exampleGraphs, ...testGraphs }, { checkpointer: storage.checkpointer, store: storage.store });
  const engine = createEngine({ storage, graphs, log: silentLogger(), cronIntervalMs: 0 });
  await engine.start();
  return engine;
}

/** What `seedEverything` made, for checks on the other side of a move. */
export interface Seeded {
  assistantId: string;
  /** An approval thread waiting at its interrupt. */
  approvalThread: string;
  /** Two parallel questions, the first answered before the move: the second waits. */
  questionsThread: string;
  secondQuestion: InterruptRecord;
  conversationKey: string;
  /** When the store item `users/u1 prefs` was written. */
  storedAt: { createdAt: string; updatedAt: string };
  /** A vote on the finished nested thread's run. */
  vote: { threadId: string; runId: string; feedback: RunFeedback };
}

/**
 * One of every kind of record, made the way Switchboard makes them: an assistant with two
 * versions, interrupted threads (one with an answered and an unanswered interrupt, so
 * pending writes matter), a finished thread with a subgraph's checkpoints, a store item,
 * a cron, and chat records (a conversation chosen an assistant, an outbox item, a held and
 * a plain inbox key).
 */
export async function seedEverything(engine: Engine): Promise<Seeded> {
  const assistant = await engine.assistants.create({ graph_id: 'approval', name: 'reviewer', config: { configurable: { tone: 'dry' } } });
  await engine.assistants.update(assistant.assistant_id, { name: 'reviewer v2' });

  const approval = await engine.threads.create({ metadata: { team: 'ops' } });
  const first = await engine.runs.wait(approval.thread_id, { assistant_id: assistant.assistant_id, input: userMessage('deploy v2') });
  if (first.outcome.status !== 'interrupted') throw new Error(`seeding: approval ended ${first.outcome.status}`);

  const questions = await engine.threads.create();
  const asked = await engine.runs.wait(questions.thread_id, { assistant_id: 'questions', input: { topics: ['cost', 'risk'] } });
  const [cost, risk] = asked.outcome.interrupts as [InterruptRecord, InterruptRecord];
  const answered = await engine.runs.wait(questions.thread_id, { assistant_id: 'questions', command: { resume: { [cost.id]: 'low' } } });
  if (answered.outcome.status !== 'interrupted') throw new Error(`seeding: one answer ended ${answered.outcome.status}`);

  const nested = await engine.threads.create();
  const finished = await engine.runs.wait(nested.thread_id, { assistant_id: 'nested', input: {} });
  const { feedback } = await engine.feedback.record(nested.thread_id, finished.run.run_id, { score: 1, user: 'slack:T1:U1' });

  await engine.storage.store.put(['users', 'u1'], 'prefs', { color: 'blue' });
  await engine.storage.store.put(['users', 'u1', 'notes'], 'n1', { text: 'nested namespace' });
  const item = await engine.storage.store.get(['users', 'u1'], 'prefs');
  const storedAt = { createdAt: new Date(item!.createdAt).toISOString(), updatedAt: new Date(item!.updatedAt).toISOString() };
  await engine.crons.create(null, { assistant_id: 'approval', schedule: '0 9 * * 1', input: userMessage('weekly') });
  await engine.storage.installations.put(SEEDED_INSTALLATION);

  const chat = chatState(engine.storage.chat);
  const conversationKey = 'slack:T1:C1:1700000000.000100';
  const place = { platform: 'slack', workspace: 'T1', channel: 'C1', thread: '1700000000.000100' };
  await chat.conversations.put(conversationKey, {
    key: conversationKey,
    place,
    thread_id: approval.thread_id,
    assistant: assistant.assistant_id,
    created_at: new Date().toISOString(),
  } as never);
  await chat.outbox.put('out-1', { id: 'out-1', kind: 'send', place, message: { text: 'queued reply' } } as never);
  await chat.inbox.accept('event:Ev1', 86_400_000, { owner: 'local', message: { text: 'held while moving' } } as never);
  await chat.inbox.accept('event:Ev2', 86_400_000);
  return {
    assistantId: assistant.assistant_id,
    approvalThread: approval.thread_id,
    questionsThread: questions.thread_id,
    secondQuestion: risk,
    conversationKey,
    storedAt,
    vote: { threadId: nested.thread_id, runId: finished.run.run_id, feedback },
  };
}
