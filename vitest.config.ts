import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS ("main") and ESM ("module") builds. Node loads the
    // CommonJS one for every package (Apollo, type-graphql); Vite would give our
    // own files the ESM one, and two graphql realms reject each other's schemas.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Each file runs in its own process: servers, ports and databases never leak between files.
    pool: 'forks',
    // Vitest's default is one fork fewer than the cores: one on these 2-core machines, though most files wait on
    // servers and sockets. Two forks: the full suite in ~540 s instead of ~620-680 s here, every test still passing.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' },
    reporters: ['default'],
  },
});
