import { afterEach, describe, expect, it } from 'vitest';
import type { BlobStore } from '../covers/blobStore.js';
import { createMemoryBlobStore } from '../covers/memoryBlobStore.js';
import type { RoadmapEvent } from '../domain/events.js';
import { RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import { createWorld, learnGo, settle, terminalEvent, type World } from '../testing/engineTestSupport.js';
import { faultTimes, onMethods, withStorageFaults } from '../testing/faults.js';
import type { RoadmapEngine } from './engine.js';

// SPEC §9: deleting a task (an active one is cancelled first, its calls aborted) and erasing a user, through the
// engine on the scripted model and the manual clock.

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

/** A memory blob store that can be made to fail its next deletes, and tells which keys it holds. */
function createFlakyBlobStore() {
  const inner = createMemoryBlobStore();
  let failures = 0;
  const store: BlobStore & { has(key: string): Promise<boolean>; failNextDeletes(count: number): void } = {
    specificationVersion: 'v1',
    put: (key, data, options) => inner.put(key, data, options),
    get: (key) => inner.get(key),
    has: async (key) => (await inner.get(key)) !== null,
    async delete(key) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('The blob store is down');
      }
      await inner.delete(key);
    },
    failNextDeletes(count) {
      failures = count;
    },
  };
  return store;
}

/** Resolves once the roadmap's cover is `success` (generated in the background once the roadmap is stored). */
async function coverStored(engine: RoadmapEngine, storage: Storage, roadmapId: string): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const cover = await storage.getCover(roadmapId);
    if (cover?.status === 'success' && cover.blob_key !== null) return cover.blob_key;
    await settle();
  }
  throw new Error(`The cover of ${roadmapId} was never stored (${engine.constructor.name})`);
}

/** A finished task of `userId` with its cover image stored: its ids and the cover's blob key. */
async function finishedTask(engine: RoadmapEngine, userId: string) {
  const { task } = await engine.generate({ userId, request: learnGo });
  expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
  const blobKey = await coverStored(engine, world.storage, task.roadmap_id);
  return { taskId: task.task_id, roadmapId: task.roadmap_id, blobKey };
}

/** Every event the engine delivers from now on. */
function recordEvents(engine: RoadmapEngine): RoadmapEvent[] {
  const seen: RoadmapEvent[] = [];
  engine.subscribe((event) => seen.push(event));
  return seen;
}

/** Proves through the engine and storage that nothing of `userId` is left, and that the blobs are gone. */
async function expectNothingOf(
  engine: RoadmapEngine,
  blobStore: ReturnType<typeof createFlakyBlobStore>,
  userId: string,
  blobKeys: string[],
) {
  expect(await engine.listTasks({ userId })).toMatchObject({ tasks: [], total: 0 });
  expect(await engine.listRoadmaps(userId)).toEqual({ roadmaps: [], next_cursor: null });
  expect(await world.storage.listEvents({ userId })).toEqual([]);
  expect(await world.storage.listBlobDeletions({ userId, limit: 10 })).toEqual([]);
  for (const key of blobKeys) expect(await blobStore.has(key)).toBe(false);
}

