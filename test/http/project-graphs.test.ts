import { join, resolve } from 'node:path';
import { Client } from '@langchain/langgraph-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAssistantId } from '../../src/engine/assistants.ts';
import { runTs, type Child } from '../helpers/child.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe("a user's own LangGraph project", () => {
  const children: Child[] = [];
  const temps: Array<{ cleanup: () => void }> = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.process.kill('SIGKILL');
    for (const temp of temps.splice(0)) temp.cleanup();
  });

  it("SWITCHBOARD_CONFIG=langgraph.json serves that project's graphs, each with a default assistant, to the SDK", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const child = runTs(join(ROOT, 'src/cli.ts'), ['start'], {
      SWITCHBOARD_CONFIG: join(ROOT, 'test/fixtures/project/langgraph.json'),
      SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'),
      PORT: '0',
    });
    children.push(child);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await child.waitFor(/Switchboard is running at/, 30_000))![1]!;
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const assistants = await client.assistants.search({ graphId: 'agent' });
    expect(assistants.map((assistant) => assistant.assistant_id)).toEqual([defaultAssistantId('agent')]);
    const values = (await client.runs.wait(null, 'agent', { input: { messages: [{ role: 'user', content: 'Ana' }] } })) as {
      messages: Array<{ content: string }>;
    };
    expect(values.messages.at(-1)!.content).toBe('Bonjour, Ana!');
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);

  it("gives graphs the Platform's runtime: getLogger() writes through our log with the run's ids, LANGGRAPH_CONFIG configures the default assistant", async () => {
    const temp = makeTempDir();
    temps.push(temp);
    const child = runTs(join(ROOT, 'src/cli.ts'), ['start'], {
      SWITCHBOARD_CONFIG: join(ROOT, 'test/fixtures/project/langgraph.json'),
      SWITCHBOARD_DATA_DIR: join(temp.dir, 'data'),
      PORT: '0',
      LOG_LEVEL: 'info',
      LANGGRAPH_CONFIG: JSON.stringify({ agent: { configurable: { greeting: 'Hola' } }, elsewhere: { configurable: {} } }),
    });
    children.push(child);
    const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(await child.waitFor(/Switchboard is running at/, 30_000))![1]!;
    const client = new Client({ apiUrl: url, apiKey: null, callerOptions: { maxRetries: 0 } });
    const assistant = await client.assistants.get(defaultAssistantId('agent'));
    expect(assistant.config.configurable).toEqual({ greeting: 'Hola' });
    const thread = await client.threads.create();
    const values = (await client.runs.wait(thread.thread_id, 'agent', { input: { messages: [{ role: 'user', content: 'Ana' }] } })) as {
      messages: Array<{ content: string }>;
    };
    expect(values.messages.at(-1)!.content).toBe('Hola, Ana!');
    const line = JSON.parse(await child.waitFor(/greeting someone/, 5_000)) as Record<string, unknown>;
    expect(line).toMatchObject({ msg: 'greeting someone', who: 'Ana', thread_id: thread.thread_id, graph_id: 'agent' });
    expect(line.run_id).toEqual(expect.any(String));
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  }, 40_000);
});
