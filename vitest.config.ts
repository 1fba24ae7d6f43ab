import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Media tests run ffmpeg; two cores in CI, so keep the worker count modest.
    maxWorkers: 2,
    // No test writes to the keychain of the machine running it (a signed render would make
    // an identity there): tests of the keychain start their own Secret Service and clear this.
    env: { SHOTLINE_NO_KEYCHAIN: '1' },
  },
});
