import type { Meta, StoryObj } from '@storybook/react-vite';
import { never, roadmap, roadmapRoutes, tasks } from './mockRoadmapApi.js';
import { RoadmapView } from './roadmapView.js';

const meta = {
  title: 'Roadmaps/RoadmapView',
  component: RoadmapView,
  args: { roadmapId: roadmap.roadmap_id, getConceptHref: (conceptId) => `#/concepts/${conceptId}` },
  parameters: { msw: { handlers: { roadmaps: roadmapRoutes() } } },
} satisfies Meta<typeof RoadmapView>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Stages → modules → concepts of a roadmap still being generated: done, generating, pending and failed items. */
export const InProgress: Story = {};

/** Every item generated. */
export const Completed: Story = { args: { roadmapId: tasks.completed.roadmap_id } };

/** `GET /roadmaps/{id}` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { roadmaps: [never('get', '/roadmaps/:roadmapId')] } } },
};

/** An unknown roadmap: the server's 404 message. */
export const NotFound: Story = { args: { roadmapId: 'no-such-roadmap-00000000' } };
