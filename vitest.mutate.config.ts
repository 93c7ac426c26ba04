import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (`npm run mutate`): the fast ones that drive
 * the mutated modules directly, on files storage, no PostgreSQL, no browser. The whole suite
 * takes minutes per run, which would put a mutation run into hours on a 2-core machine.
 */
export default defineConfig({
  test: {
    include: [
      'test/engine/queue.test.ts',
      'test/engine/local-scheduler.test.ts',
      'test/chat/collector.test.ts',
      'test/chat/split.test.ts',
      'test/chat/outbox.test.ts',
      'test/chat/prompt-rules.test.ts',
      'test/chat/dedupe.test.ts',
      'test/storage/files-journal.test.ts',
      'test/storage/append-log.test.ts',
      'test/storage/files.contract.test.ts',
    ],
    // Stryker's sandboxes hold a copy of test/: never collect from them.
    exclude: ['.stryker-tmp/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each mutant is a new vitest run in the same process: reusing loaded modules saves seconds per mutant.
    isolate: false,
    globals: true,
    env: { SWITCHBOARD_TEST_SKIP_POSTGRES: '1', SWITCHBOARD_TEST_SERVICES_SAID: '1', LOG_LEVEL: 'silent' },
  },
});
