import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { createFakeApi, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { Task, TaskListResponse } from './wireTypes.js';

const timestamp = '2026-01-15T10:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 3, percentage: 33 };
const task: Task = {
  task_id: 't-1',
  user_id: 'u-1',
  roadmap_id: 'learn-rust-1a2b3c4d',
  title: 'Learn Rust',
  status: 'processing',
  current_step: 'content_generation',
  progress,
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
const emptyList: TaskListResponse = {
  tasks: [],
  total: 0,
  pending_count: 0,
  processing_count: 0,
  completed_count: 0,
  failed_count: 0,
  cancelled_count: 0,
};

function serve(): FakeApi {
  return createFakeApi({
    'GET /roadmaps/tasks/t-1': () => task,
    'GET /roadmaps/tasks/t-2': () => ({ ...task, task_id: 't-2' }),
    'GET /roadmaps/tasks': () => emptyList,
  });
}

function cacheFor(api: FakeApi, token = 'jwt-1') {
  const client = createRoadmapClient({
    baseUrl: 'https://app.example.com',
    token,
    fetch: api.fetch,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
  return new RoadmapCache(client, { lingerMs: 1000 });
}

/** Lets answers and socket connects (an awaited token) run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoadmapCache', () => {
  it('gives everyone watching the same task one observer, one request and one socket', async () => {
    const api = serve();
    const cache = cacheFor(api);
    const first = cache.task('t-1');
    const second = cache.task('t-1');
    expect(second).toBe(first);
    const stopFirst = first.subscribe(() => {});
    const stopSecond = second.subscribe(() => {});
    await settle();
    expect(api.requests).toEqual(['GET /roadmaps/tasks/t-1']);
    expect(FakeWebSocket.instances.map((socket) => new URL(socket.url).pathname)).toEqual(['/api/v1/ws/t-1']);
    expect(first.getSnapshot().task?.title).toBe('Learn Rust');
    // Another task is another observer with its own stream.
    const other = cache.task('t-2');
    expect(other).not.toBe(first);
    const stopOther = other.subscribe(() => {});
    await settle();
    expect(FakeWebSocket.instances).toHaveLength(2);
    stopFirst();
    stopSecond();
    stopOther();
  });

  it('closes the socket once the last watcher left, after the linger time', async () => {
    const cache = cacheFor(serve());
    const observer = cache.task('t-1');
    const stopFirst = observer.subscribe(() => {});
    const stopSecond = observer.subscribe(() => {});
    await settle();
    const [socket] = FakeWebSocket.instances;
    socket?.open();
    stopFirst();
    await vi.advanceTimersByTimeAsync(5000);
    expect(socket?.closed).toBe(false);
    stopSecond();
    await vi.advanceTimersByTimeAsync(999);
    expect(socket?.closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(socket?.closedWith).toBe(1000);
    expect(observer.getSnapshot().connection).toBe('closed');
    // Gone from the cache: the next watcher gets a new observer.
    expect(cache.task('t-1')).not.toBe(observer);
  });

  it('keeps the socket and the data for a watcher that comes back within the linger time', async () => {
    const api = serve();
    const cache = cacheFor(api);
    const observer = cache.task('t-1');
    const stop = observer.subscribe(() => {});
    await settle();
    stop();
    await vi.advanceTimersByTimeAsync(999);
    // Unmounted and mounted again (React StrictMode does it on every mount).
    const stopAgain = cache.task('t-1').subscribe(() => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeWebSocket.live('/ws/t-1')).toHaveLength(1);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(api.requests).toEqual(['GET /roadmaps/tasks/t-1']);
    stopAgain();
  });

  it('drops an observer nobody subscribes to, without loading anything', async () => {
    const api = serve();
    const cache = cacheFor(api);
    const observer = cache.task('t-1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(cache.task('t-1')).not.toBe(observer);
    expect(api.requests).toEqual([]);
    expect(FakeWebSocket.instances).toHaveLength(0);
  });

  it('gives every task list one user stream, closed when the last list stops', async () => {
    const api = serve();
    const cache = cacheFor(api);
    const all = cache.taskList();
    expect(cache.taskList({})).toBe(all);
    const processing = cache.taskList({ status: 'processing' });
    expect(processing).not.toBe(all);
    const stopAll = all.subscribe(() => {});
    const stopProcessing = processing.subscribe(() => {});
    await settle();
    expect(api.requests).toEqual(['GET /roadmaps/tasks', 'GET /roadmaps/tasks?status=processing']);
    expect(FakeWebSocket.instances.map((socket) => new URL(socket.url).pathname)).toEqual(['/api/v1/ws']);
    const [socket] = FakeWebSocket.instances;
    stopAll();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket?.closed).toBe(false);
    stopProcessing();
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket?.closedWith).toBe(1000);
  });

  it('shares a resource by key and loads it once', async () => {
    const cache = cacheFor(serve());
    let loads = 0;
    const load = async () => {
      loads += 1;
      return `roadmap ${loads}`;
    };
    const first = cache.resource('roadmap r-1', load);
    expect(cache.resource('roadmap r-1', load)).toBe(first);
    const stops = [first.subscribe(() => {}), first.subscribe(() => {})];
    await settle();
    expect(loads).toBe(1);
    expect(first.getSnapshot()).toEqual({ data: 'roadmap 1', isLoading: false, error: null });
    for (const stop of stops) stop();
  });

  it('picks up a new client: the new cache talks to it, the old one stops once unwatched', async () => {
    const api = serve();
    const before = cacheFor(api, 'jwt-alice');
    const old = before.task('t-1');
    const stopOld = old.subscribe(() => {});
    await settle();
    const [oldSocket] = FakeWebSocket.instances;
    expect(oldSocket?.query.token).toBe('jwt-alice');

    // A new login: a binding moves its watchers to the new client's cache (the React provider does so on a new
    // `client` prop).
    const after = cacheFor(api, 'jwt-bob');
    const current = after.task('t-1');
    expect(current).not.toBe(old);
    const stopCurrent = current.subscribe(() => {});
    stopOld();
    await settle();
    const newSocket = FakeWebSocket.instances[1];
    expect(newSocket?.query.token).toBe('jwt-bob');
    expect(current.getSnapshot().task?.task_id).toBe('t-1');
    await vi.advanceTimersByTimeAsync(1000);
    expect(oldSocket?.closed).toBe(true);
    expect(newSocket?.closed).toBe(false);
    expect(api.requests).toEqual(['GET /roadmaps/tasks/t-1', 'GET /roadmaps/tasks/t-1']);
    stopCurrent();
  });

  it('clear() stops every observer and closes every socket at once', async () => {
    const cache = cacheFor(serve());
    const task = cache.task('t-1');
    task.subscribe(() => {});
    cache.taskList().subscribe(() => {});
    await settle();
    expect(FakeWebSocket.live('/ws/t-1')).toHaveLength(1);
    expect(FakeWebSocket.live('/ws')).toHaveLength(1);
    cache.clear();
    expect(FakeWebSocket.instances.every((socket) => socket.closed)).toBe(true);
    expect(cache.task('t-1')).not.toBe(task);
  });
});
