import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { createFakeApi, deferred, errorResponse, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { RoadmapEvent, Task, TaskListResponse, TaskStatus, TaskSummary } from './wireTypes.js';

const timestamp = '2026-01-15T10:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 4, percentage: 25 };

function summary(index: number, status: TaskStatus = 'processing', minutesAgo = index): TaskSummary {
  return {
    task_id: `t-${index}`,
    roadmap_id: `roadmap-${index}`,
    title: `Task ${index}`,
    status,
    current_step: status === 'processing' ? 'content_generation' : 'completed',
    progress,
    created_at: new Date(Date.parse(timestamp) - minutesAgo * 60_000).toISOString(),
    updated_at: timestamp,
    completed_at: null,
    error_message: null,
    usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  };
}

/** `GET /roadmaps/tasks` over `tasks` for a `status` filter, with the counts of all of them. */
function listOf(tasks: TaskSummary[], status?: string | null): TaskListResponse {
  const count = (wanted: TaskStatus) => tasks.filter((task) => task.status === wanted).length;
  const shown = status ? tasks.filter((task) => task.status === status) : tasks;
  return {
    tasks: shown,
    total: shown.length,
    pending_count: count('pending'),
    processing_count: count('processing'),
    completed_count: count('completed'),
    failed_count: count('failed') + count('partial_failure'),
    cancelled_count: count('cancelled'),
  };
}

function serve(tasks: TaskSummary[]): FakeApi {
  return createFakeApi({
    'GET /roadmaps/tasks': ({ url }) => listOf(tasks, url.searchParams.get('status')),
  });
}

function cacheFor(api: FakeApi): RoadmapCache {
  const client = createRoadmapClient({
    baseUrl: 'https://app.example.com',
    token: 'jwt-1',
    fetch: api.fetch,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
  return new RoadmapCache(client);
}

const settle = () => vi.advanceTimersByTimeAsync(0);

function userStream(): FakeWebSocket {
  const [socket] = FakeWebSocket.live('/api/v1/ws');
  if (!socket) throw new Error('no user stream');
  return socket;
}

const event = (taskId: string, seq: number, fields: Record<string, unknown>): RoadmapEvent =>
  ({ task_id: taskId, user_id: 'u-1', timestamp, seq, ...fields }) as RoadmapEvent;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TaskListObserver', () => {
  it('lists the tasks newest first with counts of all the caller’s tasks', async () => {
    const tasks = [summary(1), summary(2, 'completed'), summary(3, 'partial_failure'), summary(4, 'cancelled')];
    const observer = cacheFor(serve(tasks)).taskList();
    observer.subscribe(() => {});
    expect(observer.getSnapshot()).toEqual({ ids: [], isLoading: true, error: null });
    await settle();
    expect(observer.getSnapshot()).toEqual({ ids: ['t-1', 't-2', 't-3', 't-4'], isLoading: false, error: null });
    expect(observer.rows.get('t-2')).toEqual({ task: tasks[1], error: null });
    expect(observer.getTasks()).toEqual(tasks);
    expect(observer.counts.getSnapshot()).toEqual({
      total: 4,
      pending: 0,
      processing: 1,
      completed: 1,
      failed: 1,
      cancelled: 1,
    });
  });

  it('wakes only the row of the task a live event is about', async () => {
    const observer = cacheFor(serve([summary(1), summary(2), summary(3)])).taskList();
    const woken: string[] = [];
    observer.subscribe(() => woken.push('list'));
    observer.counts.subscribe(() => woken.push('counts'));
    for (const id of ['t-1', 't-2', 't-3']) observer.rows.subscribe(id, () => woken.push(id));
    await settle();
    userStream().open();
    woken.length = 0;
    const before = observer.rows.get('t-1');
    userStream().receive(
      event('t-2', 1, {
        type: 'concept_complete',
        concept_id: 'c-1',
        concept_name: 'Ownership',
        content_type: 'quiz',
        progress: { ...progress, completed: 2, percentage: 50 },
      }),
    );
    expect(woken).toEqual(['t-2']);
    expect(observer.rows.get('t-2')?.task.progress.percentage).toBe(50);
    expect(observer.rows.get('t-1')).toBe(before);
    expect(observer.getTasks()[1]?.progress.percentage).toBe(50);
  });

  it('loads the list again when the user stream resyncs (its events were pruned while it was away)', async () => {
    const tasks = [summary(1), summary(2)];
    const api = serve(tasks);
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    userStream().open();
    userStream().receive({ type: 'connected', task_id: null, seq: 40, timestamp });
    const loads = () => api.requests.filter((request) => request.startsWith('GET /roadmaps/tasks')).length;
    expect(loads()).toBe(1);
    // Meanwhile task 2 completed, and its events are gone from the log: only a reload can tell.
    tasks[1] = summary(2, 'completed');
    userStream().receive({ type: 'resync', task_id: null, seq: 90, timestamp, reason: 'since_before_retained_log' });
    await settle();
    expect(loads()).toBe(2);
    expect(observer.rows.get('t-2')?.task.status).toBe('completed');
    expect(observer.counts.getSnapshot()).toMatchObject({ processing: 1, completed: 1 });
  });

  it('opens the user stream again for a list watched after the stream stopped on a refused token', async () => {
    const api = serve([summary(1)]);
    const cache = cacheFor(api);
    cache.taskList().subscribe(() => {});
    await settle();
    api.route('GET /roadmaps/tasks', () => errorResponse(401, 'unauthorized', 'Token expired.'));
    userStream().drop();
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);

    // Signed in again (the server accepts the token now): a list watched from now on is live again.
    api.route('GET /roadmaps/tasks', ({ url }) => listOf([summary(1)], url.searchParams.get('status')));
    cache.taskList({ status: 'processing' }).subscribe(() => {});
    await settle();
    expect(FakeWebSocket.live('/api/v1/ws')).toHaveLength(1);
  });

  it('moves a task between counts when its status changes, partially failed counted as failed', async () => {
    const observer = cacheFor(serve([summary(1), summary(2)])).taskList();
    observer.subscribe(() => {});
    await settle();
    userStream().receive(
      event('t-1', 4, {
        type: 'completed',
        roadmap_id: 'roadmap-1',
        status: 'partial_failure',
        tutorials_count: 3,
        failed_count: 1,
        progress,
      }),
    );
    expect(observer.rows.get('t-1')?.task).toMatchObject({ status: 'partial_failure', completed_at: timestamp });
    expect(observer.counts.getSnapshot()).toMatchObject({ total: 2, processing: 1, failed: 1 });
  });

  it('shows a cancel at once and rolls it back with the row’s error when the server refuses', async () => {
    const api = serve([summary(1)]);
    const answer = deferred<Response>();
    api.route('POST /roadmaps/tasks/t-1/cancel', () => answer.promise);
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    const cancel = observer.cancelTask('t-1');
    expect(observer.rows.get('t-1')?.task.status).toBe('cancelled');
    expect(observer.counts.getSnapshot()).toMatchObject({ processing: 0, cancelled: 1 });
    answer.resolve(errorResponse(400, 'task_not_cancellable', 'Task is completed and cannot be cancelled'));
    await expect(cancel).rejects.toThrow('Task is completed and cannot be cancelled');
    expect(observer.rows.get('t-1')).toEqual({
      task: summary(1),
      error: { action: 'cancel', message: 'Task is completed and cannot be cancelled' },
    });
    expect(observer.counts.getSnapshot()).toMatchObject({ processing: 1, cancelled: 0 });
  });

  it('cancels selected rows in one request: cancelled at once, the ones the server refused restored', async () => {
    const api = serve([summary(1), summary(2, 'pending'), summary(3), summary(4, 'completed')]);
    const answer = deferred<Response>();
    const bodies: unknown[] = [];
    api.route('POST /roadmaps/tasks/cancel', ({ body }) => {
      bodies.push(body);
      return answer.promise;
    });
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    const cancel = observer.cancelTasks(['t-1', 't-2', 't-3', 't-4']);
    expect(['t-1', 't-2', 't-3', 't-4'].map((id) => observer.rows.get(id)?.task.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'completed',
    ]);
    expect(observer.counts.getSnapshot()).toMatchObject({ processing: 0, pending: 0, cancelled: 3 });
    answer.resolve(
      Response.json({ cancelled: ['t-1', 't-2'], not_cancellable: ['t-3', 't-4'], not_found: [] }, { status: 200 }),
    );
    expect(await cancel).toEqual({ cancelled: ['t-1', 't-2'], not_cancellable: ['t-3', 't-4'], not_found: [] });
    expect(observer.rows.get('t-3')?.task).toEqual(summary(3));
    expect(observer.counts.getSnapshot()).toMatchObject({ processing: 1, cancelled: 2 });
    expect(bodies).toEqual([{ task_ids: ['t-1', 't-2', 't-3', 't-4'] }]);
  });

  it('restores every row when the batch cancel fails', async () => {
    const api = serve([summary(1), summary(2)]);
    api.route('POST /roadmaps/tasks/cancel', () => errorResponse(503, 'storage_unavailable', 'Try again'));
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    await expect(observer.cancelTasks(['t-1', 't-2'])).rejects.toThrow('Try again');
    expect(observer.rows.get('t-1')?.task).toEqual(summary(1));
    expect(observer.rows.get('t-2')?.task).toEqual(summary(2));
  });

  it('shows a retried task pending once the server accepts', async () => {
    const api = serve([summary(1, 'failed')]);
    api.route('POST /roadmaps/tasks/t-1/retry', () => ({
      task_id: 't-1',
      status: 'pending',
      items_to_retry: 2,
      message: 'Retrying',
    }));
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    await observer.retryTask('t-1');
    expect(observer.rows.get('t-1')?.task).toMatchObject({ status: 'pending', current_step: 'queued' });
    expect(observer.counts.getSnapshot()).toMatchObject({ failed: 0, pending: 1 });
  });

  it('lists failed and partially failed tasks under `failed`, newest first, one page long', async () => {
    const tasks = [summary(1, 'failed', 30), summary(2, 'partial_failure', 10), summary(3, 'failed', 20)];
    const api = serve(tasks);
    const observer = cacheFor(api).taskList({ status: 'failed', limit: 2 });
    observer.subscribe(() => {});
    await settle();
    expect(api.requests).toEqual([
      'GET /roadmaps/tasks?status=failed&limit=2',
      'GET /roadmaps/tasks?status=partial_failure&limit=2',
    ]);
    expect(observer.getSnapshot().ids).toEqual(['t-2', 't-3']);
  });

  it('loads the list again when a task it does not show starts', async () => {
    const tasks = [summary(1)];
    const api = serve(tasks);
    const observer = cacheFor(api).taskList();
    observer.subscribe(() => {});
    await settle();
    tasks.unshift(summary(9, 'pending', 0));
    userStream().receive(
      event('t-9', 1, { type: 'progress', step: 'queued', status: 'pending', message: 'Queued', progress }),
    );
    await settle();
    expect(api.requests).toHaveLength(2);
    expect(observer.getSnapshot().ids).toEqual(['t-9', 't-1']);
  });

  it('keeps a list and a task of the same cache live together, each over its own stream', async () => {
    const task: Task = {
      ...summary(1),
      user_id: 'u-1',
      failed_concepts: { count: 0, concept_ids: [] },
      cancel_reason: null,
      pause_reason: null,
      review_round: 0,
      usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      budget_usd: null,
      attempts: 1,
    };
    const api = serve([summary(1), summary(2)]);
    api.route('GET /roadmaps/tasks/t-1', () => task);
    const cache = cacheFor(api);
    const list = cache.taskList();
    const detail = cache.task('t-1');
    list.subscribe(() => {});
    detail.subscribe(() => {});
    await settle();
    const [taskStream] = FakeWebSocket.live('/ws/t-1');
    const halfway = { ...progress, completed: 2, percentage: 50 };
    const step = { type: 'progress', step: 'content_generation', status: 'processing', message: '', progress: halfway };
    // The server sends each event on both streams: the task's (with replay) and the user's.
    taskStream?.receive(event('t-1', 7, step));
    userStream().receive(event('t-1', 7, step));
    expect(detail.getSnapshot().task?.progress.percentage).toBe(50);
    expect(detail.getSnapshot().events.map((received) => received.seq)).toEqual([7]);
    expect(list.rows.get('t-1')?.task.progress.percentage).toBe(50);
    expect(list.rows.get('t-2')?.task.progress.percentage).toBe(25);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  describe('delete (SPEC §9)', () => {
    const deleted = (taskId: string, seq: number) => event(taskId, seq, { type: 'deleted', roadmap_id: 'roadmap-x' });

    it('removes the row at once and keeps it out: after the 204, a late read, a replayed event and a reload', async () => {
      const tasks = [summary(1), summary(2, 'completed'), summary(3)];
      const api = serve(tasks);
      const answer = deferred<Response>();
      api.route('DELETE /roadmaps/tasks/t-2', () => answer.promise);
      const observer = cacheFor(api).taskList();
      observer.subscribe(() => {});
      await settle();
      userStream().open();
      const deleting = observer.deleteTask('t-2');
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3']);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 2, completed: 0, processing: 2 });
      // A read that the server answered before it deleted the task still lists it.
      await observer.refresh();
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3']);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 2, completed: 0 });
      answer.resolve(new Response(null, { status: 204 }));
      await deleting;
      tasks.splice(1, 1);
      userStream().receive(deleted('t-2', 10));
      // The same task's earlier event, replayed after a reconnect, is dropped: no reload, no row.
      userStream().receive(
        event('t-2', 9, { type: 'progress', step: 'content_generation', status: 'processing', message: '', progress }),
      );
      await settle();
      expect(api.requests.filter((request) => request === 'GET /roadmaps/tasks')).toHaveLength(2);
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3']);
      await observer.refresh();
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3']);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 2, completed: 0, processing: 2 });
    });

    it('puts a refused delete back in the same place with the server’s error, live events applied meanwhile', async () => {
      const api = serve([summary(1), summary(2), summary(3)]);
      const answer = deferred<Response>();
      api.route('DELETE /roadmaps/tasks/t-2', () => answer.promise);
      const observer = cacheFor(api).taskList();
      observer.subscribe(() => {});
      await settle();
      userStream().open();
      const deleting = observer.deleteTask('t-2');
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3']);
      const halfway = { ...progress, completed: 2, percentage: 50 };
      userStream().receive(
        event('t-2', 3, {
          type: 'concept_complete',
          concept_id: 'c',
          concept_name: 'C',
          content_type: 'quiz',
          progress: halfway,
        }),
      );
      answer.resolve(errorResponse(403, 'forbidden', 'You may not delete this task.'));
      await expect(deleting).rejects.toMatchObject({ status: 403, detail: 'You may not delete this task.' });
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-2', 't-3']);
      expect(observer.rows.get('t-2')).toEqual({
        task: { ...summary(2), progress: halfway },
        error: { action: 'delete', message: 'You may not delete this task.' },
      });
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 3, processing: 3 });
    });

    it('treats a 404 as already deleted: the row stays out and the promise resolves', async () => {
      const api = serve([summary(1), summary(2)]);
      api.route('DELETE /roadmaps/tasks/t-1', () => errorResponse(404, 'not_found', 'No such task.'));
      const observer = cacheFor(api).taskList();
      observer.subscribe(() => {});
      await settle();
      await observer.deleteTask('t-1');
      expect(observer.getSnapshot().ids).toEqual(['t-2']);
    });

    it('deletes selected rows together: all leave at once, refused ones come back in their places', async () => {
      const api = serve([summary(1), summary(2), summary(3), summary(4), summary(5)]);
      const answers = new Map<string, ReturnType<typeof deferred<Response>>>();
      for (const id of ['t-1', 't-2', 't-4', 't-5']) {
        const answer = deferred<Response>();
        answers.set(id, answer);
        api.route(`DELETE /roadmaps/tasks/${id}`, () => answer.promise);
      }
      const observer = cacheFor(api).taskList();
      observer.subscribe(() => {});
      await settle();
      const deleting = observer.deleteTasks(['t-5', 't-1', 't-2', 't-4']);
      expect(observer.getSnapshot().ids).toEqual(['t-3']);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 1, processing: 1 });
      answers.get('t-1')?.resolve(errorResponse(403, 'forbidden', 'Not yours.'));
      answers.get('t-2')?.resolve(new Response(null, { status: 204 }));
      answers.get('t-4')?.resolve(new Response(null, { status: 204 }));
      answers.get('t-5')?.resolve(errorResponse(500, 'internal_error', 'Try again.'));
      const result = await deleting;
      expect(result.deleted).toEqual(['t-2', 't-4']);
      expect(result.failed.map((failure) => failure.task_id)).toEqual(['t-5', 't-1']);
      expect(observer.getSnapshot().ids).toEqual(['t-1', 't-3', 't-5']);
      expect(observer.rows.get('t-5')?.error).toEqual({ action: 'delete', message: 'Try again.' });
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 3, processing: 3 });
      expect(api.requests.filter((request) => request.startsWith('DELETE'))).toHaveLength(4);
    });

    it('deletes many rows with at most four requests in flight', async () => {
      const tasks = Array.from({ length: 9 }, (_, index) => summary(index + 1));
      const api = serve(tasks);
      let inFlight = 0;
      let most = 0;
      for (const task of tasks) {
        api.route(`DELETE /roadmaps/tasks/${task.task_id}`, async () => {
          inFlight += 1;
          most = Math.max(most, inFlight);
          await Promise.resolve();
          inFlight -= 1;
          return new Response(null, { status: 204 });
        });
      }
      const observer = cacheFor(api).taskList();
      observer.subscribe(() => {});
      await settle();
      const result = await observer.deleteTasks(tasks.map((task) => task.task_id));
      expect(most).toBe(4);
      expect(result).toEqual({ deleted: tasks.map((task) => task.task_id), failed: [] });
      expect(observer.getSnapshot().ids).toEqual([]);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 0, processing: 0 });
    });

    it('removes a task deleted elsewhere when its `deleted` event arrives', async () => {
      const observer = cacheFor(serve([summary(1), summary(2, 'cancelled')])).taskList();
      observer.subscribe(() => {});
      await settle();
      userStream().open();
      userStream().receive(deleted('t-2', 12));
      expect(observer.getSnapshot().ids).toEqual(['t-1']);
      expect(observer.counts.getSnapshot()).toMatchObject({ total: 1, cancelled: 0 });
    });
  });
});
