// @vitest-environment jsdom

import type { Task } from '@roadmap/core/client';
import { act, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { chineseLabels } from './labels.js';
import { TaskDetail } from './taskDetail.js';
import {
  api,
  expectNoAxeViolations,
  FakeWebSocket,
  fullTask,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
  timestamp,
} from './testSupport.js';

setUpTestServer();

const task = fullTask({ status: 'processing', current_step: 'content_generation' });
const taskId = task.task_id;
const base = { task_id: taskId, user_id: 'user-1', timestamp };
const emptyProgress = { completed: 0, failed: 0, total: 0, percentage: 0 };
const progress = (completed: number, failed = 0) => ({
  completed,
  failed,
  total: 6,
  percentage: Math.round((100 * (completed + failed)) / 6),
});

function serve(current = task) {
  const requests: string[] = [];
  server.use(
    http.get(api('/roadmaps/tasks/:taskId'), () => HttpResponse.json(current)),
    http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())),
    http.post(api('/roadmaps/tasks/:taskId/cancel'), async ({ request }) => {
      requests.push(`cancel ${JSON.stringify(await request.json())}`);
      current = { ...current, status: 'cancelled', current_step: 'cancelled' };
      return HttpResponse.json({
        success: true,
        task_id: taskId,
        message: 'Task cancelled',
        previous_status: 'processing',
      });
    }),
    http.post(api('/roadmaps/:roadmapId/concepts/:conceptId/:kind/retry'), ({ params }) => {
      requests.push(`retry ${params.conceptId} ${params.kind}`);
      return HttpResponse.json(
        {
          success: true,
          concept_id: params.conceptId,
          content_type: params.kind,
          task_id: taskId,
          message: 'Retrying',
        },
        { status: 202 },
      );
    }),
  );
  return requests;
}

async function openStream() {
  await waitFor(() => expect(FakeWebSocket.live(`/ws/${taskId}`)).toHaveLength(1));
  const [socket] = FakeWebSocket.live(`/ws/${taskId}`);
  if (!socket) throw new Error('no socket');
  act(() => socket.open());
  return socket;
}

