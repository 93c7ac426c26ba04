import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TypeSchemaIndex } from '../../src/platform/type-schemas.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/typed-graphs/typed.ts');

describe("a graph's schemas read from its TypeScript types, as the LangGraph JS server reports them", () => {
  it('gives property types, string-literal unions as enums, the config annotation, messages as BaseMessage definitions, and subgraphs by path', async () => {
    // A fresh read, not a cached one (the cache file is keyed by the module's path and mtime).
    for (const name of readdirSync(tmpdir())) if (name.startsWith('switchboard-type-schemas-')) rmSync(join(tmpdir(), name), { force: true });
    const index = new TypeSchemaIndex(() => [{ file: FIXTURE, exportName: 'graph' }]);
    const schemas = await index.of({ file: FIXTURE, exportName: 'graph' });
    expect(Object.keys(schemas).sort()).toEqual(['', 'inner']);
    const root = schemas['']!;
    expect(root.config).toEqual({
      type: 'object',
      properties: { model_name: { type: 'string' }, verbose: { type: 'boolean' } },
      required: ['model_name', 'verbose'],
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
    expect(root.state).toMatchObject({
      type: 'object',
      properties: {
        messages: { type: 'array', items: { $ref: '#/definitions/BaseMessage' } },
        priority: { anyOf: [{ type: 'null' }, { type: 'number' }] },
        mood: { type: 'string', enum: ['calm', 'busy'] },
        notes: { type: 'array', items: { type: 'string' } },
      },
      $schema: 'http://json-schema.org/draft-07/schema#',
    });
    const definitions = (root.state as { definitions: Record<string, { oneOf?: unknown[] }> }).definitions;
    expect(definitions.BaseMessage!.oneOf).toEqual(
      ['BaseMessageChunk', 'ToolMessage', 'AIMessage', 'ChatMessage', 'FunctionMessage', 'HumanMessage', 'SystemMessage', 'RemoveMessage'].map((name) => ({
        $ref: `#/definitions/${name}`,
      })),
    );
    expect(definitions.HumanMessage).toMatchObject({ type: 'object', properties: { type: { const: 'human' } } });
    expect(schemas.inner!.state).toMatchObject({ properties: { mood: { type: 'string', enum: ['calm', 'busy'] }, notes: { type: 'array' } } });
    expect((schemas.inner!.state as { properties: Record<string, unknown> }).properties).not.toHaveProperty('messages');

    // A second index (a restart) answers from the cache, the same.
    const again = await new TypeSchemaIndex(() => [{ file: FIXTURE, exportName: 'graph' }]).of({ file: FIXTURE, exportName: 'graph' });
    expect(again).toEqual(schemas);
  }, 180_000);

  it('gives nothing (so the run-time schemas stay) for a module that is not there or exports no graph', async () => {
    const missing = { file: resolve(import.meta.dirname, '../fixtures/typed-graphs/none.ts'), exportName: 'graph' };
    const wrongExport = { file: FIXTURE, exportName: 'nothing' };
    const index = new TypeSchemaIndex(() => [missing, wrongExport]);
    expect(await index.of(missing)).toEqual({});
    expect(await index.of(wrongExport)).toEqual({});
  }, 60_000);
});
