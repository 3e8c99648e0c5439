// @vitest-environment jsdom
import { act, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import type { ProfilerOnRenderCallback } from 'react';
import { describe, expect, it } from 'vitest';
import { TaskList } from './taskList.js';
import {
  api,
  expectNoAxeViolations,
  FakeWebSocket,
  listResponse,
  renderWithProvider,
  server,
  setUpTestServer,
  taskSummary,
  timestamp,
} from './testSupport.js';

setUpTestServer();

const tasks = [
  taskSummary(1, { status: 'processing' }),
  taskSummary(2, { status: 'pending', current_step: 'queued' }),
  taskSummary(3, { status: 'completed', current_step: 'completed', completed_at: timestamp }),
  taskSummary(4, { status: 'failed', current_step: 'failed', error_message: 'model down' }),
  taskSummary(5, { status: 'cancelled', current_step: 'cancelled' }),
];
const rowOf = (index: number) =>
  document.querySelector(`tr[data-task-id="${taskSummary(index).task_id}"]`) as HTMLElement;

describe.each([
  ['without StrictMode', false],
  ['under StrictMode', true],
])('TaskList %s', (_name, strict) => {
  it('shows the table with status badges, filters with counts and actions by status', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))));
    const { container } = renderWithProvider(
      <TaskList getTaskHref={(task) => `/tasks/${task.task_id}`} getRoadmapHref={(id) => `/roadmaps/${id}`} />,
      { strict },
    );
    await screen.findByText('Learn Rust 1');
    expect(screen.getByRole('link', { name: 'Learn Rust 1' }).getAttribute('href')).toBe(`/tasks/${tasks[0]?.task_id}`);
    expect(screen.getByRole('button', { name: /^Cancelled/ }).textContent).toBe('Cancelled1');
    expect(screen.getByRole('button', { name: /^All/ }).textContent).toBe('All5');
    expect(
      within(rowOf(5)).getByText('Cancelled', { selector: '[data-slot="status-badge"]' }).getAttribute('data-status'),
    ).toBe('cancelled');
    // Cancel only while pending or processing.
    expect(within(rowOf(1)).getByRole('button', { name: 'Cancel task' })).toBeTruthy();
    expect(within(rowOf(2)).getByRole('button', { name: 'Cancel task' })).toBeTruthy();
    for (const index of [3, 4, 5])
      expect(within(rowOf(index)).queryByRole('button', { name: 'Cancel task' })).toBeNull();
    expect(within(rowOf(4)).getByRole('button', { name: 'Retry' })).toBeTruthy();
    expect(within(rowOf(3)).getByRole('link', { name: 'View roadmap' })).toBeTruthy();
    await expectNoAxeViolations(container);
  });

  it('shows a cancel at once and rolls it back with a visible error when the server refuses', async () => {
    let respond: (() => void) | undefined;
    server.use(
      http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))),
      http.post(api('/roadmaps/tasks/:taskId/cancel'), async () => {
        await new Promise<void>((resolve) => {
          respond = resolve;
        });
        return HttpResponse.json(
          { detail: 'Task is completed and cannot be cancelled', code: 'task_not_cancellable' },
          { status: 400 },
        );
      }),
    );
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    await userEvent.click(within(rowOf(1)).getByRole('button', { name: 'Cancel task' }));
    expect(rowOf(1).dataset.status).toBe('cancelled');
    expect(within(rowOf(1)).getByText('Cancelled', { selector: '[data-slot="status-badge"]' })).toBeTruthy();
    expect(screen.getByRole('button', { name: /^Cancelled/ }).textContent).toBe('Cancelled2');
    await waitFor(() => expect(respond).toBeDefined());
    respond?.();
    const alert = await within(rowOf(1)).findByRole('alert');
    expect(alert.textContent).toBe('Could not cancel: Task is completed and cannot be cancelled');
    expect(rowOf(1).dataset.status).toBe('processing');
    expect(screen.getByRole('button', { name: /^Cancelled/ }).textContent).toBe('Cancelled1');
  });

  it('lets onCancel stop the built-in cancel with preventDefault', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))));
    const asked: string[] = [];
    renderWithProvider(
      <TaskList
        onCancel={(taskId, event) => {
          asked.push(taskId);
          event.preventDefault();
        }}
      />,
      { strict },
    );
    await screen.findByText('Learn Rust 1');
    await userEvent.click(within(rowOf(2)).getByRole('button', { name: 'Cancel task' }));
    expect(asked).toEqual([taskSummary(2).task_id]);
    expect(rowOf(2).dataset.status).toBe('pending');
  });

  it('selects rows (click, Shift+click range, the page) and cancels them with one confirmation and one request', async () => {
    const bodies: unknown[] = [];
    server.use(
      http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))),
      http.post(api('/roadmaps/tasks/cancel'), async ({ request }) => {
        bodies.push(await request.json());
        return HttpResponse.json({
          cancelled: [taskSummary(1).task_id, taskSummary(2).task_id],
          not_cancellable: [taskSummary(3).task_id],
          not_found: [],
        });
      }),
    );
    const user = userEvent.setup();
    const { container } = renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    const checkbox = (index: number) =>
      within(rowOf(index)).getByRole('checkbox', { name: `Select Learn Rust ${index}` });
    await user.click(checkbox(1));
    await user.keyboard('{Shift>}');
    await user.click(checkbox(3));
    await user.keyboard('{/Shift}');
    expect([1, 2, 3, 4, 5].map((index) => (checkbox(index) as HTMLInputElement).checked)).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    const selectAll = screen.getByRole('checkbox', { name: 'Select all tasks on this page' }) as HTMLInputElement;
    expect(selectAll.indeterminate).toBe(true);
    expect(screen.getByText('3 selected')).toBeTruthy();
    await expectNoAxeViolations(container);

    await user.click(screen.getByRole('button', { name: 'Cancel selected' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByRole('heading').textContent).toBe('Cancel 3 tasks?');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel tasks' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(bodies).toEqual([{ task_ids: [1, 2, 3].map((index) => taskSummary(index).task_id) }]);
    expect([1, 2, 3].map((index) => rowOf(index).dataset.status)).toEqual(['cancelled', 'cancelled', 'completed']);
    expect(screen.queryByText(/selected$/)).toBeNull();
    expect((checkbox(1) as HTMLInputElement).checked).toBe(false);

    // The header checkbox selects every row of the page, and clears them again.
    await user.click(selectAll);
    expect([1, 2, 3, 4, 5].every((index) => (checkbox(index) as HTMLInputElement).checked)).toBe(true);
    await user.click(selectAll);
    expect([1, 2, 3, 4, 5].some((index) => (checkbox(index) as HTMLInputElement).checked)).toBe(false);
  });

  it('toggles a row with the keyboard (Space on its checkbox)', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))));
    const user = userEvent.setup();
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    const box = within(rowOf(2)).getByRole('checkbox') as HTMLInputElement;
    box.focus();
    await user.keyboard(' ');
    expect(box.checked).toBe(true);
    expect(screen.getByText('1 selected')).toBeTruthy();
  });

  it('follows live events of the user stream', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))));
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    const [socket] = FakeWebSocket.live('/ws');
    expect(socket).toBeDefined();
    act(() => {
      socket?.open();
      socket?.receive({
        type: 'cancelled',
        seq: 7,
        task_id: taskSummary(1).task_id,
        user_id: 'user-1',
        timestamp,
        reason: null,
        previous_status: 'processing',
        progress: { completed: 3, failed: 0, total: 9, percentage: 33 },
      });
    });
    expect(rowOf(1).dataset.status).toBe('cancelled');
    expect(within(rowOf(1)).queryByRole('button', { name: 'Cancel task' })).toBeNull();
  });
});

