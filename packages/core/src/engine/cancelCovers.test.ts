import { afterEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../covers/blobStore.js';
import type { ImageProvider, ImageRequest } from '../covers/imageProvider.js';
import { abortError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import { createWorld, learnGo, settle, type World } from '../testing/engineTestSupport.js';
import type { RoadmapEngine } from './engine.js';

// SPEC §2 "Cancellation": a cancel aborts every in-flight model **and image** call of the task. A cover being
// generated for the cancelled task's roadmap is aborted through its signal and writes nothing more; the cover goes
// back to `not_started` (a user can still generate it by hand).

/** An image provider whose calls never answer until their signal aborts (or, with `fail`, fail at once). */
function createHangingImageProvider(options: { fail?: boolean } = {}) {
  const requests: ImageRequest[] = [];
  const waiters: (() => void)[] = [];
  const provider: ImageProvider & { requests: ImageRequest[]; started(): Promise<ImageRequest> } = {
    specificationVersion: 'v1',
    provider: 'hanging',
    requests,
    started() {
      const first = requests[0];
      if (first) return Promise.resolve(first);
      return new Promise((resolve) => waiters.push(() => resolve(requests[0] as ImageRequest)));
    },
    generate(request) {
      requests.push(request);
      for (const wake of waiters.splice(0)) wake();
      if (options.fail) return Promise.reject(new Error('The image service is down'));
      return new Promise((_, reject) => {
        const signal = request.abortSignal;
        if (signal.aborted) reject(abortError(signal));
        else signal.addEventListener('abort', () => reject(abortError(signal)), { once: true });
      });
    },
  };
  return provider;
}

/** A blob store that records every write. */
function createRecordingBlobStore() {
  const puts: string[] = [];
  const store: BlobStore & { puts: string[] } = {
    specificationVersion: 'v1',
    puts,
    async put(key) {
      puts.push(key);
      return { url: `https://cdn.test/${key}` };
    },
    async get() {
      return null;
    },
    async delete() {},
  };
  return store;
}

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

interface Running {
  worker: RoadmapEngine;
  provider: ReturnType<typeof createHangingImageProvider>;
  blobStore: ReturnType<typeof createRecordingBlobStore>;
  taskId: string;
  roadmapId: string;
  request: ImageRequest;
}

/** A task in content generation (its quiz calls hang) whose cover generation hangs in the image provider. */
async function taskWithCoverInFlight(): Promise<Running> {
  world = createWorld();
  const provider = createHangingImageProvider();
  const blobStore = createRecordingBlobStore();
  const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
  const worker = await world.engine(model, { imageProvider: provider, blobStore });
  const { task } = await worker.generate({ userId: 'u1', request: learnGo });
  const request = await provider.started();
  await model.waitForCalls(1, { operation: 'quiz' });
  expect((await world.storage.getCover(task.roadmap_id))?.status).toBe('generating');
  return { worker, provider, blobStore, taskId: task.task_id, roadmapId: task.roadmap_id, request };
}

/** After a cancel: the image call was aborted, and nothing about the cover is written any more. */
async function expectCoverStopped(running: Running): Promise<void> {
  const { request, provider, blobStore, roadmapId, taskId } = running;
  expect(request.abortSignal.aborted).toBe(true);
  await settle();
  const afterCancel = await world.storage.getCover(roadmapId);
  expect(afterCancel).toMatchObject({ status: 'not_started', error: null, cover_image_url: null, retry_count: 0 });
  const logged = await world.storage.listEvents({ taskId });
  // Past the sweeper's stale limit and several sweeps: the cover is not taken up again on its own.
  await world.clock.advance(6 * 60_000);
  await settle();
  expect(await world.storage.getCover(roadmapId)).toEqual(afterCancel);
  expect(provider.requests).toHaveLength(1);
  expect(blobStore.puts).toEqual([]);
  expect(await world.storage.listEvents({ taskId })).toEqual(logged);
  const coverStatuses = logged.flatMap((event) => (event.type === 'cover_updated' ? [event.status] : []));
  expect(coverStatuses).toEqual(['pending', 'generating', 'not_started']);
  // The `cancelled` event is stored with the status, so it comes before the cover's reset — and only once.
  const order = logged.flatMap((event) =>
    event.type === 'cancelled' ? ['cancelled'] : event.type === 'cover_updated' ? [event.status] : [],
  );
  expect(order).toEqual(['pending', 'generating', 'cancelled', 'not_started']);
}

describe('cancel stops the task’s cover generation', () => {
  it('engine.cancel aborts the image call in flight and leaves the cover not_started', async () => {
    const running = await taskWithCoverInFlight();

    await running.worker.cancel(running.taskId, { userId: 'u1', reason: 'changed my mind' });

    await expectCoverStopped(running);
  });

  it('a cancel accepted by another engine reaches the cover through the queue broadcast', async () => {
    const running = await taskWithCoverInFlight();
    const api = await world.engine(world.model(), { worker: false });

    await api.cancel(running.taskId, { userId: 'u1' });

    await expectCoverStopped(running);
  });

  it('a cover of a cancelled task can still be generated by hand', async () => {
    const running = await taskWithCoverInFlight();
    await running.worker.cancel(running.taskId, { userId: 'u1' });
    await settle();
    running.provider.generate = async () => ({ kind: 'url', url: 'https://images.test/cover.png' });

    await running.worker.covers.generate(running.roadmapId, { userId: 'u1' });
    await settle();

    expect(await running.worker.covers.get(running.roadmapId)).toMatchObject({
      status: 'success',
      cover_image_url: 'https://images.test/cover.png',
    });
  });
});

describe('cancel and the cover’s automatic generation', () => {
  it('an automatic start that lands after the cancel calls no provider and leaves the cover not_started', async () => {
    world = createWorld();
    const provider = createHangingImageProvider();
    // Holds the pipeline's automatic `not_started → pending` until the task is cancelled.
    let releaseTrigger!: () => void;
    const triggerGate = new Promise<void>((resolve) => {
      releaseTrigger = resolve;
    });
    let triggerHeld!: () => void;
    const held = new Promise<void>((resolve) => {
      triggerHeld = resolve;
    });
    const storage = new Proxy(world.storage, {
      get(target, property) {
        if (property === 'transitionCover') {
          return async (...args: Parameters<Storage['transitionCover']>) => {
            const [, change] = args;
            if (change.to === 'pending' && change.from.length === 1 && change.from[0] === 'not_started') {
              triggerHeld();
              await triggerGate;
            }
            return target.transitionCover(...args);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
    const engine = await world.engine(model, {
      storage,
      imageProvider: provider,
      blobStore: createRecordingBlobStore(),
    });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await held;
    await model.waitForCalls(1, { operation: 'quiz' });

    await engine.cancel(task.task_id, { userId: 'u1' });
    releaseTrigger();
    await settle(20);

    expect(provider.requests).toEqual([]);
    expect(await world.storage.getCover(task.roadmap_id)).toMatchObject({ status: 'not_started' });
    const events = await world.storage.listEvents({ taskId: task.task_id });
    const coverStatuses = events.flatMap((event) => (event.type === 'cover_updated' ? [event.status] : []));
    expect(coverStatuses).toEqual(['pending', 'not_started']);
  });

  it('a failed cover keeps its error but is no longer retried automatically', async () => {
    world = createWorld();
    const provider = createHangingImageProvider({ fail: true });
    const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
    const engine = await world.engine(model, { imageProvider: provider, blobStore: createRecordingBlobStore() });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await provider.started();
    await model.waitForCalls(1, { operation: 'quiz' });
    await settle();
    expect(await world.storage.getCover(task.roadmap_id)).toMatchObject({ status: 'failed', retry_count: 1 });

    await engine.cancel(task.task_id, { userId: 'u1' });
    await world.clock.advance(10 * 60_000);
    await settle();

    expect(provider.requests).toHaveLength(1);
    expect(await world.storage.getCover(task.roadmap_id)).toMatchObject({
      status: 'failed',
      error: 'The image service is down',
      next_attempt_at: null,
    });
  });
});

describe('pause stops the task’s image calls too (SPEC §7)', () => {
  it('pause with abort_in_flight aborts the cover’s image call; the resumed run generates the cover', async () => {
    const running = await taskWithCoverInFlight();
    await running.worker.pause(running.taskId, { userId: 'u1', abortInFlight: true });
    expect(running.request.abortSignal.aborted).toBe(true);
    await settle();
    expect(await world.storage.getCover(running.roadmapId)).toMatchObject({ status: 'not_started' });
    // Paused: past several sweeps, no image call starts.
    await world.clock.advance(6 * 60_000);
    await settle();
    expect(running.provider.requests).toHaveLength(1);

    running.provider.generate = async (request) => {
      running.provider.requests.push(request);
      return { kind: 'url', url: 'https://images.test/cover.png' };
    };
    await running.worker.resume(running.taskId, { userId: 'u1' });
    await settle();
    await world.clock.advance(1_000);
    await settle();
    expect(running.provider.requests).toHaveLength(2);
    expect(await world.storage.getCover(running.roadmapId)).toMatchObject({ status: 'success' });
  });
});
