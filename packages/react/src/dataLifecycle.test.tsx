// @vitest-environment jsdom
// Delete, export and failed-item retry in the components (SPEC §9).
import type { ConceptDetail } from '@roadmap/core/client';
import { act, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConceptContent } from './conceptContent.js';
import { chineseLabels } from './labels.js';
import { conceptDetail } from './mockRoadmapApi.js';
import { RoadmapView } from './roadmapView.js';
import { TaskDetail } from './taskDetail.js';
import { TaskList } from './taskList.js';
import {
  api,
  expectNoAxeViolations,
  FakeWebSocket,
  fullTask,
  listResponse,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
  taskSummary,
} from './testSupport.js';
import { type UseTasksResult, useTasks } from './useTasks.js';

setUpTestServer();

const tasks = [
  taskSummary(1, { status: 'processing' }),
  taskSummary(2, { status: 'completed', current_step: 'completed' }),
  taskSummary(3, { status: 'failed', current_step: 'failed' }),
];
const idOf = (index: number) => taskSummary(index).task_id;
const rowOf = (index: number) => document.querySelector<HTMLElement>(`tr[data-task-id="${idOf(index)}"]`);
const shownRows = () =>
  [...document.querySelectorAll<HTMLElement>('tr[data-task-id]')].map((row) => row.dataset.taskId);

/** `DELETE /roadmaps/tasks/{id}` answered by `answer`, each request recorded; the list answers `tasks`. */
function serveList(answer: (taskId: string) => Response | Promise<Response>) {
  const deletes: string[] = [];
  server.use(
    http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse(tasks))),
    http.delete(api('/roadmaps/tasks/:taskId'), ({ params }) => {
      deletes.push(String(params.taskId));
      return answer(String(params.taskId));
    }),
  );
  return deletes;
}

const refused = (detail: string) => HttpResponse.json({ detail, code: 'forbidden' }, { status: 403 });

