import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { invalidInput } from '../../errors.ts';
import { type BackendSpec, describeBackend, openBackend, parseBackend } from './backends.ts';
import { checkExportPath, exportTo } from './export.ts';
import { describeCounts } from './format.ts';
import { importFrom } from './import.ts';

/** What a command prints, injected so tests read it. */
export type Say = (line: string) => void;

export const MOVE_USAGE = `  switchboard export <file> [--from <backend>]
  switchboard import <file> [--to <backend>] [--merge]
  switchboard migrate --from <backend> --to <backend> [--merge]

  <backend>: files (the configured data folder), files:<dir>, or a postgres:// URL
  (schema: DATABASE_SCHEMA, default "switchboard"); left out: the configured storage.
  --merge: import into a target that holds records; where both have a key, the target's record stays.
`;

/** `switchboard export <file>`: every record of a backend into one file. */
export async function exportCommand(args: string[], say: Say): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' } });
  const file = onePath(positionals, 'export');
  const from = parseBackend(values.from as string | undefined);
  checkExportPath(file);
  const started = performance.now();
  const header = await withBackend(source(from), (storage) => exportTo(storage, file));
  say(`exported ${describeCounts(header.counts)} from ${describeBackend(from)} to ${file} in ${seconds(started)}`);
  return 0;
}

/** `switchboard import <file>`: an export into a backend, checked by counts. */
export async function importCommand(args: string[], say: Say): Promise<number> {
  const { values, positionals } = parse(args, { to: { type: 'string' }, merge: { type: 'boolean' } });
  const file = onePath(positionals, 'import');
  const to = parseBackend(values.to as string | undefined);
  await importInto(to, file, values.merge === true, say);
  return 0;
}

/** `switchboard migrate --from <backend> --to <backend>`: an export through a temporary file, then its import. */
export async function moveCommand(args: string[], say: Say): Promise<number> {
  const { values } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, merge: { type: 'boolean' } });
  if (values.from === undefined || values.to === undefined) throw invalidInput('switchboard migrate needs both --from and --to (or neither, to apply PostgreSQL migrations)');
  const from = parseBackend(values.from as string);
  const to = parseBackend(values.to as string);
  if (JSON.stringify(from) === JSON.stringify(to)) throw invalidInput(`--from and --to both name ${describeBackend(from)}`);
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-move-'));
  const file = join(dir, 'export.jsonl');
  const started = performance.now();
  const header = await withBackend(source(from), (storage) => exportTo(storage, file));
  say(`read ${describeCounts(header.counts)} from ${describeBackend(from)} in ${seconds(started)}`);
  try {
    await importInto(to, file, values.merge === true, say);
  } catch (error) {
    // The export is kept: the source is untouched, and the file can be imported by hand.
    say(`the export is kept at ${file} (switchboard import ${file} --to … --merge completes a partial import)`);
    throw error;
  }
  rmSync(dir, { recursive: true, force: true });
  say(`moved in ${seconds(started)}`);
  return 0;
}

export const isMoveInvocation = (args: string[]): boolean => args.some((arg) => arg === '--from' || arg === '--to' || arg.startsWith('--from=') || arg.startsWith('--to='));

async function importInto(to: BackendSpec, file: string, merge: boolean, say: Say) {
  // Checked before the target is opened, which would create an empty data folder or schema.
  if (!existsSync(file)) throw invalidInput(`${file} not found: name an export written by switchboard export`);
  const started = performance.now();
  const summary = await withBackend(to, (target) => importFrom(target, file, { merge }));
  say(`imported ${describeCounts(summary.stored)} into ${describeBackend(to)} in ${seconds(started)}; counts verified`);
  if (Object.values(summary.skipped).some((count) => count > 0)) say(`kept the target's own records for ${describeCounts(summary.skipped)}`);
}

/** A backend to read from: a data folder that is not there is a mistyped path, not an empty source. */
function source(spec: BackendSpec): BackendSpec {
  if (spec.kind === 'files' && !existsSync(spec.dir)) throw invalidInput(`no data folder at ${spec.dir}`);
  return spec;
}

async function withBackend<T>(spec: BackendSpec, use: (storage: Awaited<ReturnType<typeof openBackend>>) => Promise<T>): Promise<T> {
  const storage = await openBackend(spec);
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw invalidInput(`${(error as Error).message}\n\nusage:\n${MOVE_USAGE}`);
  }
}

function onePath(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw invalidInput(`switchboard ${command} needs one file name\n\nusage:\n${MOVE_USAGE}`);
  return positionals[0]!;
}

const seconds = (started: number) => `${((performance.now() - started) / 1000).toFixed(2)} s`;
