import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    // The browser tests build and start the app, the API and Chromium once for every file.
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    // Browser steps wait for the real API; a poll gives up after 30 s unless it says otherwise.
    expect: { poll: { timeout: 30_000, interval: 250 } },
  },
});