describe('TaskList rendering', () => {
  it('re-renders only the row of the task a live event is about, in a list of 1,000', async () => {
    const many = Array.from({ length: 1000 }, (_, index) => taskSummary(index));
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(many))));
    const rendered: string[] = [];
    const onRowRender: ProfilerOnRenderCallback = (id, phase) => {
      if (phase !== 'mount') rendered.push(id);
    };
    renderWithProvider(<TaskList onRowRender={onRowRender} />);
    await screen.findByText('Learn Rust 999');
    const [socket] = FakeWebSocket.live('/ws');
    const target = taskSummary(500).task_id;
    act(() => socket?.open());
    rendered.length = 0;
    act(() => {
      socket?.receive({
        type: 'concept_complete',
        seq: 1,
        task_id: target,
        user_id: 'user-1',
        timestamp,
        concept_id: 'c',
        concept_name: 'Borrowing',
        content_type: 'quiz',
        progress: { completed: 4, failed: 0, total: 9, percentage: 44 },
      });
    });
    expect(rendered).toEqual([target]);
    const bar = document.querySelector(`tr[data-task-id="${target}"] [role="progressbar"]`);
    expect(bar?.getAttribute('aria-valuenow')).toBe('44');
  }, 30_000);
});

describe('TaskList filters', () => {
  const mixed = [
    taskSummary(1, { status: 'processing' }),
    taskSummary(2, { status: 'failed', current_step: 'failed', created_at: '2026-01-15T09:00:00.000Z' }),
    taskSummary(3, { status: 'partial_failure', current_step: 'completed', created_at: '2026-01-15T09:30:00.000Z' }),
    taskSummary(4, { status: 'completed', current_step: 'completed' }),
  ];

  function serveFiltered() {
    const queries: (string | null)[] = [];
    server.use(
      http.get(api('/roadmaps/tasks'), ({ request }) => {
        const status = new URL(request.url).searchParams.get('status');
        queries.push(status);
        return HttpResponse.json(listResponse(mixed, status));
      }),
    );
    return queries;
  }

  it('lists failed and partially failed tasks under "Failed", as many rows as its count, newest first', async () => {
    const queries = serveFiltered();
    renderWithProvider(<TaskList />);
    await screen.findByText('Learn Rust 1');
    const failed = screen.getByRole('button', { name: /^Failed/ });
    expect(failed.textContent).toBe('Failed2');
    await userEvent.click(failed);
    await waitFor(() => expect(document.querySelectorAll('tr[data-task-id]')).toHaveLength(2));
    expect([...document.querySelectorAll<HTMLElement>('tr[data-task-id]')].map((row) => row.dataset.status)).toEqual([
      'partial_failure',
      'failed',
    ]);
    expect(screen.getByRole('button', { name: /^Failed/, pressed: true }).textContent).toBe('Failed2');
    // "All" still counts every task, not the filtered ones.
    expect(screen.getByRole('button', { name: /^All/ }).textContent).toBe('All4');
    expect(queries.slice(1).sort()).toEqual(['failed', 'partial_failure']);
  });

  it('keeps the other filters to one request with their own status', async () => {
    const queries = serveFiltered();
    renderWithProvider(<TaskList defaultStatus="completed" />);
    await screen.findByText('Learn Rust 4');
    expect(document.querySelectorAll('tr[data-task-id]')).toHaveLength(1);
    expect(queries).toEqual(['completed']);
    expect(screen.getByRole('button', { name: /^Completed/, pressed: true }).textContent).toBe('Completed1');
  });

  it('counts a task that ends partially failed under "Failed", and moves it out when retried', async () => {
    serveFiltered();
    server.use(
      http.post(api('/roadmaps/tasks/:taskId/retry'), ({ params }) =>
        HttpResponse.json(
          { task_id: params.taskId, status: 'pending', items_to_retry: 1, message: 'Retrying' },
          { status: 202 },
        ),
      ),
    );
    renderWithProvider(<TaskList />);
    await screen.findByText('Learn Rust 1');
    const [socket] = FakeWebSocket.live('/ws');
    act(() => {
      socket?.open();
      socket?.receive({
        type: 'completed',
        seq: 8,
        task_id: taskSummary(1).task_id,
        user_id: 'user-1',
        timestamp,
        roadmap_id: taskSummary(1).roadmap_id,
        status: 'partial_failure',
        tutorials_count: 3,
        failed_count: 1,
        progress: { completed: 8, failed: 1, total: 9, percentage: 100 },
      });
    });
    expect(rowOf(1).dataset.status).toBe('partial_failure');
    expect(screen.getByRole('button', { name: /^Processing/ }).textContent).toBe('Processing0');
    expect(screen.getByRole('button', { name: /^Failed/ }).textContent).toBe('Failed3');
    await userEvent.click(within(rowOf(3)).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(rowOf(3).dataset.status).toBe('pending'));
    expect(screen.getByRole('button', { name: /^Failed/ }).textContent).toBe('Failed2');
    expect(screen.getByRole('button', { name: /^Pending/ }).textContent).toBe('Pending1');
  });
});

