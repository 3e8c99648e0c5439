import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, screen, userEvent, within } from 'storybook/test';
import { never, roadmapRoutes, taskRoutes, tasks } from './mockRoadmapApi.js';
import { TaskDetail } from './taskDetail.js';

const meta = {
  title: 'Tasks/TaskDetail',
  component: TaskDetail,
  args: { taskId: tasks.processing.task_id, getRoadmapHref: (roadmapId) => `#/roadmaps/${roadmapId}` },
  parameters: { msw: { handlers: { taskRoutes: taskRoutes(), roadmaps: roadmapRoutes() } } },
} satisfies Meta<typeof TaskDetail>;

export default meta;
type Story = StoryObj<typeof meta>;

/** Queued: no curriculum yet, so no concepts; Cancel Task is offered. */
export const Pending: Story = { args: { taskId: tasks.pending.task_id } };

/** Generating content: live stream open, the current step highlighted, a failed item with its retry button. */
export const Processing: Story = {};

export const Completed: Story = { args: { taskId: tasks.completed.task_id } };

/** Over the failure threshold: the error, and Retry. */
export const Failed: Story = { args: { taskId: tasks.failed.task_id } };

/** Completed with failures: View roadmap and Retry, failed items can be retried one by one. */
export const PartialFailure: Story = { args: { taskId: tasks.partial_failure.task_id } };

export const Cancelled: Story = { args: { taskId: tasks.cancelled.task_id } };

/** `GET /roadmaps/tasks/{id}` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { taskRoutes: [never('get', '/roadmaps/tasks/:taskId')] } } },
};

/** The cancel confirmation, open (`defaultOpen`): focus is inside the dialog. */
export const CancelDialogOpen: Story = { args: { defaultOpen: true } };

/** Cancel Task → confirm: the dialog closes and the task ends `cancelled`. */
export const CancelConfirmed: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Cancel Task' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this task?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel task' }));
    await expect(await canvas.findByText('Cancelled', { selector: '[data-slot="status-badge"]' })).toBeVisible();
  },
};

/** Generated with `review_before_content`: the proposed stages, modules and concepts, Approve and Request changes. */
export const NeedsReview: Story = { args: { taskId: tasks.human_review_pending.task_id } };

/** Request changes with feedback: the task comes back with round 2 of the review. */
export const ReviewRequestChanges: Story = {
  args: { taskId: tasks.human_review_pending.task_id },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(await canvas.findByLabelText('What should change?'), 'More hands-on projects');
    await userEvent.click(canvas.getByRole('button', { name: 'Request changes' }));
    await expect(await canvas.findByText(/round 2 of 5/)).toBeVisible();
  },
};

/** Paused: the badge, Resume, and Cancel Task (a paused task can be cancelled). */
export const Paused: Story = { args: { taskId: tasks.paused.task_id } };

/** Pause on a processing task: the badge turns "Paused" and Resume is offered. */
export const PauseClicked: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(await canvas.findByRole('button', { name: 'Pause' }));
    await expect(await canvas.findByRole('button', { name: 'Resume' })).toBeVisible();
  },
};
