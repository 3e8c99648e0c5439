import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { createFakeApi, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { RoadmapEvent, RoadmapSummary } from './wireTypes.js';

const timestamp = '2026-01-15T10:00:00.000Z';
const progress = { completed: 1, failed: 0, total: 4, percentage: 25 };

function roadmapSummary(index: number, completedConcepts = 0): RoadmapSummary {
  return {
    roadmap_id: `roadmap-${index}`,
    title: `Roadmap ${index}`,
    total_concepts: 4,
    completed_concepts: completedConcepts,
    task_id: `t-${index}`,
    task_status: 'processing',
    created_at: timestamp,
  };
}

/** A server whose `GET /roadmaps` answers whatever `roadmaps` holds at the time. */
function serve(roadmaps: RoadmapSummary[]): FakeApi {
  return createFakeApi({ 'GET /roadmaps': () => ({ roadmaps: [...roadmaps], next_cursor: null }) });
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

const listReads = (api: FakeApi) => api.requests.filter((request) => request.startsWith('GET /roadmaps')).length;

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoadmapListObserver', () => {
  it('shows a roadmap created elsewhere without a reload, over the user stream the task list shares', async () => {
    const roadmaps = [roadmapSummary(1)];
    const api = serve(roadmaps);
    const cache = cacheFor(api);
    const observer = cache.roadmapList();
    observer.subscribe(() => {});
    cache.taskList().subscribe(() => {});
    await settle();
    expect(observer.getSnapshot().roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual(['roadmap-1']);
    // One user stream for both.
    expect(FakeWebSocket.live('/api/v1/ws')).toHaveLength(1);
    userStream().open();

    // Another tab generated a roadmap: its framework is stored, a progress event arrives.
    roadmaps.unshift(roadmapSummary(2));
    userStream().receive(
      event('t-2', 1, {
        type: 'progress',
        step: 'content_generation',
        status: 'processing',
        message: 'Generating content',
        progress,
      }),
    );
    await settle();
    expect(observer.getSnapshot().roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual(['roadmap-2', 'roadmap-1']);
  });

  it('reads at most once a second while progress streams in, and once more for the last of a burst', async () => {
    const roadmaps = [roadmapSummary(1)];
    const api = serve(roadmaps);
    const observer = cacheFor(api).roadmapList();
    observer.subscribe(() => {});
    await settle();
    userStream().open();
    const before = listReads(api);
    for (let seq = 1; seq <= 10; seq += 1) {
      roadmaps[0] = roadmapSummary(1, seq);
      userStream().receive(
        event('t-1', seq, {
          type: 'concept_complete',
          concept_id: `c-${seq}`,
          concept_name: 'Ownership',
          content_type: 'quiz',
          progress,
        }),
      );
      await settle();
    }
    expect(listReads(api) - before).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(listReads(api) - before).toBe(2);
    expect(observer.getSnapshot().roadmaps[0]?.completed_concepts).toBe(10);
    await vi.advanceTimersByTimeAsync(5000);
    expect(listReads(api) - before).toBe(2);
  });

  it('puts cover_updated events into the cache covers, and ignores events that change no summary', async () => {
    const api = serve([roadmapSummary(1)]);
    const cache = cacheFor(api);
    const observer = cache.roadmapList();
    observer.subscribe(() => {});
    await settle();
    userStream().open();
    const before = listReads(api);
    userStream().receive(
      event('t-1', 1, {
        type: 'cover_updated',
        roadmap_id: 'roadmap-1',
        status: 'success',
        cover_image_url: '/api/v1/cover-images/roadmap-1.png',
      }),
    );
    userStream().receive(event('t-1', 2, { type: 'usage_updated', usage: progress }));
    await settle();
    expect(cache.covers.get('roadmap-1')).toEqual({
      roadmap_id: 'roadmap-1',
      status: 'success',
      cover_image_url: '/api/v1/cover-images/roadmap-1.png',
      error: null,
      retry_count: 0,
    });
    expect(listReads(api)).toBe(before);
  });

  it('stops following the stream when nobody watches', async () => {
    const observer = cacheFor(serve([roadmapSummary(1)])).roadmapList();
    const stop = observer.subscribe(() => {});
    await settle();
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeWebSocket.live('/api/v1/ws')).toHaveLength(0);
  });

  it('drops a deleted roadmap at once on its `deleted` event, and keeps it out of a read that still lists it', async () => {
    const roadmaps = [roadmapSummary(1), roadmapSummary(2)];
    const api = serve(roadmaps);
    const observer = cacheFor(api).roadmapList();
    observer.subscribe(() => {});
    await settle();
    userStream().open();
    userStream().receive(event('t-2', 5, { type: 'deleted', roadmap_id: 'roadmap-2' }));
    expect(observer.getSnapshot().roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual(['roadmap-1']);
    expect(listReads(api)).toBe(1);
    // A replica that has not caught up yet still lists it; a replayed event of the task changes nothing.
    userStream().receive(event('t-2', 4, { type: 'cancelled', reason: null, previous_status: 'processing', progress }));
    await observer.refresh();
    expect(observer.getSnapshot().roadmaps.map((roadmap) => roadmap.roadmap_id)).toEqual(['roadmap-1']);
    expect(listReads(api)).toBe(2);
  });
});
