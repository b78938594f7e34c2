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
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: { APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'test' },
    reporters: ['default'],
  },
});
