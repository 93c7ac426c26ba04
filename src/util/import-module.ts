import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODE_ROOT, PACKAGE_ROOT } from './package-root.ts';

const TYPESCRIPT = /\.(m|c)?tsx?$/;

/**
 * Imports a module of the user's project by file path; a failure says which file and why (`cannot import …`).
 *
 * When Switchboard runs compiled (npm start), a TypeScript file of its own (the example graphs
 * under src/graphs) is loaded from the compiled copy, so it shares modules with the running
 * server; any other TypeScript file (a project's own graphs, auth, app) makes tsx's loader
 * register on first use.
 */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  const target = compiledTwin(file) ?? file;
  try {
    if (TYPESCRIPT.test(target)) await ensureTypeScriptLoader();
    return (await import(pathToFileURL(target).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot import ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** The compiled copy of one of Switchboard's own TypeScript files, when running compiled and it exists. */
function compiledTwin(file: string): string | undefined {
  if (CODE_ROOT === PACKAGE_ROOT || !TYPESCRIPT.test(file)) return undefined;
  const inside = relative(PACKAGE_ROOT, file);
  if (inside.startsWith('..') || inside.split(sep)[0] === 'node_modules') return undefined;
  const twin = join(
    CODE_ROOT,
    inside.replace(TYPESCRIPT, (_, kind = '') => `.${kind}js`),
  );
  return existsSync(twin) ? twin : undefined;
}

let loaderReady: Promise<void> | undefined;

/**
 * Registers tsx's ESM loader, once, when no TypeScript loader is active (running compiled).
 * A probe file tells: a failed import is cached by Node, so the user's own file must not be
 * the one that finds out.
 */
function ensureTypeScriptLoader(): Promise<void> {
  loaderReady ??= import(pathToFileURL(join(PACKAGE_ROOT, 'src/util/typescript-probe.ts')).href).then(
    () => undefined,
    async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
      const { register } = await import('tsx/esm/api');
      register();
    },
  );
  return loaderReady;
}
