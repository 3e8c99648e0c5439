import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';

/** Where `vite dev` sends `/api` (REST and WebSocket): the reference server, `pnpm --filter @roadmap/example-server start`. */
const apiTarget = process.env.ROADMAP_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  plugins: [react()],
  resolve: {
    // The workspace packages (@roadmap/react, @roadmap/core/client) come from their TypeScript sources: no
    // package build is needed before building or running this app.
    conditions: ['@roadmap/source', ...defaultClientConditions],
    alias: [
      // The published export points at dist/styles.css; from source it is src/styles.css.
      {
        find: /^@roadmap\/react\/styles\.css$/,
        replacement: fileURLToPath(new URL('../../packages/react/src/styles.css', import.meta.url)),
      },
    ],
    dedupe: ['react', 'react-dom'],
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: apiTarget, ws: true },
    },
  },
  preview: {
    proxy: {
      '/api': { target: apiTarget, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
