import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoverObserver, coverPollIntervalMs } from './coverObserver.js';
import { createFakeApi, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { Cover, CoverStatus } from './wireTypes.js';

const cover = (status: CoverStatus, fields: Partial<Cover> = {}): Cover => ({
  roadmap_id: 'r-1',
  cover_image_url: status === 'success' ? 'https://cdn.example.com/r-1.png' : null,
  status,
  error: null,
  retry_count: 0,
  ...fields,
});

function cacheFor(api: FakeApi): RoadmapCache {
  return new RoadmapCache(createRoadmapClient({ baseUrl: 'https://app.example.com', fetch: api.fetch }));
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('CoverObserver', () => {
  it('fetches a cover the cache does not know, once, and shares it with every observer of the cache', async () => {
    const api = createFakeApi({ 'GET /roadmap/r-1/cover-image': () => cover('success') });
    const cache = cacheFor(api);
    const first = new CoverObserver(cache, 'r-1');
    const second = new CoverObserver(cache, 'r-1');
    first.mount(true);
    await settle();
    second.mount(true);
    await settle();
    expect(api.requests).toEqual(['GET /roadmap/r-1/cover-image']);
    expect(second.getCover()).toEqual(cover('success'));
    expect(cache.covers.get('r-1')).toEqual(cover('success'));
  });

  it('retries: generates, then polls every second until the cover settles', async () => {
    const answers = [cover('generating'), cover('generating'), cover('success')];
    const api = createFakeApi({
      'POST /roadmap/r-1/cover-image/generate': () => cover('pending', { retry_count: 1 }),
      'GET /roadmap/r-1/cover-image': () => answers.shift(),
    });
    const observer = new CoverObserver(cacheFor(api), 'r-1');
    observer.mount(false);
    const retry = observer.retry();
    await settle();
    expect(observer.getSnapshot().isRetrying).toBe(true);
    expect(observer.getCover()?.status).toBe('pending');
    await vi.advanceTimersByTimeAsync(coverPollIntervalMs * 2);
    expect(observer.getCover()?.status).toBe('generating');
    await vi.advanceTimersByTimeAsync(coverPollIntervalMs);
    await retry;
    expect(observer.getCover()?.status).toBe('success');
    expect(observer.getSnapshot().isRetrying).toBe(false);
    expect(api.requests.filter((request) => request.startsWith('GET'))).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(coverPollIntervalMs * 5);
    expect(api.requests).toHaveLength(4);
  });

  it('stops polling when unmounted, and shows a failed generation as a failed cover', async () => {
    const api = createFakeApi({
      'POST /roadmap/r-1/cover-image/generate': () => cover('generating'),
      'GET /roadmap/r-1/cover-image': () => cover('generating'),
    });
    const observer = new CoverObserver(cacheFor(api), 'r-1');
    const unmount = observer.mount(false);
    const retry = observer.retry();
    await vi.advanceTimersByTimeAsync(coverPollIntervalMs);
    unmount();
    await retry;
    await vi.advanceTimersByTimeAsync(coverPollIntervalMs * 10);
    expect(api.requests).toEqual(['POST /roadmap/r-1/cover-image/generate', 'GET /roadmap/r-1/cover-image']);

    const failing = createFakeApi({});
    const refused = new CoverObserver(cacheFor(failing), 'r-1');
    refused.mount(false);
    await refused.retry();
    expect(refused.getCover()).toMatchObject({
      status: 'failed',
      error: 'no route for POST /roadmap/r-1/cover-image/generate',
    });
  });
});
