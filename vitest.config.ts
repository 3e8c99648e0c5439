import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests never need a build first.
    conditions: ['@roadmap/source'],
  },
  ssr: { resolve: { conditions: ['@roadmap/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'examples/*/src/**/*.test.{ts,tsx}', 'tests/*/src/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
