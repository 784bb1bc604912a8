import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'miniapp/**', 'test/bench/**'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-file.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    // UI and cross-process assertions poll; a loaded CI machine needs more than the 1 s default.
    expect: { poll: { timeout: 15_000, interval: 100 } },
    hookTimeout: 120_000,
    env: { NODE_ENV: 'test', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: ['default'],
  },
});
