import { defineConfig } from 'vitest/config';

// Crash and fault tests (docs/reliability.md): real child processes, SIGKILL, storage faults.
// One file at a time: they load the machine and measure time.
export default defineConfig({
  test: {
    include: ['test/chaos/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