describe.each([
  ['without StrictMode', false],
  ['under StrictMode', true],
])('TaskDetail %s', (_name, strict) => {
  it('follows the task over its WebSocket with replay from the start of its log', async () => {
    serve();
    renderWithProvider(<TaskDetail taskId={taskId} />, { strict });
    await screen.findByRole('heading', { name: 'Learn Rust 1' });
    const socket = await openStream();
    expect(new URL(socket.url).searchParams.get('since')).toBe('0');
    expect(new URL(socket.url).searchParams.get('token')).toBe('test-token');
    expect(screen.getByText('Live')).toBeTruthy();
    expect(document.querySelector('[data-current="true"]')?.textContent).toBe('Content generation');

    act(() => {
      socket.receive({
        ...base,
        type: 'concept_start',
        seq: 3,
        concept_id: 's1-m1-c1',
        concept_name: 'Moves',
        content_type: 'quiz',
      });
      socket.receive({
        ...base,
        type: 'concept_failed',
        seq: 4,
        concept_id: 's1-m1-c1',
        concept_name: 'Moves',
        content_type: 'quiz',
        error: 'bad JSON',
        progress: progress(3, 1),
      });
    });
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('67');
    expect(screen.getByText('Failed quiz: Moves (bad JSON)')).toBeTruthy();
    const moves = document.querySelector('[data-concept-id="s1-m1-c1"] [data-kind="quiz"]');
    await waitFor(() => expect(moves?.getAttribute('data-status')).toBe('failed'));

    act(() =>
      socket.receive({
        ...base,
        type: 'progress',
        seq: 2,
        step: 'queued',
        status: 'pending',
        message: 'old',
        progress: progress(0),
      }),
    );
    expect(screen.queryByText('old')).toBeNull(); // a replayed duplicate is dropped by seq

    act(() => {
      socket.receive({
        ...base,
        type: 'completed',
        seq: 9,
        roadmap_id: task.roadmap_id,
        status: 'partial_failure',
        tutorials_count: 2,
        failed_count: 1,
        progress: progress(5, 1),
      });
      socket.receive({ type: 'closing', task_id: taskId, seq: 9, timestamp, reason: 'task_partial_failure' });
    });
    expect(screen.getByText('Completed with 1 failures')).toBeTruthy();
    expect(socket.closed).toBe(true);
    expect(screen.getByText('Offline')).toBeTruthy();
  });

  it('retries one failed content item', async () => {
    const requests = serve();
    renderWithProvider(<TaskDetail taskId={taskId} />, { strict });
    const retry = await screen.findByRole('button', { name: 'Retry resources of Borrowing' });
    await userEvent.click(retry);
    await waitFor(() => expect(requests).toEqual(['retry s1-m1-c2 resources']));
  });

  it('confirms a cancel in an accessible dialog, then cancels and closes it', async () => {
    const requests = serve();
    const { container } = renderWithProvider(<TaskDetail taskId={taskId} />, { strict });
    await screen.findByRole('heading', { name: 'Learn Rust 1' });
    await expectNoAxeViolations(container);
    await userEvent.click(screen.getByRole('button', { name: 'Cancel Task' }));
    const dialog = await screen.findByRole('dialog', { name: 'Cancel this task?' });
    expect(dialog.contains(document.activeElement)).toBe(true);
    await expectNoAxeViolations(document.body);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel task' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(requests).toEqual(['cancel {}']);
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Cancel Task' })).toBeNull());
    expect(document.querySelector('[data-slot="task-detail"] [data-slot="status-badge"]')?.textContent).toBe(
      'Cancelled',
    );
  });

  it('closes the dialog with Escape or "Keep running" without cancelling, and reports open changes', async () => {
    const requests = serve();
    const changes: boolean[] = [];
    renderWithProvider(<TaskDetail taskId={taskId} onOpenChange={(open) => changes.push(open)} />, { strict });
    const trigger = await screen.findByRole('button', { name: 'Cancel Task' });
    await userEvent.click(trigger);
    await screen.findByRole('dialog');
    await userEvent.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(trigger);
    await userEvent.click(trigger);
    await userEvent.click(await screen.findByRole('button', { name: 'Keep running' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(changes).toEqual([true, false, true, false]);
    expect(requests).toEqual([]);
  });
});

describe('TaskDetail dialog', () => {
  it('opens controlled by `open` and shows a refused cancel inside the dialog', async () => {
    serve();
    server.use(
      http.post(api('/roadmaps/tasks/:taskId/cancel'), () =>
        HttpResponse.json({ detail: 'Task already finished', code: 'task_not_cancellable' }, { status: 400 }),
      ),
    );
    renderWithProvider(<TaskDetail taskId={taskId} open />);
    const dialog = await screen.findByRole('dialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel task' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe('Could not cancel: Task already finished');
    expect(screen.getByRole('dialog')).toBeTruthy();
  });
});

describe('TaskDetail roadmap', () => {
  /** Serves a task that changes as the test moves it on, and counts the roadmap requests. */
  function serveLive(initial: Task) {
    const state = { task: initial, roadmap: roadmapFixture(), roadmapRequests: 0 };
    server.use(
      http.get(api('/roadmaps/tasks/:taskId'), () => HttpResponse.json(state.task)),
      http.get(api('/roadmaps/:roadmapId'), () => {
        state.roadmapRequests += 1;
        return HttpResponse.json(state.roadmap);
      }),
    );
    return state;
  }
  const step = (seq: number, name: Task['current_step'], total = 0) => ({
    ...base,
    type: 'progress' as const,
    seq,
    step: name,
    status: 'processing' as const,
    message: `Entering ${name}`,
    progress: { completed: 0, failed: 0, total, percentage: 0 },
  });
  const item = (conceptId: string, kind: string) =>
    document.querySelector(`[data-concept-id="${conceptId}"] [data-kind="${kind}"]`) as HTMLElement | null;

  it('asks for the roadmap only once it is stored (content generation), then again when the step changes', async () => {
    const state = serveLive(
      fullTask({ status: 'processing', current_step: 'intent_analysis', progress: emptyProgress }),
    );
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('heading', { name: 'Learn Rust 1' });
    const socket = await openStream();
    act(() => {
      socket.receive(step(2, 'intent_analysis'));
      socket.receive(step(3, 'curriculum_design'));
      socket.receive(step(4, 'structure_validation'));
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.roadmapRequests).toBe(0);
    expect(screen.queryByRole('region', { name: 'Concepts' })).toBeNull();

    act(() => socket.receive(step(5, 'content_generation', 6)));
    await screen.findByRole('region', { name: 'Concepts' });
    expect(state.roadmapRequests).toBe(1);

    state.task = fullTask({ status: 'completed', current_step: 'completed', progress: progress(6) });
    act(() =>
      socket.receive({
        ...base,
        type: 'completed',
        seq: 9,
        roadmap_id: task.roadmap_id,
        status: 'completed',
        tutorials_count: 2,
        failed_count: 0,
        progress: progress(6),
      }),
    );
    await waitFor(() => expect(state.roadmapRequests).toBe(2));
  });

  it('asks for the roadmap of an ended task at once when content was planned', async () => {
    const state = serveLive(fullTask({ status: 'cancelled', current_step: 'cancelled', progress: progress(2) }));
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('region', { name: 'Concepts' });
    expect(state.roadmapRequests).toBe(1);
  });

  it('never asks for the roadmap of a task cancelled before its curriculum was stored', async () => {
    const state = serveLive(fullTask({ status: 'cancelled', current_step: 'cancelled', progress: emptyProgress }));
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('heading', { name: 'Learn Rust 1' });
    const socket = await openStream();
    act(() => {
      socket.receive(step(2, 'intent_analysis'));
      socket.receive({
        ...base,
        type: 'cancelled',
        seq: 3,
        reason: null,
        previous_status: 'processing',
        progress: emptyProgress,
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(state.roadmapRequests).toBe(0);
  });

  it('shows items left generating or pending by a cancel as not generated, not "Generating"', async () => {
    const state = serveLive(task);
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('region', { name: 'Concepts' });
    const socket = await openStream();
    act(() =>
      socket.receive({
        ...base,
        type: 'concept_start',
        seq: 3,
        concept_id: 's1-m1-c1',
        concept_name: 'Moves',
        content_type: 'quiz',
      }),
    );
    await waitFor(() => expect(item('s1-m1-c1', 'quiz')?.dataset.status).toBe('generating'));
    expect(item('s1-m1-c2', 'quiz')?.dataset.status).toBe('pending');

    // The server left the in-flight item `generating` in the roadmap (as a stale read would show it).
    const roadmap = roadmapFixture();
    const moves = roadmap.stages[0]?.modules[0]?.concepts[0];
    if (moves) moves.quiz_status = 'generating';
    state.roadmap = roadmap;
    state.task = fullTask({ status: 'cancelled', current_step: 'cancelled' });
    act(() =>
      socket.receive({
        ...base,
        type: 'cancelled',
        seq: 4,
        reason: 'changed my mind',
        previous_status: 'processing',
        progress: progress(3),
      }),
    );
    await waitFor(() => expect(state.roadmapRequests).toBe(2));
    await waitFor(() => expect(item('s1-m1-c1', 'quiz')?.dataset.status).toBe('not_generated'));
    expect(item('s1-m1-c2', 'quiz')?.dataset.status).toBe('not_generated');
    expect(item('s1-m1-c1', 'quiz')?.textContent).toBe('quiz: Not generated');
    expect(item('s1-m1-c1', 'tutorial')?.dataset.status).toBe('completed');
    expect(screen.queryByText(/Generating/)).toBeNull();
  });

  it("shows a failed task's unfinished items as not generated, and keeps its failed items retryable", async () => {
    serveLive(fullTask({ status: 'failed', current_step: 'failed', progress: progress(3, 1) }));
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('region', { name: 'Concepts' });
    expect(item('s1-m1-c1', 'quiz')?.dataset.status).toBe('not_generated');
    expect(item('s1-m1-c2', 'resources')?.dataset.status).toBe('failed');
    expect(screen.getByRole('button', { name: 'Retry resources of Borrowing' })).toBeTruthy();
  });
});

describe('TaskDetail usage', () => {
  const usage = { calls: 12, input_tokens: 9_400, output_tokens: 14_200, cost_usd: 0.0123 };
  const terms = () =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-slot="usage-list"] > div')].map((entry) => [
        entry.querySelector('dt')?.textContent,
        entry.querySelector('dd')?.textContent,
      ]),
    );
  const usageUpdated = (seq: number, next: Task['usage']) => ({
    ...base,
    type: 'usage_updated' as const,
    seq,
    usage: next,
  });

  it.each([
    ['without StrictMode', false],
    ['under StrictMode', true],
  ])('shows cost, budget, tokens and calls, and follows usage_updated events live (%s)', async (_name, strict) => {
    serve(fullTask({ status: 'processing', current_step: 'content_generation', usage, budget_usd: 0.5 }));
    const { container } = renderWithProvider(<TaskDetail taskId={taskId} />, { strict });
    const region = await screen.findByRole('region', { name: 'Usage' });
    expect(within(region).getByRole('heading', { name: 'Usage' })).toBeTruthy();
    expect(terms()).toEqual({
      Cost: '$0.0123',
      Budget: '$0.50',
      'Input tokens': '9,400',
      'Output tokens': '14,200',
      'Model calls': '12',
    });
    await expectNoAxeViolations(container);

    const socket = await openStream();
    act(() => {
      socket.receive(usageUpdated(5, { calls: 13, input_tokens: 10_900, output_tokens: 16_050, cost_usd: 0.03004 }));
      socket.receive(usageUpdated(6, { calls: 14, input_tokens: 12_100, output_tokens: 18_400, cost_usd: 1.5 }));
    });
    expect(terms()).toEqual({
      Cost: '$1.50',
      Budget: '$0.50',
      'Input tokens': '12,100',
      'Output tokens': '18,400',
      'Model calls': '14',
    });
    // One line for usage in the log: the latest (each event holds the whole usage so far).
    const lines = [...document.querySelectorAll('[data-slot="event-timeline"] [data-type="usage_updated"]')];
    expect(lines.map((line) => line.querySelector('span')?.textContent)).toEqual([
      'Usage so far: 30,500 tokens in 14 calls ($1.50)',
    ]);
  });

  it('says "Not priced" when the cost is unknown, and shows no budget when the task has none', async () => {
    serve(fullTask({ usage: { ...usage, calls: 1, cost_usd: null }, budget_usd: null }));
    renderWithProvider(<TaskDetail taskId={taskId} />);
    await screen.findByRole('region', { name: 'Usage' });
    expect(terms()).toEqual({
      Cost: 'Not priced',
      'Input tokens': '9,400',
      'Output tokens': '14,200',
      'Model calls': '1',
    });
    const socket = await openStream();
    act(() => socket.receive(usageUpdated(5, { ...usage, calls: 1, cost_usd: null })));
    expect(screen.getByText('Usage so far: 23,600 tokens in 1 call (Not priced)')).toBeTruthy();
  });

  it('labels usage in Chinese with chineseLabels', async () => {
    serve(fullTask({ usage, budget_usd: 2 }));
    renderWithProvider(<TaskDetail taskId={taskId} />, { labels: chineseLabels });
    await screen.findByRole('region', { name: '用量' });
    expect(terms()).toEqual({
      费用: 'US$0.0123',
      预算: 'US$2.00',
      '输入 token': '9,400',
      '输出 token': '14,200',
      模型调用: '12',
    });
    const socket = await openStream();
    act(() => socket.receive(usageUpdated(5, { ...usage, cost_usd: null })));
    expect(screen.getByText('累计用量：12 次调用，23,600 个 token（未定价）')).toBeTruthy();
  });
});
