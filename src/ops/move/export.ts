import { createReadStream, createWriteStream, existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { invalidInput } from '../../errors.ts';
import type { MovableStorage } from '../../storage/types.ts';
import { FORMAT, FORMAT_VERSION, countRecord, type Counts, type Header, zeroCounts } from './format.ts';
import { walkRecords } from './walk.ts';

/**
 * Writes every record of `source` to `path` as an export (see format.ts). The records go
 * to `<path>.part` first, counted on the way, then the header and the records are
 * written to `path`: memory holds one thread at a time, and a crash leaves no file that
 * looks complete. Refuses to overwrite a file.
 */
export async function exportTo(source: MovableStorage, path: string): Promise<Header> {
  checkExportPath(path);
  const body = `${path}.part`;
  try {
    const header = await writeBody(source, body);
    const out = createWriteStream(path, { flags: 'wx' });
    out.write(`${JSON.stringify(header)}\n`);
    await pipeline(createReadStream(body), out);
    return header;
  } finally {
    rmSync(body, { force: true });
  }
}

/** An export goes to a new file in a folder that exists: checked before a backend is opened. */
export function checkExportPath(path: string): void {
  if (existsSync(path)) throw invalidInput(`${path} exists: choose another file, or remove it first`);
  if (!existsSync(dirname(path))) throw invalidInput(`cannot write ${path}: ${dirname(path)} does not exist`);
}

async function writeBody(source: MovableStorage, path: string): Promise<Header> {
  const counts: Counts = zeroCounts();
  const out = createWriteStream(path);
  const failed = once(out, 'error').then(([error]) => Promise.reject(error));
  failed.catch(() => undefined);
  for await (const record of walkRecords(source)) {
    countRecord(counts, record);
    if (!out.write(`${JSON.stringify(record)}\n`)) await Promise.race([once(out, 'drain'), failed]);
  }
  await Promise.race([closed(out), failed]);
  return { format: FORMAT, version: FORMAT_VERSION, exported_at: new Date().toISOString(), source: source.kind, counts };
}

const closed = (stream: Writable) => new Promise<void>((resolve) => stream.end(resolve));
