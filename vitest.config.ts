import { defineConfig } from 'vitest/config';
import { findTestServices } from './test/helpers/test-services.ts';

// PostgreSQL and Chromium, found (or said missing) once, before the projects are chosen.
await findTestServices();
process.env.SWITCHBOARD_TEST_SERVICES_SAID = '1';

const shared = {
  testTimeout: 30_000,
  hookTimeout: 60_000,
  // Files run in parallel worker processes; each test uses its own data folder or schema.
  pool: 'forks' as const,
  // The checkpoint-validation suite expects Jest-style globals (describe, beforeAll...).
  globals: true,
};

export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'main', include: ['test/**/*.test.ts'] } },
      // The engine and API suites again, on PostgreSQL with runs shared through the database.
      ...(process.env.TEST_DATABASE_URL
        ? [
            {
              test: {
                ...shared,
                name: 'engine-on-postgres',
                include: ['test/engine/*.test.ts', 'test/http/*.test.ts', 'test/fuzz/*.test.ts'],
                // Crash recovery of one process on files; the PostgreSQL take-over has its own tests.
                exclude: ['test/engine/crash-recovery.test.ts'],
                env: { TEST_ENGINE_BACKEND: 'postgres' },
              },
            },
          ]
        : []),
    ],
  },
});