describe('engine.deleteTask', () => {
  it('cancels a running task first — its in-flight calls aborted — then deletes everything of it; one deleted event is all that is left', async () => {
    world = createWorld();
    const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
    const blobStore = createFlakyBlobStore();
    const engine = await world.engine(model, { blobStore });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await model.waitForCalls(2, { operation: 'quiz' });
    const blobKey = await coverStored(engine, world.storage, task.roadmap_id);
    const inFlight = model.inFlight.length;
    expect(inFlight).toBeGreaterThan(0);
    const seen = recordEvents(engine);

    await engine.deleteTask('u1', task.task_id);

    // The calls in flight were aborted (the cancel path), and none is left running.
    expect(model.aborts.length).toBeGreaterThanOrEqual(inFlight);
    expect(model.inFlight).toEqual([]);
    expect(await engine.getTask(task.task_id)).toBeNull();
    expect(await engine.getRoadmap(task.roadmap_id)).toBeNull();
    expect(await engine.listTasks({ userId: 'u1' })).toMatchObject({ tasks: [], total: 0 });
    expect(await world.storage.getCover(task.roadmap_id)).toBeNull();
    expect(await blobStore.has(blobKey)).toBe(false);
    // Listeners saw the cancel, then exactly one deleted event; the log keeps only the latter.
    const deleted = seen.filter((event) => event.type === 'deleted');
    expect(deleted).toEqual([
      expect.objectContaining({ type: 'deleted', task_id: task.task_id, user_id: 'u1', roadmap_id: task.roadmap_id }),
    ]);
    expect(await engine.listEvents({ taskId: task.task_id })).toEqual(deleted);
    expect(await engine.listEvents({ userId: 'u1' })).toEqual(deleted);

    // Time passes, sweeps run: nothing brings the task back or asks the model again.
    const calls = model.calls.length;
    await world.clock.advance(5 * 30_000);
    await settle();
    expect(await engine.listTasks({ userId: 'u1' })).toMatchObject({ total: 0 });
    expect(model.calls.length).toBe(calls);
  });

  it('deletes a pending task before any worker takes it, and a finished one with its cover image', async () => {
    world = createWorld();
    const blobStore = createFlakyBlobStore();
    const engine = await world.engine(world.model(), { blobStore });
    const api = await world.engine(world.model(), { worker: false, blobStore });
    const finished = await finishedTask(engine, 'u1');
    await engine.stop();
    const { task: pending } = await api.generate({ userId: 'u1', request: learnGo });

    await api.deleteTask('u1', pending.task_id);
    await api.deleteTask('u1', finished.taskId);

    expect(await api.listTasks({ userId: 'u1' })).toMatchObject({ total: 0 });
    expect(await blobStore.has(finished.blobKey)).toBe(false);
    const left = await api.listEvents({ userId: 'u1' });
    expect(left.map((event) => [event.type, event.task_id])).toEqual([
      ['deleted', pending.task_id],
      ['deleted', finished.taskId],
    ]);
  });

  it("refuses another user's task (forbidden) and an unknown one (not_found), deleting nothing", async () => {
    world = createWorld();
    const engine = await world.engine(world.model());
    const { taskId } = await finishedTask(engine, 'owner');
    const before = await engine.listEvents({ taskId });

    await expect(engine.deleteTask('intruder', taskId)).rejects.toMatchObject({ code: 'forbidden' });
    await expect(engine.deleteTask('owner', '00000000-0000-4000-8000-00000000dead')).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await engine.getTask(taskId)).toMatchObject({ status: 'completed' });
    expect(await engine.listEvents({ taskId })).toEqual(before);
  });

  it('a blob store that fails leaves the image queued; the sweep deletes it later, and the task is gone at once', async () => {
    world = createWorld();
    const blobStore = createFlakyBlobStore();
    const engine = await world.engine(world.model(), { blobStore });
    const { taskId, blobKey } = await finishedTask(engine, 'u1');
    blobStore.failNextDeletes(1);

    await engine.deleteTask('u1', taskId);

    expect(await engine.getTask(taskId)).toBeNull();
    expect(await blobStore.has(blobKey)).toBe(true);
    expect(await world.storage.listBlobDeletions({ limit: 10 })).toEqual([{ blob_key: blobKey, user_id: 'u1' }]);
    expect(await engine.sweepDataLifecycle()).toMatchObject({ blobs: 1 });
    expect(await blobStore.has(blobKey)).toBe(false);
    expect(await world.storage.listBlobDeletions({ limit: 10 })).toEqual([]);
  });
});

