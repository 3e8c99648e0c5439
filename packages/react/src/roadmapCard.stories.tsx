import type { Meta, StoryObj } from '@storybook/react-vite';
import { cover, coverBackend, roadmapSummaries } from './mockRoadmapApi.js';
import { RoadmapCard } from './roadmapCard.js';

const [processing, completed, partial] = roadmapSummaries;
if (!processing || !completed || !partial) throw new Error('the fixtures list too few roadmaps');

const meta = {
  title: 'Roadmaps/RoadmapCard',
  component: RoadmapCard,
  args: {
    roadmap: completed,
    href: `#/roadmaps/${completed.roadmap_id}`,
    cover: cover(completed.roadmap_id, 'success'),
  },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 320 }}>
        <Story />
      </div>
    ),
  ],
  parameters: {
    msw: { handlers: { covers: coverBackend(roadmapSummaries.map((entry) => cover(entry.roadmap_id, 'success'))) } },
  },
} satisfies Meta<typeof RoadmapCard>;

export default meta;
type Story = StoryObj<typeof meta>;

/** A finished roadmap with its cover (given, so no request is made). */
export const WithCover: Story = {};

/** Still generating: task status and concepts done so far. */
export const InProgress: Story = {
  args: {
    roadmap: processing,
    href: `#/roadmaps/${processing.roadmap_id}`,
    cover: cover(processing.roadmap_id, 'generating'),
  },
};

/** The cover failed: the card offers "Retry Cover Generation". */
export const CoverFailed: Story = {
  args: { roadmap: partial, href: `#/roadmaps/${partial.roadmap_id}`, cover: cover(partial.roadmap_id, 'failed') },
};

/** No cover given: the card fetches its own (`GET /roadmap/{id}/cover-image`). */
export const FetchesItsCover: Story = { args: { cover: undefined } };
