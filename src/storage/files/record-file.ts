import type { JsonFiles } from './json-files.ts';

/**
 * A lowdb document of records by id (`{ "<collection>": { "<id>": record } }`), read once.
 * Ids are keys of Maps, never of plain objects, so "__proto__" or "toString" is an id like
 * any other. A change is written (atomically) before memory takes it: a write that fails
 * leaves memory as the file is. Changes are synchronous, so a check and the change it
 * decides are never split by another caller (compare-and-set).
 */
export class RecordFile<Doc extends Record<string, unknown>> {
  readonly #files: JsonFiles;
  readonly #path: string;
  #data: { [K in keyof Doc]: Map<string, Doc[K]> };

  private constructor(files: JsonFiles, path: string, data: { [K in keyof Doc]: Map<string, Doc[K]> }) {
    this.#files = files;
    this.#path = path;
    this.#data = data;
  }

  static async open<Doc extends Record<string, unknown>>(files: JsonFiles, path: string, collections: ReadonlyArray<keyof Doc & string>): Promise<RecordFile<Doc>> {
    const stored = (await files.read<Record<string, Record<string, unknown>>>(path)) ?? {};
    const data = Object.fromEntries(collections.map((name) => [name, new Map(Object.entries(Object.hasOwn(stored, name) ? (stored[name] ?? {}) : {}))]));
    return new RecordFile<Doc>(files, path, data as { [K in keyof Doc]: Map<string, Doc[K]> });
  }

  /** The records as they are (shared: callers copy what they hand out). */
  get data(): { readonly [K in keyof Doc]: ReadonlyMap<string, Doc[K]> } {
    return this.#data;
  }

  /** Writes the document with `changes` applied (a record, or null to remove it), then makes it current. */
  change(changes: { [K in keyof Doc]?: Array<[string, Doc[K] | null]> }): void {
    const next = { ...this.#data };
    for (const name of Object.keys(changes) as Array<keyof Doc>) {
      const map = new Map(this.#data[name]);
      for (const [id, record] of changes[name] ?? []) {
        if (record === null) map.delete(id);
        else map.set(id, structuredClone(record));
      }
      next[name] = map;
    }
    this.#files.writeNow(this.#path, Object.fromEntries(Object.entries(next).map(([name, map]) => [name, Object.fromEntries(map as Map<string, unknown>)])));
    this.#data = next;
  }
}
