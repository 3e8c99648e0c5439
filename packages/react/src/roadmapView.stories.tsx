import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, within } from 'storybook/test';
import { exportAccepted, exportFails, exportHangs } from './mockDataLifecycle.js';
import { never, roadmap, roadmapRoutes, tasks } from './mockRoadmapApi.js';
import { RoadmapView } from './roadmapView.js';

const meta = {
  title: 'Roadmaps/RoadmapView',
  component: RoadmapView,
  args: { roadmapId: roadmap.roadmap_id, getConceptHref: (conceptId) => `#/concepts/${conceptId}` },
  parameters: { msw: { handlers: { roadmaps: roadmapRoutes(), exports: [exportAccepted()] } } },
} satisfies Meta<typeof RoadmapView>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Stages → modules → concepts of a roadmap still being generated: done, generating, pending and failed items. Export
 * downloads the roadmap as Markdown or JSON.
 */
export const InProgress: Story = {};

/** Every item generated. */
export const Completed: Story = { args: { roadmapId: tasks.completed.roadmap_id } };

/** `GET /roadmaps/{id}` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { roadmaps: [never('get', '/roadmaps/:roadmapId')] } } },
};

/** An unknown roadmap: the server's 404 message. */
export const NotFound: Story = { args: { roadmapId: 'no-such-roadmap-00000000' } };

/** An export on its way: its button is busy and both are disabled until the file arrives. */
export const Exporting: Story = {
  parameters: { msw: { handlers: { exports: [exportHangs()] } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Markdown (.md)' }));
    await expect(canvas.getByRole('button', { name: 'JSON (.json)' })).toBeDisabled();
  },
};

/** The export fails (503): the server's message, and the buttons work again. */
export const ExportFailed: Story = {
  parameters: { msw: { handlers: { exports: [exportFails()] } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Markdown (.md)' }));
    await expect(await canvas.findByRole('alert')).toHaveTextContent('Could not export');
  },
};
