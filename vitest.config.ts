import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Media tests run ffmpeg; two cores in CI, so keep the worker count modest.
    maxWorkers: 2,
  },
});