describe('engine.deleteUser', () => {
  it("erases every task (running ones cancelled first), row and image of the user, returns the counts, leaves another user's data, and a repeat returns zeros", async () => {
    world = createWorld();
    const model = world.model();
    const blobStore = createFlakyBlobStore();
    const engine = await world.engine(model, { blobStore, userConcurrency: 5 });
    const first = await finishedTask(engine, 'u1');
    const second = await finishedTask(engine, 'u1');
    const stranger = await finishedTask(engine, 'u2');
    const strangerEvents = await engine.listEvents({ userId: 'u2' });
    const removeHang = model.addRule({ operation: 'quiz', hang: true });
    const quizzes = model.callCount({ operation: 'quiz' });
    const { task: running } = await engine.generate({ userId: 'u1', request: learnGo });
    await model.waitForCalls(quizzes + 1, { operation: 'quiz' });
    const runningCover = await coverStored(engine, world.storage, running.roadmap_id);
    removeHang();
    const eventsBefore = (await engine.listEvents({ userId: 'u1' })).length;

    const deleted = await engine.deleteUser('u1');

    expect(model.inFlight).toEqual([]);
    // Three tasks with their roadmaps (the running one's too), 18 items each for the demo-sized roadmap, their
    // covers and images; every event of the user, the running task's cancel included.
    expect(deleted).toMatchObject({ tasks: 3, roadmaps: 3, covers: 3, blobs: 3 });
    expect(deleted.items).toBeGreaterThan(0);
    expect(deleted.events).toBe(eventsBefore + 1);
    await expectNothingOf(engine, blobStore, 'u1', [first.blobKey, second.blobKey, runningCover]);
    expect(await engine.getTask(stranger.taskId)).toMatchObject({ status: 'completed' });
    expect(await engine.listEvents({ userId: 'u2' })).toEqual(strangerEvents);
    expect(await blobStore.has(stranger.blobKey)).toBe(true);

    expect(await engine.deleteUser('u1')).toEqual({
      tasks: 0,
      roadmaps: 0,
      items: 0,
      events: 0,
      covers: 0,
      blobs: 0,
    });
  });

  it('is resumable: a call that fails midway (storage, then the blob store) is finished by the next, and the counts add up', async () => {
    world = createWorld();
    const blobStore = createFlakyBlobStore();
    const storage = withStorageFaults(world.storage);
    const engine = await world.engine(world.model(), { blobStore, storage });
    const tasks = [
      await finishedTask(engine, 'u1'),
      await finishedTask(engine, 'u1'),
      await finishedTask(engine, 'u1'),
    ];
    const events = (await engine.listEvents({ userId: 'u1' })).length;

    // The second task's delete fails (its transaction never commits): the first is gone, the rest are whole.
    let failedOnce = false;
    storage.faults.setFailOn((call) => {
      if (failedOnce || call.method !== 'deleteTask') return false;
      const earlier = storage.faults.calls.filter((entry) => entry.method === 'deleteTask').length;
      failedOnce = earlier === 2;
      return failedOnce;
    });
    await expect(engine.deleteUser('u1')).rejects.toSatisfy(RoadmapError.isInstance);
    expect((await engine.listTasks({ userId: 'u1' })).total).toBe(2);
    for (const task of await engine.listTasks({ userId: 'u1' }).then((page) => page.tasks)) {
      expect(await engine.getRoadmap(task.roadmap_id)).not.toBeNull();
    }

    // Then every task is deleted, but the blob store fails: the images stay queued.
    storage.faults.setFailOn(undefined);
    blobStore.failNextDeletes(1);
    await expect(engine.deleteUser('u1')).rejects.toThrow('The blob store is down');
    expect((await engine.listTasks({ userId: 'u1' })).total).toBe(0);

    const last = await engine.deleteUser('u1');
    expect(last).toMatchObject({ tasks: 0, roadmaps: 0, covers: 0, blobs: 3 });
    await expectNothingOf(
      engine,
      blobStore,
      'u1',
      tasks.map((task) => task.blobKey),
    );
    expect(events).toBeGreaterThan(0);
  });
});

describe('checkpoint pruning (SPEC §9)', () => {
  it('a task that completes keeps no step checkpoint; one that failed before its roadmap keeps them for a retry', async () => {
    world = createWorld();
    const model = world.model({
      script: [{ operation: 'curriculum_design', times: 1, fail: new RoadmapError('invalid_input', 'bad request') }],
    });
    const engine = await world.engine(model, { retry: { retries: 0 } });
    const { task: failing } = await engine.generate({ userId: 'u1', request: learnGo });
    expect(await terminalEvent(engine, failing.task_id)).toMatchObject({ type: 'failed' });
    expect(Object.keys(await world.storage.getCheckpoints(failing.task_id))).toContain('intent');

    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const done = await terminalEvent(engine, task.task_id);
    expect(done).toMatchObject({ type: 'completed' });
    // Pruned before the terminal event was announced.
    expect(await world.storage.getCheckpoints(task.task_id)).toEqual({});
  });

  it('the sweep prunes what a task end missed (its prune failed), in batches', async () => {
    world = createWorld();
    const storage = withStorageFaults(world.storage, { failOn: faultTimes(2, onMethods('pruneCheckpoints')) });
    const engine = await world.engine(world.model(), { storage });
    const first = await finishedTask(engine, 'u1');
    const second = await finishedTask(engine, 'u1');
    for (const { taskId } of [first, second]) {
      expect(Object.keys(await world.storage.getCheckpoints(taskId))).toContain('curriculum');
    }

    expect((await engine.sweepDataLifecycle()).checkpoints).toBeGreaterThanOrEqual(4);
    for (const { taskId } of [first, second]) expect(await world.storage.getCheckpoints(taskId)).toEqual({});
    expect(await engine.sweepDataLifecycle()).toEqual({ checkpoints: 0, blobs: 0 });
  });
});
