import { defineConfig } from 'tsup';

export default defineConfig({
  // Named entries: each subpath's folder `index.ts` builds to `dist/<subpath>.js`.
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    node: 'src/node.ts',
    client: 'src/client/index.ts',
    internal: 'src/internal.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  external: ['vitest'],
});
