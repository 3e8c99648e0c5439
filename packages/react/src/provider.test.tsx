// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { StrictMode } from 'react';
import { describe, expect, it } from 'vitest';
import { chineseLabels } from './labels.js';
import { RoadmapProvider, useRoadmapClient, useRoadmapLabels } from './provider.js';
import { StatusBadge } from './statusBadge.js';
import { TaskDetail } from './taskDetail.js';
import { TaskList } from './taskList.js';
import {
  api,
  FakeWebSocket,
  fullTask,
  listResponse,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
  taskSummary,
  testClient,
} from './testSupport.js';

setUpTestServer();

function ClientUser() {
  useRoadmapClient();
  return null;
}

function CancelLabel() {
  return <span>{useRoadmapLabels().cancelTask}</span>;
}

describe('RoadmapProvider', () => {
  it('explains the mistake when a hook is used outside a provider', () => {
    const consoleError = console.error;
    console.error = () => {};
    try {
      expect(() => render(<ClientUser />)).toThrow('useRoadmapClient must be used inside <RoadmapProvider>');
    } finally {
      console.error = consoleError;
    }
  });

  it('scopes the CSS and merges replaced labels over the English ones', () => {
    const { container } = renderWithProvider(
      <>
        <StatusBadge status="cancelled" />
        <CancelLabel />
      </>,
      { labels: { cancelTask: 'Stop it' } },
    );
    expect(container.querySelector('.roadmap-root')?.getAttribute('data-theme')).toBe('light');
    expect(screen.getByText('Cancelled').getAttribute('data-status')).toBe('cancelled');
    expect(screen.getByText('Stop it')).toBeTruthy();
  });

  it('speaks Chinese with chineseLabels', () => {
    renderWithProvider(<StatusBadge status="cancelled" />, { labels: chineseLabels });
    expect(screen.getByText('已取消')).toBeTruthy();
  });
});

describe('RoadmapProvider cache', () => {
  const task = fullTask();
  const taskStream = `/ws/${task.task_id}`;

  /** Serves the task, its roadmap and the task list; returns `path bearer-token` of each request, in order. */
  function serve(): string[] {
    const tokens: string[] = [];
    const seen = (request: Request) =>
      tokens.push(`${new URL(request.url).pathname} ${request.headers.get('authorization')}`);
    server.use(
      http.get(api('/roadmaps/:roadmapId'), ({ request }) => {
        seen(request);
        return HttpResponse.json(roadmapFixture());
      }),
      http.get(api('/roadmaps/tasks/:taskId'), ({ request }) => {
        seen(request);
        return HttpResponse.json(task);
      }),
      http.get(api('/roadmaps/tasks'), ({ request }) => {
        seen(request);
        return HttpResponse.json(listResponse([taskSummary(1)]));
      }),
    );
    return tokens;
  }

  it('gives two components watching the same task one request and one socket, and two lists one user stream', async () => {
    const tokens = serve();
    renderWithProvider(
      <>
        <TaskDetail taskId={task.task_id} />
        <TaskDetail taskId={task.task_id} />
        <TaskList />
        <TaskList defaultStatus="processing" />
      </>,
      { strict: true },
    );
    await waitFor(() => expect(screen.getAllByRole('heading', { name: 'Learn Rust 1', level: 2 })).toHaveLength(2));
    await waitFor(() => expect(FakeWebSocket.live(taskStream)).toHaveLength(1));
    expect(FakeWebSocket.live('/api/v1/ws')).toHaveLength(1);
    await waitFor(() => expect(document.querySelectorAll('[data-concept-id="s1-m1-c1"]')).toHaveLength(2));
    // One load of the task, one of its roadmap, one per list filter, though StrictMode mounts everything twice.
    expect(tokens.map((request) => request.split(' ')[0]).sort()).toEqual([
      '/api/v1/roadmaps/learn-rust-00000001',
      '/api/v1/roadmaps/tasks',
      '/api/v1/roadmaps/tasks',
      `/api/v1/roadmaps/tasks/${task.task_id}`,
    ]);
  });

  it('moves to a new client (a new login): loads and follows with it, and closes the old one’s sockets', async () => {
    const tokens = serve();
    const ui = (token: string) => (
      <StrictMode>
        <RoadmapProvider client={testClient(token)}>
          <TaskDetail taskId={task.task_id} />
        </RoadmapProvider>
      </StrictMode>
    );
    const { rerender } = render(ui('token-alice'));
    await waitFor(() => expect(FakeWebSocket.live(taskStream)).toHaveLength(1));
    const [alice] = FakeWebSocket.live(taskStream);
    expect(alice?.query.token).toBe('token-alice');

    rerender(ui('token-bob'));
    await waitFor(() =>
      expect(FakeWebSocket.live(taskStream).map((socket) => socket.query.token)).toContain('token-bob'),
    );
    await waitFor(() => expect(tokens).toHaveLength(4));
    expect(tokens.map((request) => request.split(' ').slice(1).join(' '))).toEqual([
      'Bearer token-alice',
      'Bearer token-alice',
      'Bearer token-bob',
      'Bearer token-bob',
    ]);
    // The old cache's observer stops once unwatched (after its short linger).
    await waitFor(() => expect(alice?.closed).toBe(true), { timeout: 3000 });
    expect(FakeWebSocket.live(taskStream).map((socket) => socket.query.token)).toEqual(['token-bob']);
  });
});
