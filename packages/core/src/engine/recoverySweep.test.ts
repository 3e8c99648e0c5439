import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import type { Queue } from '../queue/queue.js';
import { isoTime } from '../shared/clock.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import type { RecoverableTaskQuery } from '../storage/taskStore.js';
import { makeTaskRecord } from '../testing/index.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';

const intervalMs = 10_000;
const engines: RoadmapEngine[] = [];

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** A memory storage shared by several engines, each seeing it through its own counting view. */
function sharedStorage(clock: ManualClock) {
  const storage = createMemoryStorage({ now: clock.now });
  const view = () => {
    const reads: RecoverableTaskQuery[] = [];
    const counted: Storage = {
      ...storage,
      listRecoverableTasks: (query) => {
        reads.push(query);
        return storage.listRecoverableTasks(query);
      },
    };
    return { storage: counted, reads };
  };
  return { storage, view };
}

/** A memory queue that records every enqueue (and can be made to fail). */
function countingQueue(clock: ManualClock) {
  const queue = createMemoryQueue({ clock });
  const enqueued: string[] = [];
  const control = { failing: false };
  const counted: Queue = {
    ...queue,
    enqueue: async (taskId, options) => {
      if (control.failing) throw new Error('broker down');
      enqueued.push(taskId);
      return queue.enqueue(taskId, options);
    },
  };
  return { queue: counted, enqueued, control };
}

function engineOn(clock: ManualClock, options: Partial<RoadmapEngineOptions> & Pick<RoadmapEngineOptions, 'storage'>) {
  const engine = new RoadmapEngine({
    queue: createMemoryQueue({ clock }),
    model: createScriptedModel(),
    clock,
    worker: false,
    recovery: true,
    recoveryIntervalMs: intervalMs,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  engines.push(engine);
  return engine;
}

/** Stores `count` pending tasks last touched at `updatedAt` (no job queued for any: as if a broker lost them). */
async function pendingTasks(storage: Storage, count: number, updatedAt: string): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const { task } = await storage.createTask(makeTaskRecord({ updated_at: updatedAt }));
    ids.push(task.task_id);
  }
  return ids;
}

/** Two recovering engines started on one storage, first one first; `reads` counts each one's sweeps. */
async function twoStartedEngines(clock: ManualClock) {
  const { view } = sharedStorage(clock);
  const first = view();
  const second = view();
  const firstEngine = engineOn(clock, { storage: first.storage });
  await firstEngine.start();
  await engineOn(clock, { storage: second.storage }).start();
  return { first, second, firstEngine };
}

describe('RoadmapEngine: recovery sweeps', () => {
  it('pages through every recoverable task 100 at a time by id, enqueueing each once', async () => {
    const clock = createManualClock();
    const { storage, view } = sharedStorage(clock);
    const ids = await pendingTasks(storage, 250, isoTime(clock.now()));
    const { queue, enqueued } = countingQueue(clock);
    const counted = view();
    const engine = engineOn(clock, { storage: counted.storage, queue });

    expect(await engine.recover(true)).toBe(250);
    expect([...enqueued].sort()).toEqual([...ids].sort());
    expect(counted.reads.map((read) => read.limit)).toEqual([100, 100, 100]);
    expect(counted.reads.map((read) => read.afterTaskId)).toEqual([undefined, enqueued[99], enqueued[199]]);
    // Not every pending task on a periodic sweep: only those untouched for an interval.
    expect(await engine.recover(false)).toBe(0);
    clock.set(clock.now() + intervalMs);
    expect(await engine.recover(false)).toBe(250);
  });

  it('runs the periodic sweep in one process at a time; the next takes over when the holder stops', async () => {
    const clock = createManualClock();
    const { first, second, firstEngine } = await twoStartedEngines(clock);
    // Each starting process sweeps once, without the lease.
    expect([first.reads.length, second.reads.length]).toEqual([1, 1]);

    for (let tick = 0; tick < 5; tick += 1) await clock.advance(intervalMs);
    expect([first.reads.length, second.reads.length]).toEqual([6, 1]);

    await firstEngine.stop();
    await clock.advance(intervalMs);
    expect([first.reads.length, second.reads.length]).toEqual([6, 2]);
  });

  it('takes over from a holder that died once its lease lapsed (two intervals)', async () => {
    const clock = createManualClock();
    const { first, second, firstEngine } = await twoStartedEngines(clock);
    await clock.advance(intervalMs);
    expect([first.reads.length, second.reads.length]).toEqual([2, 1]);

    await firstEngine.stop({ releaseTasks: false }); // a crash: nothing more is written, the lease stays
    await clock.advance(intervalMs);
    expect(second.reads.length).toBe(1);
    await clock.advance(intervalMs);
    expect(second.reads.length).toBe(2);
  });

  it('an API-only engine (worker: false) does not recover unless recovery: true asks for it', async () => {
    const clock = createManualClock();
    const { storage, view } = sharedStorage(clock);
    await pendingTasks(storage, 3, isoTime(clock.now() - intervalMs));
    const api = view();
    const apiQueue = countingQueue(clock);
    await engineOn(clock, { storage: api.storage, queue: apiQueue.queue, recovery: undefined }).start();
    await clock.advance(3 * intervalMs);
    expect(api.reads).toEqual([]);
    expect(apiQueue.enqueued).toEqual([]);

    const asked = view();
    const askedQueue = countingQueue(clock);
    await engineOn(clock, { storage: asked.storage, queue: askedQueue.queue }).start();
    expect(askedQueue.enqueued).toHaveLength(3);
  });

  it('a worker engine recovers by default', async () => {
    const clock = createManualClock();
    const { view } = sharedStorage(clock);
    const worker = view();
    const engine = engineOn(clock, { storage: worker.storage, worker: true, recovery: undefined });
    await engine.start();
    expect(worker.reads).toHaveLength(1);
    await engine.stop();
  });

  it('starts while the broker is down: the failed first sweep goes to onError, a later sweep requeues', async () => {
    const clock = createManualClock();
    const { storage } = sharedStorage(clock);
    const ids = await pendingTasks(storage, 2, isoTime(clock.now()));
    const { queue, enqueued, control } = countingQueue(clock);
    const errors: unknown[] = [];
    const engine = engineOn(clock, { storage, queue, onError: (error) => errors.push(error) });
    control.failing = true;
    await engine.start();
    expect(errors.map((error) => (error as Error).message)).toEqual(['broker down']);

    control.failing = false;
    await clock.advance(intervalMs);
    expect([...enqueued].sort()).toEqual([...ids].sort());
  });
});
