import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeApi, deferred, errorResponse } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ResourceObserver', () => {
  it('loads with the cache’s client, keeps the data while it loads again, and shows a failure', async () => {
    let answer: unknown = { roadmaps: [{ roadmap_id: 'r-1' }] };
    const api = createFakeApi({ 'GET /roadmaps': () => answer });
    const cache = new RoadmapCache(createRoadmapClient({ baseUrl: 'https://app.example.com', fetch: api.fetch }));
    const observer = cache.resource(
      'roadmaps',
      async (client, signal) => (await client.listRoadmaps({ signal })).roadmaps,
    );
    observer.subscribe(() => {});
    expect(observer.getSnapshot()).toEqual({ data: undefined, isLoading: true, error: null });
    await settle();
    expect(observer.getSnapshot()).toEqual({ data: [{ roadmap_id: 'r-1' }], isLoading: false, error: null });

    answer = errorResponse(503, 'unavailable', 'Try again later');
    const refresh = observer.refresh();
    expect(observer.getSnapshot()).toMatchObject({ data: [{ roadmap_id: 'r-1' }], isLoading: true });
    await refresh;
    expect(observer.getSnapshot()).toMatchObject({ data: [{ roadmap_id: 'r-1' }], isLoading: false });
    expect(observer.getSnapshot().error).toMatchObject({ status: 503, code: 'unavailable', detail: 'Try again later' });
  });

  it('lets the newest load win: an older answer that arrives late is dropped', async () => {
    const answers = [deferred<string>(), deferred<string>()];
    let calls = 0;
    const cache = new RoadmapCache(createRoadmapClient({ baseUrl: 'https://app.example.com' }));
    // A loader that answers even once aborted, as a slow server would.
    const observer = cache.resource('numbers', () => {
      const answer = answers[calls++];
      if (!answer) throw new Error('one load too many');
      return answer.promise;
    });
    observer.subscribe(() => {});
    const second = observer.refresh();
    answers[1]?.resolve('second');
    await second;
    answers[0]?.resolve('first');
    await settle();
    expect(observer.getSnapshot()).toEqual({ data: 'second', isLoading: false, error: null });
  });
});
