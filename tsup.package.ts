import { defineConfig, type Options } from 'tsup';

/** The build every published package shares: ESM + CJS with types for each, source maps, Node 20 target. */
export function packageConfig(entry: string[], options: Partial<Options> = {}) {
  return defineConfig({
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'node20',
    ...options,
  });
}
