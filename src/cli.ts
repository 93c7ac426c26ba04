import { ConfigError, loadConfig } from './config/load.ts';
import { isSwitchboardError } from './errors.ts';
import { exportCommand, importCommand, isMoveInvocation, MOVE_USAGE, moveCommand } from './ops/move/commands.ts';
import { Db } from './storage/postgres/db.ts';
import { MIGRATIONS, migrate } from './storage/postgres/migrations.ts';

/**
 * `switchboard start` (the default): start on the config from SWITCHBOARD_CONFIG or
 * config/switchboard.yaml. A bad config exits with code 2 and a list of every problem.
 * `switchboard migrate`: apply PostgreSQL migrations by hand (start applies them too).
 * `switchboard export`, `import`, `migrate --from … --to …`: move every record between backends.
 */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(
      `usage: switchboard [start | migrate]\n${MOVE_USAGE}\nEnvironment: SWITCHBOARD_CONFIG, SWITCHBOARD_DATA_DIR, DATABASE_URL, DATABASE_SCHEMA, HOST, PORT, LOG_LEVEL\n`,
    );
    return 0;
  }
  if (!['start', 'migrate', 'export', 'import'].includes(command)) {
    process.stderr.write(`unknown command "${command}"; try: switchboard start, migrate, export or import (switchboard help)\n`);
    return 2;
  }
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const args = argv.slice(1);
  try {
    if (command === 'export') return await exportCommand(args, say);
    if (command === 'import') return await importCommand(args, say);
    if (command === 'migrate') return isMoveInvocation(args) ? await moveCommand(args, say) : await migrateCommand();
    // Loaded here, not at the top: the other commands start without the platforms' libraries.
    const { startSwitchboard } = await import('./main.ts');
    const app = await startSwitchboard();
    process.stdout.write(`Switchboard is running at ${app.server.url}  (GET ${app.server.url}/ok)\n`);
    if (app.platform('web')) process.stdout.write(`Playground: open ${app.server.url}/ in a browser\n`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${signal}: stopping…\n`);
      await app.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    return -1;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (isSwitchboardError(error)) {
      process.stderr.write(`switchboard: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

async function migrateCommand(): Promise<number> {
  const { storage } = loadConfig();
  if (storage.kind !== 'postgres') {
    process.stderr.write('switchboard migrate: storage is lowdb (files need no migrations); set DATABASE_URL or storage.kind: postgres\n');
    return 2;
  }
  const db = new Db({ url: storage.url, schema: storage.schema, poolSize: 1 });
  try {
    const applied = await migrate(db);
    const newest = Math.max(...MIGRATIONS.map((migration) => migration.version));
    process.stdout.write(
      applied.length > 0
        ? `applied migrations ${applied.join(', ')}; schema "${storage.schema}" is at version ${newest}\n`
        : `schema "${storage.schema}" is up to date (version ${newest})\n`,
    );
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`switchboard: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
