import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/load.ts';
import { createEngine, type Engine } from '../../src/engine/engine.ts';
import { GraphRegistry } from '../../src/engine/graphs.ts';
import { silentLogger } from '../../src/log.ts';
import { openFilesStorage } from '../../src/storage/files/index.ts';
import { userMessage } from '../helpers/engine.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const fixture = (name: string) => resolve(import.meta.dirname, '../fixtures/graphs', name);

describe('graphs from modules', () => {
  let engine: Engine | undefined;
  let cleanup: (() => void) | undefined;
  afterEach(async () => {
    await engine?.stop();
    cleanup?.();
  });

  it('loads a compiled graph, a StateGraph to compile and a factory called with each run config', async () => {
    const registry = await GraphRegistry.load(
      {
        factory: { graphId: 'factory', file: fixture('factory.ts'), exportName: 'makeGraph', spec: 'factory.ts:makeGraph' },
        builder: { graphId: 'builder', file: fixture('builder.ts'), exportName: 'default', spec: 'builder.ts' },
        chat: { graphId: 'chat', file: resolve(import.meta.dirname, '../../src/graphs/chat.ts'), exportName: 'graph', spec: 'chat.ts:graph' },
      },
      { configFile: 'test' },
    );
    expect(registry.ids()).toEqual(['factory', 'builder', 'chat']);
    const temp = makeTempDir();
    cleanup = temp.cleanup;
    const storage = await openFilesStorage(temp.dir);
    engine = createEngine({ storage, graphs: registry.attach(storage), log: silentLogger() });
    await engine.start();
    const last = (values: Record<string, unknown> | null) => (values!.messages as Array<{ content: string }>).at(-1)!.content;
    const built = await engine.runs.wait(null, { assistant_id: 'factory', input: userMessage('x'), config: { configurable: { flavour: 'mint' } } });
    expect(last(built.outcome.values)).toBe('built for mint');
    const compiled = await engine.runs.wait(null, { assistant_id: 'builder', input: userMessage('x') });
    expect(last(compiled.outcome.values)).toBe('compiled by the registry');
  });

  it('reports every graph that cannot be loaded, with its key', async () => {
    const failure = await GraphRegistry.load(
      {
        missing: { graphId: 'missing', file: fixture('builder.ts'), exportName: 'nothingHere', spec: 'builder.ts:nothingHere' },
        notAGraph: { graphId: 'notAGraph', file: fixture('factory.ts'), exportName: 'default', spec: 'factory.ts' },
      },
      { configFile: 'cfg.yaml' },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    const problems = (failure as ConfigError).problems;
    expect(problems.map((problem) => problem.key)).toEqual(['graphs.missing', 'graphs.notAGraph']);
    expect(problems[0]!.message).toContain('has no export "nothingHere"');
  });
});
