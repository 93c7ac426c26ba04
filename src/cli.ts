import { ConfigError, loadConfig } from './config/load.ts';
import { isSwitchboardError } from './errors.ts';
import { formatCheck, runDoctor } from './ops/doctor.ts';
import { exportCommand, importCommand, isMoveInvocation, MOVE_USAGE, moveCommand } from './ops/move/commands.ts';
import { Db } from './storage/postgres/db.ts';
import { MIGRATIONS, migrate } from './storage/postgres/migrations.ts';

/**
 * `switchboard start` (the default): start on the config from SWITCHBOARD_CONFIG or
 * config/switchboard.yaml. A bad config exits with code 2 and a list of every problem.
 * `switchboard migrate`: apply PostgreSQL migrations by hand (start applies them too).
 * `switchboard doctor`: check the config, the data folder or database, and the platform tokens; exit 1 on a problem.
 * `switchboard export`, `import`, `migrate --from … --to …`: move every record between backends.
 */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(
      [
        'usage: switchboard [start | migrate | doctor | export | import]',
        '',
        '  start    run Switchboard (the default)',
        '  migrate  apply PostgreSQL migrations',
        '  doctor   check the config, the data folder or database, and the Slack and Discord tokens; says what to fix',
        MOVE_USAGE,
        'Environment: SWITCHBOARD_CONFIG, SWITCHBOARD_DATA_DIR, DATABASE_URL, DATABASE_SCHEMA, HOST, PORT, LOG_LEVEL, SWITCHBOARD_SHUTDOWN_GRACE_SECONDS,',
        '             SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_SIGNING_SECRET, DISCORD_TOKEN',
        '',
      ].join('\n'),
    );
    return 0;
  }
  if (command === 'doctor') {
    const checks = await runDoctor(process.env);
    for (const check of checks) process.stdout.write(`${formatCheck(check)}\n`);
    return checks.every((check) => check.ok) ? 0 : 1;
  }
  if (!['start', 'migrate', 'export', 'import'].includes(command)) {
    process.stderr.write(`unknown command "${command}"; try: switchboard start, migrate, doctor, export or import (switchboard help)\n`);
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
    // With http.mount_prefix everything answers under it: the address shown is the SDK's apiUrl.
    const base = `${app.server.url}${app.config.http.mount_prefix ?? ''}`;
    process.stdout.write(`Switchboard is running at ${base}  (GET ${base}/ok)\n`);
    if (app.platform('web')) process.stdout.write(`Playground: open ${base}/ in a browser\n`);
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        // The second signal: whoever sent it will not wait. Runs stay stored as they are and resume at the next start.
        process.stdout.write(`${signal} again: stopping at once\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      process.stdout.write(`\n${signal}: stopping; runs in flight get up to ${app.config.server.shutdown_grace_seconds} s (${signal} again stops at once)\n`);
      app.stopGracefully().then(
        (left) => {
          if (left.runs > 0) process.stdout.write(`${left.runs} run(s) still going were stopped; they resume at the next start\n`);
          process.exit(0);
        },
        (error: unknown) => {
          process.stderr.write(`switchboard: could not stop cleanly: ${(error as Error).message ?? String(error)}\n`);
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
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
