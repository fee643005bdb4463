import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Loading a CNN and fitting LSA on 5,000 captions take seconds on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
