import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';
import { deleteAccepted, deleteRefused } from './mockDataLifecycle.js';
import { cancelRefused, listTasks, never, serverError, taskRoutes, tasks } from './mockRoadmapApi.js';
import { TaskList } from './taskList.js';

const meta = {
  title: 'Tasks/TaskList',
  component: TaskList,
  args: {
    getTaskHref: (task) => `#/tasks/${task.task_id}`,
    getRoadmapHref: (roadmapId) => `#/roadmaps/${roadmapId}`,
  },
  parameters: { msw: { handlers: { tasks: [listTasks()], taskRoutes: taskRoutes(), deletes: [deleteAccepted()] } } },
} satisfies Meta<typeof TaskList>;

export default meta;
type Story = StoryObj<typeof meta>;

/** The row of a fixture task, once the list has loaded. */
const rowOf = async (canvasElement: HTMLElement, taskId: string) => {
  await within(canvasElement).findByText(tasks.processing.title);
  const row = canvasElement.querySelector<HTMLElement>(`tr[data-task-id="${taskId}"]`);
  if (!row) throw new Error(`no row for ${taskId}`);
  return row;
};

/** One task in each status: Cancel on pending and processing, Retry on the ended ones, View roadmap when done. */
export const AllStatuses: Story = {};

/** `showUsage`: the Cost column, each task's cost (or "Not priced") and its tokens. */
export const WithCostColumn: Story = { args: { showUsage: true } };

/** `GET /roadmaps/tasks` never answers. */
export const Loading: Story = {
  parameters: { msw: { handlers: { tasks: [never('get', '/roadmaps/tasks')] } } },
};

export const Empty: Story = {
  parameters: { msw: { handlers: { tasks: [listTasks([])] } } },
};

/** `GET /roadmaps/tasks` answers 500: the server's message is shown. */
export const ServerError: Story = {
  parameters: { msw: { handlers: { tasks: [serverError('get', '/roadmaps/tasks')] } } },
};

/** Opens on the Failed filter (`defaultStatus`). */
export const FilteredByStatus: Story = { args: { defaultStatus: 'failed' } };

/** Cancel is optimistic: the row shows `cancelled` at once, and stays so once the server agrees. */
export const CancelAccepted: Story = {
  play: async ({ canvasElement }) => {
    const row = await rowOf(canvasElement, tasks.processing.task_id);
    await userEvent.click(within(row).getByRole('button', { name: 'Cancel task' }));
    await expect(row).toHaveAttribute('data-status', 'cancelled');
    await expect(within(row).queryByRole('button', { name: 'Cancel task' })).toBeNull();
  },
};

/** The server refuses the cancel (400 `task_not_cancellable`): the row rolls back and says why. */
export const CancelRefused: Story = {
  parameters: { msw: { handlers: { taskRoutes: [cancelRefused(), ...taskRoutes()] } } },
  play: async ({ canvasElement }) => {
    const row = await rowOf(canvasElement, tasks.processing.task_id);
    await userEvent.click(within(row).getByRole('button', { name: 'Cancel task' }));
    await expect(row).toHaveAttribute('data-status', 'cancelled');
    const alert = await within(row).findByRole('alert', {}, { timeout: 3000 });
    await expect(alert).toHaveTextContent('The task finished before the cancel arrived.');
    await waitFor(() => expect(row).toHaveAttribute('data-status', 'processing'));
  },
};

/** Two rows selected (the second with Shift+click would take the range), cancelled with one confirmation. */
export const CancelSelected: Story = {
  play: async ({ canvasElement }) => {
    const processing = await rowOf(canvasElement, tasks.processing.task_id);
    const pending = await rowOf(canvasElement, tasks.pending.task_id);
    await userEvent.click(within(processing).getByRole('checkbox'));
    await userEvent.click(within(pending).getByRole('checkbox'));
    await expect(within(canvasElement).getByText('2 selected')).toBeInTheDocument();
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Cancel selected' }));
    const dialog = await within(document.body).findByRole('dialog');
    await expect(within(dialog).getByRole('heading')).toHaveTextContent('Cancel 2 tasks?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel tasks' }));
    await expect(processing).toHaveAttribute('data-status', 'cancelled');
    await expect(pending).toHaveAttribute('data-status', 'cancelled');
    // The dialog closes and the selection clears once the server answered.
    await waitFor(() => expect(within(document.body).queryByRole('dialog')).toBeNull(), { timeout: 3000 });
  },
};

/** A row's Delete opens the alert dialog: focus starts on "Keep it"; Escape or "Keep it" closes it. */
export const DeleteDialogOpen: Story = {
  play: async ({ canvasElement }) => {
    const row = await rowOf(canvasElement, tasks.completed.task_id);
    await userEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    await expect(await within(document.body).findByRole('alertdialog')).toBeVisible();
  },
};

/** Delete is optimistic: the row leaves at once and stays gone once the server agrees (204). */
export const DeleteAccepted: Story = {
  play: async ({ canvasElement }) => {
    const row = await rowOf(canvasElement, tasks.completed.task_id);
    await userEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    const dialog = await within(document.body).findByRole('alertdialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete task' }));
    await expect(row).not.toBeInTheDocument();
  },
};

/** The server refuses the delete (403): the row leaves, then comes back in its place and says why. */
export const DeleteRefused: Story = {
  parameters: { msw: { handlers: { deletes: [deleteRefused()] } } },
  play: async ({ canvasElement }) => {
    const row = await rowOf(canvasElement, tasks.completed.task_id);
    await userEvent.click(within(row).getByRole('button', { name: 'Delete' }));
    const dialog = await within(document.body).findByRole('alertdialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete task' }));
    await waitFor(
      () => {
        const back = canvasElement.querySelector(`tr[data-task-id="${tasks.completed.task_id}"]`);
        expect(back?.querySelector('[role="alert"]')).toBeTruthy();
      },
      { timeout: 3000 },
    );
  },
};

/** Two rows selected and deleted with one confirmation ("Delete selected"): both leave at once. */
export const DeleteSelected: Story = {
  play: async ({ canvasElement }) => {
    const failed = await rowOf(canvasElement, tasks.failed.task_id);
    const cancelled = await rowOf(canvasElement, tasks.cancelled.task_id);
    await userEvent.click(within(failed).getByRole('checkbox'));
    await userEvent.click(within(cancelled).getByRole('checkbox'));
    await userEvent.click(within(canvasElement).getByRole('button', { name: 'Delete selected' }));
    const dialog = await within(document.body).findByRole('alertdialog');
    await expect(within(dialog).getByRole('heading')).toHaveTextContent('Delete 2 tasks?');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete tasks' }));
    await expect(failed).not.toBeInTheDocument();
    await expect(cancelled).not.toBeInTheDocument();
  },
};
