import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configAssistantId, defaultAssistantId } from '../../src/engine/assistants.ts';
import { isSwitchboardError } from '../../src/errors.ts';
import { startTestEngine, type TestEngine } from '../helpers/engine.ts';

describe('assistants', () => {
  let engine: TestEngine;
  beforeEach(async () => {
    engine = await startTestEngine({
      assistants: [
        { name: 'blog', graph: 'writer', config: { configurable: { style: 'blog' } } },
        { name: 'tweet', graph: 'writer', config: { configurable: { style: 'tweet', max_chars: 280 } }, metadata: { team: 'social' } },
      ],
    });
  });
  afterEach(async () => engine.dispose());

  it('gives every graph a default assistant whose id is the uuid5 of the graph id, as the Platform does', async () => {
    const assistant = await engine.assistants.get(defaultAssistantId('chat'));
    expect(assistant).toMatchObject({ graph_id: 'chat', name: 'chat', version: 1, metadata: { created_by: 'system' } });
    // The Platform's well-known value for a graph named "agent".
    expect(defaultAssistantId('agent')).toBe('fe096781-5601-53d2-b2f6-0d3403f7e9ca');
  });

  it('accepts a graph id wherever an assistant id is expected', async () => {
    const byGraph = await engine.assistants.get('writer');
    expect(byGraph.assistant_id).toBe(defaultAssistantId('writer'));
  });

  it('creates the config assistants with stable ids and their configuration', async () => {
    const tweet = await engine.assistants.get(configAssistantId('tweet'));
    expect(tweet).toMatchObject({ name: 'tweet', graph_id: 'writer', config: { configurable: { style: 'tweet', max_chars: 280 } } });
    expect(tweet.metadata).toMatchObject({ team: 'social', created_by: 'config' });
  });

  it('makes every update a new version and can point latest back at an older one', async () => {
    const created = await engine.assistants.create({ graph_id: 'chat', name: 'helper', config: { configurable: { tone: 'dry' } } });
    const updated = await engine.assistants.update(created.assistant_id, { config: { configurable: { tone: 'warm' } }, metadata: { owner: 'ana' } });
    expect(updated.version).toBe(2);
    expect(updated.config.configurable).toEqual({ tone: 'warm' });
    const versions = await engine.assistants.versions(created.assistant_id);
    expect(versions.map((version) => version.version)).toEqual([2, 1]);
    expect(versions[1]!.config.configurable).toEqual({ tone: 'dry' });

    const restored = await engine.assistants.setLatest(created.assistant_id, 1);
    expect(restored).toMatchObject({ version: 1, config: { configurable: { tone: 'dry' } } });
    expect((await engine.assistants.get(created.assistant_id)).version).toBe(1);
  });

  it('searches and counts by graph, metadata and name', async () => {
    await engine.assistants.create({ graph_id: 'chat', name: 'Support Bot', metadata: { team: 'support' } });
    const writers = await engine.assistants.search({ graph_id: 'writer', limit: 100 });
    expect(writers.items.map((assistant) => assistant.name).sort()).toEqual(['blog', 'tweet', 'writer']);
    const social = await engine.assistants.search({ metadata: { team: 'social' } });
    expect(social.items.map((assistant) => assistant.name)).toEqual(['tweet']);
    const byName = await engine.assistants.search({ name: 'support' });
    expect(byName.total).toBe(1);
    expect(await engine.assistants.count({ graph_id: 'writer' })).toBe(3);
    expect(await engine.assistants.count({ metadata: { team: 'support' } })).toBe(1);
    const page = await engine.assistants.search({ limit: 2, offset: 0 });
    expect(page.items).toHaveLength(2);
    expect(page.total).toBeGreaterThan(2);
  });

  it('refuses an assistant for an unknown graph and a duplicate id, and deletes', async () => {
    await expect(engine.assistants.create({ graph_id: 'nope' })).rejects.toSatisfy((error) => isSwitchboardError(error, 'invalid_input'));
    const created = await engine.assistants.create({ graph_id: 'chat', name: 'x' });
    await expect(engine.assistants.create({ graph_id: 'chat', assistant_id: created.assistant_id })).rejects.toSatisfy((error) => isSwitchboardError(error, 'conflict'));
    const same = await engine.assistants.create({ graph_id: 'chat', assistant_id: created.assistant_id, if_exists: 'do_nothing' });
    expect(same.assistant_id).toBe(created.assistant_id);
    await engine.assistants.delete(created.assistant_id);
    await expect(engine.assistants.get(created.assistant_id)).rejects.toSatisfy((error) => isSwitchboardError(error, 'not_found'));
  });

  it('turns a changed config assistant into a new version at the next start, and leaves an unchanged one alone', async () => {
    const dataDir = engine.dataDir;
    await engine.stop();
    const restarted = await startTestEngine({
      dataDir,
      assistants: [
        { name: 'blog', graph: 'writer', config: { configurable: { style: 'blog' } } },
        { name: 'tweet', graph: 'writer', config: { configurable: { style: 'tweet', max_chars: 200 } }, metadata: { team: 'social' } },
      ],
    });
    try {
      const tweet = await restarted.assistants.get(configAssistantId('tweet'));
      expect(tweet.version).toBe(2);
      expect(tweet.config.configurable).toEqual({ style: 'tweet', max_chars: 200 });
      expect((await restarted.assistants.get(configAssistantId('blog'))).version).toBe(1);
    } finally {
      await restarted.dispose();
    }
  });
});
