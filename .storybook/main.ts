import type { StorybookConfig } from '@storybook/react-vite';
import react from '@vitejs/plugin-react';
import { defaultClientConditions } from 'vite';

/**
 * Storybook for `@roadmap/react`. Stories sit beside their components; the network is mocked by msw (the service
 * worker is served from `./public`), so every story runs offline against responses shaped like the real API's.
 */
const config: StorybookConfig = {
  framework: '@storybook/react-vite',
  stories: ['../packages/react/src/**/*.stories.@(ts|tsx)'],
  addons: ['@storybook/addon-a11y', 'msw-storybook-addon'],
  staticDirs: ['./public'],
  core: { disableTelemetry: true },
  typescript: { reactDocgen: 'react-docgen' },
  async viteFinal(viteConfig) {
    return {
      ...viteConfig,
      plugins: [...(viteConfig.plugins ?? []), react()],
      resolve: {
        ...viteConfig.resolve,
        // Workspace packages resolve to their TypeScript sources, as in the tests: no build before `storybook dev`.
        conditions: ['@roadmap/source', ...defaultClientConditions],
      },
    };
  },
};

export default config;
