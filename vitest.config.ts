import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests create network namespaces, iptables rules and real processes;
    // running files in parallel on a 2-core machine makes timing-sensitive probes flaky.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ['default', './test/helpers/summary-reporter.ts'],
    // Rebuilds dist/ when a source is newer than the CLI bundle the e2e tests run.
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
