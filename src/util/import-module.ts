import { pathToFileURL } from 'node:url';

/** Imports a module of the user's project by file path; a failure says which file and why (`cannot import …`). */
export async function importModule(file: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot import ${file}: ${(error as Error).message}`, { cause: error });
  }
}