describe.each([
  ['without StrictMode', false],
  ['under StrictMode', true],
])('TaskList delete %s', (_name, strict) => {
  it('asks in an alert dialog (focus on Keep it), then removes the row at once and keeps it out', async () => {
    let respond: (() => void) | undefined;
    const deletes = serveList(async () => {
      await new Promise<void>((resolve) => {
        respond = resolve;
      });
      return new HttpResponse(null, { status: 204 });
    });
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 2');
    await userEvent.click(within(rowOf(2) as HTMLElement).getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete this task?' });
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep it' }));
    await expectNoAxeViolations(document.body);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete task' }));
    // Gone before the server answered, with its count.
    expect(shownRows()).toEqual([idOf(1), idOf(3)]);
    expect(screen.getByRole('button', { name: /^Completed/ }).textContent).toBe('Completed0');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await waitFor(() => expect(respond).toBeDefined());
    act(() => respond?.());
    await waitFor(() => expect(deletes).toEqual([idOf(2)]));
    expect(shownRows()).toEqual([idOf(1), idOf(3)]);
  });

  it('puts a refused delete back in its place with the server’s message', async () => {
    serveList(() => refused('You may not delete this task.'));
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 2');
    await userEvent.click(within(rowOf(2) as HTMLElement).getByRole('button', { name: 'Delete' }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete task' }));
    const alert = await within(await waitFor(() => rowOf(2) as HTMLElement)).findByRole('alert');
    expect(alert.textContent).toBe('Could not delete: You may not delete this task.');
    expect(shownRows()).toEqual([idOf(1), idOf(2), idOf(3)]);
    expect(screen.getByRole('button', { name: /^Completed/ }).textContent).toBe('Completed1');
  });

  it('closes with Keep it or Escape without deleting', async () => {
    const deletes = serveList(() => new HttpResponse(null, { status: 204 }));
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    const trigger = within(rowOf(1) as HTMLElement).getByRole('button', { name: 'Delete' });
    await userEvent.click(trigger);
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Keep it' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    await userEvent.click(trigger);
    await screen.findByRole('alertdialog');
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(deletes).toEqual([]);
    expect(shownRows()).toHaveLength(3);
  });

  it('lets onDelete stop the built-in delete with preventDefault', async () => {
    const deletes = serveList(() => new HttpResponse(null, { status: 204 }));
    const onDelete = vi.fn((_taskId: string, event: { preventDefault: () => void }) => event.preventDefault());
    renderWithProvider(<TaskList onDelete={onDelete} />, { strict });
    await screen.findByText('Learn Rust 1');
    await userEvent.click(within(rowOf(1) as HTMLElement).getByRole('button', { name: 'Delete' }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete task' }));
    expect(onDelete).toHaveBeenCalledWith(idOf(1), expect.anything());
    expect(deletes).toEqual([]);
    expect(shownRows()).toHaveLength(3);
  });

  it('deletes the selected rows with one confirmation; a refused one comes back with its error', async () => {
    const deletes = serveList((taskId) =>
      taskId === idOf(3) ? refused('Not yours.') : new HttpResponse(null, { status: 204 }),
    );
    renderWithProvider(<TaskList />, { strict });
    await screen.findByText('Learn Rust 1');
    await userEvent.click(within(rowOf(1) as HTMLElement).getByRole('checkbox'));
    await userEvent.click(within(rowOf(3) as HTMLElement).getByRole('checkbox'));
    await userEvent.click(screen.getByRole('button', { name: 'Delete selected' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete 2 tasks?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete tasks' }));
    expect(screen.queryByText('2 selected')).toBeNull();
    await waitFor(() => expect(shownRows()).toEqual([idOf(2), idOf(3)]));
    expect(within(rowOf(3) as HTMLElement).getByRole('alert').textContent).toBe('Could not delete: Not yours.');
    expect([...deletes].sort()).toEqual([idOf(1), idOf(3)].sort());
  });
});

/** The hook's last result, kept by {@link Titles}. */
const latest: { result?: UseTasksResult } = {};

/** The titles `useTasks` lists. */
function Titles() {
  latest.result = useTasks();
  return <p data-testid="titles">{latest.result.tasks.map((task) => task.title).join(', ')}</p>;
}

describe('useTasks delete', () => {
  it('deleteTask takes the task out of `tasks` at once, and keeps it out once the server agreed', async () => {
    const deletes = serveList(() => new HttpResponse(null, { status: 204 }));
    renderWithProvider(<Titles />, { strict: true });
    await waitFor(() =>
      expect(screen.getByTestId('titles').textContent).toBe('Learn Rust 1, Learn Rust 2, Learn Rust 3'),
    );
    let deleting: Promise<void> | undefined;
    act(() => {
      deleting = latest.result?.deleteTask(idOf(2));
    });
    expect(screen.getByTestId('titles').textContent).toBe('Learn Rust 1, Learn Rust 3');
    expect(latest.result?.counts.completed).toBe(0);
    await act(async () => deleting);
    expect(deletes).toEqual([idOf(2)]);
    expect(screen.getByTestId('titles').textContent).toBe('Learn Rust 1, Learn Rust 3');
  });
});

describe('TaskDetail delete', () => {
  const task = fullTask({ status: 'completed', current_step: 'completed' });

  function serveTask(answer: () => Response) {
    server.use(
      http.get(api('/roadmaps/tasks/:taskId'), () => HttpResponse.json(task)),
      http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())),
      http.delete(api('/roadmaps/tasks/:taskId'), answer),
    );
  }

  it('deletes after the confirmation, says so and calls onDeleted', async () => {
    serveTask(() => new HttpResponse(null, { status: 204 }));
    const onDeleted = vi.fn();
    renderWithProvider(<TaskDetail taskId={task.task_id} onDeleted={onDeleted} />, { strict: true });
    await screen.findByRole('heading', { name: task.title });
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await userEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete task' }));
    expect((await screen.findByRole('status')).textContent).toBe('This task was deleted.');
    expect(onDeleted).toHaveBeenCalledWith(task.task_id);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(FakeWebSocket.live(`/ws/${task.task_id}`)).toHaveLength(0);
  });

  it('keeps the dialog open with the server’s refusal', async () => {
    serveTask(() => refused('You may not delete this task.'));
    const onDeleted = vi.fn();
    renderWithProvider(<TaskDetail taskId={task.task_id} onDeleted={onDeleted} />);
    await screen.findByRole('heading', { name: task.title });
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    const dialog = await screen.findByRole('alertdialog');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Delete task' }));
    expect((await within(dialog).findByRole('alert')).textContent).toBe(
      'Could not delete: You may not delete this task.',
    );
    expect(onDeleted).not.toHaveBeenCalled();
    await userEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    expect(screen.getByRole('heading', { name: task.title })).toBeTruthy();
    expect(screen.queryByText('This task was deleted.')).toBeNull();
  });
});

describe('RoadmapView export', () => {
  const created: Blob[] = [];
  const clicked: { href: string; download: string }[] = [];
  afterEach(() => {
    vi.restoreAllMocks();
    created.length = 0;
    clicked.length = 0;
  });

  function watchDownloads() {
    // jsdom has no object URLs and no downloads: record what the component hands the browser.
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return `blob:roadmap/${created.length}`;
    });
    URL.revokeObjectURL = vi.fn();
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.href, download: this.download });
    });
  }

  it('downloads Markdown and JSON under the server’s file name', async () => {
    watchDownloads();
    const formats: string[] = [];
    server.use(
      http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())),
      http.get(api('/roadmaps/:roadmapId/export'), ({ request, params }) => {
        const format = new URL(request.url).searchParams.get('format') ?? '';
        formats.push(format);
        return new HttpResponse(format === 'md' ? '# Learn Rust\n' : '{}', {
          headers: {
            'content-type': format === 'md' ? 'text/markdown' : 'application/json',
            'content-disposition': `attachment; filename="${String(params.roadmapId)}.${format}"`,
          },
        });
      }),
    );
    const { container } = renderWithProvider(<RoadmapView roadmapId="learn-rust-00000001" />);
    await screen.findByRole('heading', { name: 'Learn Rust' });
    const exports = screen.getByRole('group', { name: 'Export' });
    await userEvent.click(within(exports).getByRole('button', { name: 'Markdown (.md)' }));
    await waitFor(() => expect(clicked).toHaveLength(1));
    await userEvent.click(within(exports).getByRole('button', { name: 'JSON (.json)' }));
    await waitFor(() => expect(clicked).toHaveLength(2));
    expect(formats).toEqual(['md', 'json']);
    expect(clicked).toEqual([
      { href: 'blob:roadmap/1', download: 'learn-rust-00000001.md' },
      { href: 'blob:roadmap/2', download: 'learn-rust-00000001.json' },
    ]);
    expect(await created[0]?.text()).toBe('# Learn Rust\n');
    // The link is not left in the page.
    expect(document.querySelector('a[download]')).toBeNull();
    await expectNoAxeViolations(container);
  });

  it('shows a failed export, and lets onExport take over with preventDefault', async () => {
    watchDownloads();
    server.use(
      http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())),
      http.get(api('/roadmaps/:roadmapId/export'), () =>
        HttpResponse.json({ detail: 'Storage is unavailable.', code: 'storage_unavailable' }, { status: 503 }),
      ),
    );
    const onExport = vi.fn((format: string, event: { preventDefault: () => void }) => {
      if (format === 'json') event.preventDefault();
    });
    renderWithProvider(<RoadmapView roadmapId="learn-rust-00000001" onExport={onExport} />);
    await screen.findByRole('heading', { name: 'Learn Rust' });
    await userEvent.click(screen.getByRole('button', { name: 'Markdown (.md)' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not export: Storage is unavailable.');
    await userEvent.click(screen.getByRole('button', { name: 'JSON (.json)' }));
    expect(onExport.mock.calls.map(([format]) => format)).toEqual(['md', 'json']);
    expect(clicked).toEqual([]);
  });
});

