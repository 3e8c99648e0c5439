import { createRoadmapClient, type RoadmapClient } from '@roadmap/core/client';
import type { Decorator, Preview } from '@storybook/react-vite';
import { mswLoader } from 'msw-storybook-addon/csf3';
import { type ReactNode, useState } from 'react';
import { RoadmapProvider } from '../packages/react/src/index.js';
import { defaultHandlers, resetMockApi } from '../packages/react/src/mockRoadmapApi.js';
// `@roadmap/react/styles.css` from source: the package exports it from `dist/`, which Storybook does not need built.
import '../packages/react/src/styles.css';

type Theme = 'light' | 'dark';

/** One client per mounted story: hooks start from an empty cache, so every story shows its own network state. */
function StoryProvider({ theme, children }: { theme: Theme; children: ReactNode }) {
  const [client] = useState<RoadmapClient>(() => createRoadmapClient({ baseUrl: '' }));
  return (
    <RoadmapProvider client={client} theme={theme}>
      {children}
    </RoadmapProvider>
  );
}

/** Wraps every story in a `RoadmapProvider` whose client talks to the page's origin (answered by msw). */
export const withRoadmapProvider: Decorator = (Story, context) => (
  <StoryProvider theme={context.globals.theme === 'dark' ? 'dark' : 'light'}>
    <Story />
  </StoryProvider>
);

/** What the portable-story tests share with Storybook: everything but the browser's service-worker loader. */
export const annotations = {
  decorators: [withRoadmapProvider],
  // Stateful mock routes (a cancelled task, a generated cover) start from their fixtures on every story render.
  loaders: [
    async () => {
      resetMockApi();
      return {};
    },
  ],
  parameters: {
    layout: 'padded',
    controls: { matchers: { date: /(_at|At)$/ } },
    // Keyed handlers: a story replaces one key (`tasks`, `covers`, …) and keeps the others (`streams`, …).
    msw: { handlers: defaultHandlers },
    a11y: { test: 'error' },
  },
  globalTypes: {
    theme: {
      description: 'Color scheme of the components',
      toolbar: { title: 'Theme', icon: 'mirror', items: ['light', 'dark'], dynamicTitle: true },
    },
  },
  initialGlobals: { theme: 'light' },
} satisfies Preview;

const preview: Preview = {
  ...annotations,
  // msw-storybook-addon 3: the CSF 3 integration is this loader; it starts the worker once and applies
  // `parameters.msw.handlers` of each story.
  loaders: [...annotations.loaders, mswLoader()],
};

export default preview;
