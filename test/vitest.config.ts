import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Integration tests share one PostgreSQL server and two cores; run files one at a time.
    fileParallelism: false,
  },
});
