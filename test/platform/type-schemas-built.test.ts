import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TypeSchemaIndex } from '../../src/platform/type-schemas.ts';
// @ts-expect-error: the build script is plain JavaScript without declarations
import { build } from '../../scripts/build.mjs';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/typed-graphs/typed.ts');

/**
 * `npm start` runs the compiled build (dist/<key>/), not the TypeScript: the schema reader's
 * worker must be found there too, or every graph silently falls back to run-time schemas
 * (no config schema, no enums) on a real install while the tests under tsx stay green.
 */
describe('typed schemas in the compiled build that npm start runs', () => {
  it("reads a graph's config annotation and enums through the compiled worker", async () => {
    const out = (await build()) as string;
    const { TypeSchemaIndex: Compiled } = (await import(pathToFileURL(join(out, 'src/platform/type-schemas.js')).href)) as {
      TypeSchemaIndex: typeof TypeSchemaIndex;
    };
    // A fresh read, not one cached in the temp folder by an earlier run.
    for (const name of readdirSync(tmpdir())) if (name.startsWith('switchboard-type-schemas-')) rmSync(join(tmpdir(), name), { force: true });
    const schemas = await new Compiled(() => [{ file: FIXTURE, exportName: 'graph' }]).of({ file: FIXTURE, exportName: 'graph' });
    expect(schemas['']?.config).toMatchObject({ type: 'object', properties: { model_name: { type: 'string' } } });
    expect(schemas['']?.state).toMatchObject({ properties: { mood: { type: 'string', enum: ['calm', 'busy'] } } });
  }, 120_000);
});
