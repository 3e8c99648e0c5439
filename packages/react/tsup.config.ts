import { copyFile } from 'node:fs/promises';
import { packageConfig } from '../../tsup.package.js';

export default packageConfig(['src/index.ts', 'src/markdown.tsx'], {
  external: [
    'react',
    'react-dom',
    'react/jsx-runtime',
    '@roadmap/core',
    '@roadmap/core/client',
    '@radix-ui/react-dialog',
    // The two entry points reach each other by the package's name, never by a relative import: `index` loads
    // `markdown` on demand (a chunk of its own in the app's bundle), and `markdown` shares the root's React context.
    '@roadmap/react',
    '@roadmap/react/markdown',
  ],
  // The stylesheet ships as is: `import '@roadmap/react/styles.css'`.
  onSuccess: async () => {
    await copyFile('src/styles.css', 'dist/styles.css');
  },
});