describe('ConceptContent failed items', () => {
  const failedDetail: ConceptDetail = {
    ...conceptDetail,
    concept: { ...conceptDetail.concept, quiz_status: 'failed' },
    quiz: null,
    item_errors: { tutorial: null, resources: null, quiz: 'The model answered with an invalid quiz.' },
  };

  it('shows why an item failed and retries it', async () => {
    let current = failedDetail;
    const retries: string[] = [];
    server.use(
      http.get(api('/roadmaps/r-1/concepts/c-1'), () => HttpResponse.json(current)),
      http.get(api('/roadmaps/r-1/concepts/c-1/:kind/versions'), () => HttpResponse.json({ versions: [] })),
      http.post(api('/roadmaps/r-1/concepts/c-1/:kind/retry'), ({ params }) => {
        retries.push(String(params.kind));
        current = {
          ...failedDetail,
          concept: { ...failedDetail.concept, quiz_status: 'pending' },
          item_errors: undefined,
        };
        return HttpResponse.json(
          { success: true, concept_id: 'c-1', content_type: 'quiz', task_id: 't-1', message: 'Retrying' },
          { status: 202 },
        );
      }),
    );
    const { container } = renderWithProvider(
      <ConceptContent roadmapId="r-1" conceptId="c-1" renderMarkdown={(source) => source} />,
    );
    const quiz = within(await screen.findByRole('region', { name: 'Quiz' }));
    expect(quiz.getByText(/The quiz could not be generated\./).textContent).toBe(
      'The quiz could not be generated. The model answered with an invalid quiz.',
    );
    expect(quiz.queryByText('Not generated yet.')).toBeNull();
    // Only the quiz failed.
    expect(container.querySelectorAll('[data-slot="item-failure"]')).toHaveLength(1);
    await expectNoAxeViolations(container);
    await userEvent.click(quiz.getByRole('button', { name: `Retry quiz of ${conceptDetail.concept.name}` }));
    await waitFor(() => expect(container.querySelector('[data-slot="item-failure"]')).toBeNull());
    expect(retries).toEqual(['quiz']);
    expect(quiz.getByText('Not generated yet.')).toBeTruthy();
  });

  it('shows a refused retry, in Chinese with chineseLabels', async () => {
    server.use(
      http.get(api('/roadmaps/r-1/concepts/c-1'), () => HttpResponse.json(failedDetail)),
      http.get(api('/roadmaps/r-1/concepts/c-1/:kind/versions'), () => HttpResponse.json({ versions: [] })),
      http.post(api('/roadmaps/r-1/concepts/c-1/:kind/retry'), () =>
        HttpResponse.json({ detail: 'The task is still running.', code: 'invalid_input' }, { status: 400 }),
      ),
    );
    renderWithProvider(<ConceptContent roadmapId="r-1" conceptId="c-1" renderMarkdown={(source) => source} />, {
      labels: chineseLabels,
    });
    const quiz = within(await screen.findByRole('region', { name: '测验' }));
    expect(quiz.getByText(/测验生成失败。/)).toBeTruthy();
    await userEvent.click(quiz.getByRole('button', { name: `重试「${conceptDetail.concept.name}」的测验` }));
    expect((await quiz.findByRole('alert')).textContent).toBe('重试失败: The task is still running.');
  });
});
