import { copyFile } from 'node:fs/promises';
import { packageConfig } from '../../tsup.package.js';

export default packageConfig(['src/index.ts'], {
  external: [
    'react',
    'react-dom',
    'react/jsx-runtime',
    '@roadmap/core',
    '@roadmap/core/client',
    '@radix-ui/react-dialog',
  ],
  // The stylesheet ships as is: `import '@roadmap/react/styles.css'`.
  onSuccess: async () => {
    await copyFile('src/styles.css', 'dist/styles.css');
  },
});