describe('TaskList usage column', () => {
  const priced = [
    taskSummary(1, { usage: { calls: 12, input_tokens: 9_400, output_tokens: 14_200, cost_usd: 0.0123 } }),
    taskSummary(2, { usage: { calls: 3, input_tokens: 2_100, output_tokens: 900, cost_usd: null } }),
  ];
  const cell = (index: number) => rowOf(index).querySelector('[data-slot="task-usage"]');

  it('has no Cost column unless asked', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(priced))));
    renderWithProvider(<TaskList />);
    await screen.findByText('Learn Rust 1');
    expect(screen.queryByRole('columnheader', { name: 'Cost' })).toBeNull();
    expect(cell(1)).toBeNull();
    expect(screen.getAllByRole('columnheader')).toHaveLength(8);
  });

  it.each([
    ['without StrictMode', false],
    ['under StrictMode', true],
  ])('shows cost and tokens with showUsage, "Not priced" without a price, live (%s)', async (_name, strict) => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(priced))));
    const { container } = renderWithProvider(<TaskList showUsage />, { strict });
    await screen.findByText('Learn Rust 1');
    expect(screen.getAllByRole('columnheader').map((header) => header.textContent)).toContain('Cost');
    expect(cell(1)?.textContent).toBe('$0.0123 23,600 tokens');
    expect(cell(2)?.textContent).toBe('Not priced 3,000 tokens');
    await expectNoAxeViolations(container);

    const [socket] = FakeWebSocket.live('/ws');
    act(() => {
      socket?.open();
      socket?.receive({
        type: 'usage_updated',
        seq: 3,
        task_id: taskSummary(1).task_id,
        user_id: 'user-1',
        timestamp,
        usage: { calls: 13, input_tokens: 10_400, output_tokens: 16_100, cost_usd: 0.02994 },
      });
    });
    expect(cell(1)?.textContent).toBe('$0.0299 26,500 tokens');
    expect(cell(2)?.textContent).toBe('Not priced 3,000 tokens');
  });

  it('spans the empty row over the Cost column too', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse([]))));
    renderWithProvider(<TaskList showUsage />);
    const empty = await screen.findByText('Nothing here yet.');
    expect(empty.getAttribute('colspan')).toBe('9');
  });
});
