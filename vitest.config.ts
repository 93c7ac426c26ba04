import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files run in parallel worker processes; each test uses its own temporary data folder.
    pool: 'forks',
    // The checkpoint-validation suite expects Jest-style globals (describe, beforeAll...).
    globals: true,
  },
});
