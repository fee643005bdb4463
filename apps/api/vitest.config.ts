import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Test files share one PostgreSQL server and two cores; run them one at a time.
    fileParallelism: false,
  },
});
