import { ConfigError } from './config/load.ts';
import { isSwitchboardError } from './errors.ts';
import { startSwitchboard } from './main.ts';

/**
 * `switchboard start` (the default): start on the config from SWITCHBOARD_CONFIG or
 * config/switchboard.yaml. A bad config exits with code 2 and a list of every problem.
 */
async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write('usage: switchboard [start]\n\nEnvironment: SWITCHBOARD_CONFIG, SWITCHBOARD_DATA_DIR, HOST, PORT, LOG_LEVEL\n');
    return 0;
  }
  if (command !== 'start') {
    process.stderr.write(`unknown command "${command}"; try: switchboard start\n`);
    return 2;
  }
  try {
    const app = await startSwitchboard();
    process.stdout.write(`Switchboard is running at ${app.server.url}  (GET ${app.server.url}/ok)\n`);
    if (app.web) process.stdout.write(`Playground: open ${app.server.url}/ in a browser\n`);
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

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`switchboard: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
