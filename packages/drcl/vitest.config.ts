import { defineConfig } from 'vitest/config';

// Training tests run small networks on the WASM backend; a few take several seconds each.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
