import type { Meta, StoryObj } from '@storybook/react-vite';
import { ConceptContent } from './conceptContent.js';
import { conceptDetail, never, roadmap, roadmapRoutes, serverError } from './mockRoadmapApi.js';

const meta = {
  title: 'Roadmaps/ConceptContent',
  component: ConceptContent,
  args: { roadmapId: roadmap.roadmap_id, conceptId: conceptDetail.concept.concept_id },
  parameters: { msw: { handlers: { roadmaps: roadmapRoutes() } } },
} satisfies Meta<typeof ConceptContent>;

export default meta;
type Story = StoryObj<typeof meta>;

/**
 * Tutorial, resources and quiz. The tutorial is untrusted Markdown: the `javascript:` link is shown as text and the
 * raw `<img onerror>` stays inert text.
 */
export const Generated: Story = {};

/** A concept whose content is not generated yet: each part says so. */
export const NotGenerated: Story = { args: { conceptId: 's2-m1-c1' } };

export const Loading: Story = {
  parameters: { msw: { handlers: { roadmaps: [never('get', '/roadmaps/:roadmapId/concepts/:conceptId')] } } },
};

export const ServerError: Story = {
  parameters: { msw: { handlers: { roadmaps: [serverError('get', '/roadmaps/:roadmapId/concepts/:conceptId')] } } },
};
