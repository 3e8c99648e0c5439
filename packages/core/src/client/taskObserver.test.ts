import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { RoadmapApiError } from './clientErrors.js';
import { createFakeApi, deferred, errorResponse, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { RoadmapEvent, Task } from './wireTypes.js';

const timestamp = '2026-01-15T10:00:00.000Z';
const progress = (completed: number) => ({
  completed,
  failed: 0,
  total: 4,
  percentage: Math.round((100 * completed) / 4),
});
const task: Task = {
  task_id: 't-1',
  user_id: 'u-1',
  roadmap_id: 'learn-rust-1a2b3c4d',
  title: 'Learn Rust',
  status: 'processing',
  current_step: 'content_generation',
  progress: progress(1),
  error_message: null,
  failed_concepts: { count: 0, concept_ids: [] },
  cancel_reason: null,
  pause_reason: null,
  review_round: 0,
  usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
  budget_usd: null,
  attempts: 1,
  created_at: timestamp,
  updated_at: timestamp,
  completed_at: null,
};
const base = { task_id: 't-1', user_id: 'u-1', timestamp };
const conceptComplete = (seq: number, completed: number): RoadmapEvent => ({
  ...base,
  type: 'concept_complete',
  seq,
  concept_id: `c-${seq}`,
  concept_name: 'Ownership',
  content_type: 'tutorial',
  progress: progress(completed),
});

function setUp(api: FakeApi) {
  const client = createRoadmapClient({
    baseUrl: 'https://app.example.com',
    token: 'jwt-1',
    fetch: api.fetch,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
  const observer = new RoadmapCache(client).task('t-1');
  let notified = 0;
  const stop = observer.subscribe(() => {
    notified += 1;
  });
  return { observer, stop, notifications: () => notified };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

async function openStream(): Promise<FakeWebSocket> {
  await settle();
  const [socket] = FakeWebSocket.live('/ws/t-1');
  if (!socket) throw new Error('no stream opened');
  socket.open();
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('TaskObserver', () => {
  it('loads the task, then follows its stream from the start of its log', async () => {
    let current = task;
    const api = createFakeApi({ 'GET /roadmaps/tasks/t-1': () => current });
    const { observer } = setUp(api);
    expect(observer.getSnapshot()).toMatchObject({ task: undefined, isLoading: true, connection: 'connecting' });
    const socket = await openStream();
    expect(socket.query).toEqual({ token: 'jwt-1', since: '0' });
    expect(observer.getSnapshot()).toMatchObject({ task, isLoading: false, error: null, connection: 'open' });

    socket.receive(conceptComplete(1, 2));
    socket.receive(conceptComplete(2, 3));
    expect(observer.getSnapshot().events.map((event) => event.seq)).toEqual([1, 2]);
    expect(observer.getSnapshot().task?.progress.completed).toBe(3);
    // Usage arrives live too (SPEC §7 `usage_updated`).
    const usage = { calls: 5, input_tokens: 4_000, output_tokens: 6_000, cost_usd: 0.0042 };
    socket.receive({ ...base, type: 'usage_updated', seq: 3, usage });
    expect(observer.getSnapshot().task?.usage).toEqual(usage);

    // A `current_status` (sent on connect and after a resync) is the truth about status and progress.
    socket.receive({
      type: 'current_status',
      seq: 3,
      ...base,
      status: 'processing',
      current_step: 'content_generation',
      progress: progress(3),
    });
    expect(observer.getSnapshot().task?.status).toBe('processing');

    // The end: the observer reads the stored task again (it knows what events do not carry), the server closes.
    current = {
      ...task,
      status: 'completed',
      current_step: 'completed',
      progress: progress(4),
      completed_at: timestamp,
    };
    socket.receive({
      ...base,
      type: 'completed',
      seq: 4,
      roadmap_id: task.roadmap_id,
      status: 'completed',
      tutorials_count: 4,
      failed_count: 0,
      progress: progress(4),
    });
    expect(observer.getSnapshot().task?.status).toBe('completed');
    socket.receive({ type: 'closing', seq: 4, task_id: 't-1', timestamp, reason: 'task_completed' });
    await settle();
    expect(observer.getSnapshot().connection).toBe('closed');
    expect(observer.getSnapshot().task).toEqual(current);
    expect(api.requests).toEqual(['GET /roadmaps/tasks/t-1', 'GET /roadmaps/tasks/t-1']);
  });

  it('follows a retried task again from the last event it saw', async () => {
    let current: Task = { ...task, status: 'failed', current_step: 'failed', error_message: 'model down' };
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => current,
      'POST /roadmaps/tasks/t-1/retry': () => {
        current = { ...task, status: 'pending', current_step: 'queued' };
        return { task_id: 't-1', status: 'pending', items_to_retry: 1, message: 'Retrying' };
      },
    });
    const { observer } = setUp(api);
    const socket = await openStream();
    socket.receive(conceptComplete(5, 1));
    socket.receive({ type: 'closing', seq: 5, task_id: 't-1', timestamp, reason: 'task_failed' });
    expect(observer.getSnapshot().connection).toBe('closed');

    await observer.retry();
    await settle();
    expect(observer.getSnapshot().task?.status).toBe('pending');
    const [again] = FakeWebSocket.live('/ws/t-1');
    expect(again).not.toBe(socket);
    expect(again?.query.since).toBe('5');
  });

  it('keeps a refused cancel as its error and rejects with it', async () => {
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => task,
      'POST /roadmaps/tasks/t-1/cancel': () =>
        errorResponse(400, 'task_not_cancellable', 'Task is completed and cannot be cancelled'),
    });
    const { observer } = setUp(api);
    await openStream();
    const refused = observer.cancel('changed my mind');
    await expect(refused).rejects.toSatisfy(
      (error) => RoadmapApiError.isInstance(error) && error.code === 'task_not_cancellable',
    );
    expect(observer.getSnapshot().error?.detail).toBe('Task is completed and cannot be cancelled');
    expect(api.requests.at(-1)).toBe('POST /roadmaps/tasks/t-1/cancel');
  });

  it('retries one content item of the roadmap, then reads the task again', async () => {
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => task,
      'POST /roadmaps/learn-rust-1a2b3c4d/concepts/c-2/quiz/retry': () => ({
        success: true,
        concept_id: 'c-2',
        content_type: 'quiz',
        task_id: 't-1',
        message: 'Retrying',
      }),
    });
    const { observer } = setUp(api);
    await openStream();
    await observer.retryItem('c-2', 'quiz');
    expect(api.requests).toEqual([
      'GET /roadmaps/tasks/t-1',
      'POST /roadmaps/learn-rust-1a2b3c4d/concepts/c-2/quiz/retry',
      'GET /roadmaps/tasks/t-1',
    ]);
  });

  it('stops following a task that was deleted (its stream is refused and the task answers 404) and shows why', async () => {
    let exists = true;
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => (exists ? task : errorResponse(404, 'not_found', 'Task not found.')),
    });
    const { observer } = setUp(api);
    const socket = await openStream();
    exists = false;
    socket.drop();
    await vi.advanceTimersByTimeAsync(1_000);
    const [refused] = FakeWebSocket.live('/ws/t-1');
    refused?.drop();
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ connection: 'closed', error: { status: 404, code: 'not_found' } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.live('/ws/t-1')).toEqual([]);
  });

  it('shows a refused token while the stream waits, and clears it once a new token opens the stream again', async () => {
    let token = 'jwt-1';
    let expired = false;
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => (expired ? errorResponse(401, 'unauthorized', 'Token expired.') : task),
    });
    const observer = new RoadmapCache(
      createRoadmapClient({
        baseUrl: 'https://app.example.com',
        token: () => token,
        fetch: api.fetch,
        WebSocket: FakeWebSocket as unknown as typeof WebSocket,
        random: () => 0,
      }),
    ).task('t-1');
    observer.subscribe(() => {});
    await settle();
    expired = true;
    const [socket] = FakeWebSocket.live('/ws/t-1');
    // Opened with the token that loaded the task, which then expired: the upgrade is refused, and so is REST.
    socket?.drop();
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ connection: 'reconnecting', error: { status: 401 } });
    token = 'jwt-2';
    expired = false;
    await vi.advanceTimersByTimeAsync(500);
    await openStream();
    expect(observer.getSnapshot()).toMatchObject({ connection: 'open', error: null });
  });

  it('shows a failed load and opens no stream', async () => {
    const api = createFakeApi({ 'GET /roadmaps/tasks/t-1': () => errorResponse(404, 'not_found', 'Task not found') });
    const { observer } = setUp(api);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ isLoading: false, task: undefined });
    expect(observer.getSnapshot().error?.code).toBe('not_found');
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('aborts a load in flight when it stops, and then changes nothing', async () => {
    const answer = deferred<Task>();
    const api = createFakeApi({ 'GET /roadmaps/tasks/t-1': () => answer.promise });
    const { observer, stop, notifications } = setUp(api);
    await settle();
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    const seen = notifications();
    answer.resolve(task);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ task: undefined, error: null });
    expect(notifications()).toBe(seen);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('deletes the task: `deleted` turns true, the stream closes and a refresh asks nothing', async () => {
    const api = createFakeApi({ 'GET /roadmaps/tasks/t-1': () => task });
    const answer = deferred<Response>();
    api.route('DELETE /roadmaps/tasks/t-1', () => answer.promise);
    const { observer } = setUp(api);
    const socket = await openStream();
    const deleting = observer.delete();
    expect(observer.getSnapshot().deleted).toBe(false);
    answer.resolve(new Response(null, { status: 204 }));
    await deleting;
    expect(observer.getSnapshot()).toMatchObject({ deleted: true, connection: 'closed', error: null });
    expect(socket.readyState).toBe(3);
    await observer.refresh();
    expect(api.requests).toEqual(['GET /roadmaps/tasks/t-1', 'DELETE /roadmaps/tasks/t-1']);
  });

  it('keeps the server’s refusal of a delete in `error` and rejects with it', async () => {
    const api = createFakeApi({
      'GET /roadmaps/tasks/t-1': () => task,
      'DELETE /roadmaps/tasks/t-1': () => errorResponse(403, 'forbidden', 'Not your task.'),
    });
    const { observer } = setUp(api);
    await openStream();
    await expect(observer.delete()).rejects.toMatchObject({ status: 403 });
    expect(observer.getSnapshot()).toMatchObject({ deleted: false, error: { detail: 'Not your task.' } });
  });
});
