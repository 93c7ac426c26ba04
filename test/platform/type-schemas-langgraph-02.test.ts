import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { langgraphLineOf } from '../../src/platform/langgraph-line.ts';
import { TypeSchemaIndex } from '../../src/platform/type-schemas.ts';
import { makeTempDir } from '../helpers/tmp-dir.ts';

const PROJECT = resolve(import.meta.dirname, '../fixtures/langgraph-02-project');
const GRAPH = join(PROJECT, 'graph.ts');
// The repo's npm ci does not install a second LangGraph line: the project's own `npm install` does.
const installed = existsSync(join(PROJECT, 'node_modules/@langchain/langgraph/package.json'));
if (!installed) console.warn(`skipped: LangGraph 0.2 is not installed in ${PROJECT} (run npm install there to read its types)`);

describe('the schema reader asks each LangGraph line for its types the way that line declares them', () => {
  it('finds the line a module imports as Node resolves it: the nearest node_modules upward', () => {
    const temp = makeTempDir();
    try {
      const install = (folder: string, version: string) => {
        const dir = join(temp.dir, folder, 'node_modules/@langchain/langgraph');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@langchain/langgraph', version }));
      };
      install('', '1.7.3');
      install('old', '0.2.74');
      mkdirSync(join(temp.dir, 'old/src/deep'), { recursive: true });
      mkdirSync(join(temp.dir, 'new/src'), { recursive: true });
      expect(langgraphLineOf(join(temp.dir, 'old/src/deep/graph.ts'))).toBe('0.x');
      expect(langgraphLineOf(join(temp.dir, 'new/src/graph.ts'))).toBe('current');
      expect(langgraphLineOf('/graph.ts')).toBe('current');
    } finally {
      temp.cleanup();
    }
  });

  it.skipIf(!installed)('reads a LangGraph 0.2 graph: the config annotation, enums of string-literal unions, and its subgraph', { timeout: 60_000 }, async () => {
    for (const name of readdirSync(tmpdir())) if (name.startsWith('switchboard-type-schemas-')) rmSync(join(tmpdir(), name), { force: true });
    const source = { file: GRAPH, exportName: 'graph' };
    const schemas = await new TypeSchemaIndex(() => [source]).of(source);
    expect(Object.keys(schemas).sort()).toEqual(['', 'inner']);
    expect(schemas['']!.config).toMatchObject({ type: 'object', properties: { model_name: { type: 'string' } } });
    expect(schemas['']!.state).toMatchObject({
      properties: {
        messages: { type: 'array', items: { $ref: '#/definitions/BaseMessage' } },
        mood: { type: 'string', enum: ['calm', 'busy'] },
        count: { type: 'number' },
      },
    });
    expect(schemas.inner!.state).toMatchObject({ properties: { shift: { type: 'string', enum: ['day', 'night'] } } });
  });
});
