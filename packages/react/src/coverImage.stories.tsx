import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { CoverImage } from './coverImage.js';
import { cover, coverBackend, never, roadmapSummaries } from './mockRoadmapApi.js';

const [summary] = roadmapSummaries;
if (!summary) throw new Error('the fixtures list no roadmap');
const id = summary.roadmap_id;

const meta = {
  title: 'Covers/CoverImage',
  component: CoverImage,
  args: { roadmapId: id, title: summary.title, retry: true },
  decorators: [
    (Story) => (
      <div style={{ maxWidth: 360 }}>
        <Story />
      </div>
    ),
  ],
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'success')]) } } },
} satisfies Meta<typeof CoverImage>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The generated image. */
export const Success: Story = {};

/** Generation failed three times: the gradient fallback with "Retry Cover Generation". */
export const FailedWithRetry: Story = {
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'failed')]) } } },
};

/** A cover that failed, without the retry offer (`retry={false}`). */
export const FailedWithoutRetry: Story = {
  args: { retry: false },
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'failed')]) } } },
};

/** The server is drawing it: "Generating..." over the fallback. */
export const Generating: Story = {
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'generating')]) } } },
};

/** Never generated yet: the fallback gradient with the title's first letter. */
export const NotStarted: Story = {
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'not_started')]) } } },
};

/** `GET …/cover-image` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { covers: [never('get', '/roadmap/:roadmapId/cover-image')] } } },
};

/** Retry pressed and the cover still generating: the spinner and "Generating..." replace the button. */
export const RetryInProgress: Story = {
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'failed')], { outcome: 'never' }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Retry Cover Generation' }));
    await expect(await canvas.findByRole('status')).toHaveTextContent('Generating...');
    await expect(canvas.queryByRole('button', { name: 'Retry Cover Generation' })).toBeNull();
  },
};

/** Retry pressed; the next poll finds the cover ready and the image replaces the fallback. */
export const RetrySucceeds: Story = {
  parameters: { msw: { handlers: { covers: coverBackend([cover(id, 'failed')], { settleAfterMs: 500 }) } } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Retry Cover Generation' }));
    const name = `Cover of ${summary.title}`;
    await waitFor(() => expect(canvas.getByRole('img', { name }).tagName).toBe('IMG'), { timeout: 4000 });
  },
};
