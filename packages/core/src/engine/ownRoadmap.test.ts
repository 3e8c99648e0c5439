import { afterEach, describe, expect, it } from 'vitest';
import { roadmapIdFor } from '../domain/ids.js';
import { isoTime } from '../shared/clock.js';
import type { Storage } from '../storage/storage.js';
import type { TaskPatch } from '../storage/taskStore.js';
import { createWorld, learnGo, sequentialIds, terminalEvent, type World } from '../testing/engineTestSupport.js';
import { crashAfter, withStorageFaults } from '../testing/faults.js';
import { makeRoadmap, makeTaskRecord } from '../testing/storage/fixtures.js';

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

const leaseMs = 30_000;
const goal = learnGo.preferences.learning_goal;

/** The roadmap id `generate` gives the first task of an engine whose `generateId` is `sequentialIds(prefix)`. */
function firstRoadmapId(prefix: number): string {
  const ids = sequentialIds(prefix);
  ids(); // the task id
  return roadmapIdFor(goal, ids());
}

/** Stores another user's roadmap under `roadmapId`, as data from before roadmap ids were unique left it. */
async function plantForeignRoadmap(storage: Storage, roadmapId: string, now: number) {
  const other = makeTaskRecord({ user_id: 'u2', roadmap_id: roadmapId });
  await storage.createTask(other);
  const fence = { taskId: other.task_id, leaseToken: 'other-worker' };
  await storage.acquireLease(other.task_id, {
    token: fence.leaseToken,
    now,
    expiresAt: now + 1_000 * leaseMs,
    updatedAt: isoTime(now),
  });
  const roadmap = makeRoadmap({ roadmap_id: roadmapId, user_id: 'u2', title: 'Someone else’s Go' });
  expect(await storage.saveRoadmap(fence, roadmap)).toBe(true);
  // That task has since moved on, so nothing refuses the id to a new task.
  expect(await storage.updateTask(fence, { roadmap_id: `moved-${roadmapId}` })).not.toBeNull();
  return {
    roadmap: await storage.getRoadmap(roadmapId),
    items: await storage.listItems(roadmapId),
  };
}

describe("the pipeline trusts only the task's own data", () => {
  it('a crash between storing the roadmap and setting the title is repaired on resume', async () => {
    world = createWorld();
    let announceCrash: () => void = () => {};
    const crashStarted = new Promise<void>((resolve) => {
      announceCrash = resolve;
    });
    let crashed: Promise<void> = Promise.resolve();
    // The process dies at the title write that follows saveRoadmap: it and everything after it never happen.
    const dying = withStorageFaults(world.storage, {
      failOn: crashAfter(0, (call) => call.method === 'updateTask' && (call.args[1] as TaskPatch).title !== undefined, {
        onCrash: () => {
          crashed = engineA.stop({ releaseTasks: false });
          announceCrash();
        },
      }),
    });
    const engineA = await world.engine(world.model(), { storage: dying });
    const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
    await crashStarted;
    await crashed;

    const roadmap = await world.storage.getRoadmap(task.roadmap_id);
    expect(roadmap?.title).toEqual(expect.any(String));
    expect(roadmap?.title).not.toBe(goal);
    expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'processing', title: goal });

    const modelB = world.model();
    const engineB = await world.engine(modelB);
    const done = terminalEvent(engineB, task.task_id);
    await world.clock.advance(leaseMs + 1);
    expect((await done).type).toBe('completed');
    // The design was not repeated (the roadmap is stored), and the title is the roadmap's.
    expect(modelB.callCount({ operation: 'curriculum_design' })).toBe(0);
    expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'completed', title: roadmap?.title });
    expect((await engineB.getTask(task.task_id))?.title).toBe(roadmap?.title);
  });

  it("another user's roadmap under the task's id is never used: the task moves to a new id and designs its own", async () => {
    world = createWorld();
    const takenId = firstRoadmapId(7);
    const planted = await plantForeignRoadmap(world.storage, takenId, world.clock.now());

    const model = world.model();
    const engine = await world.engine(model, { generateId: sequentialIds(7) });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect(task.roadmap_id).toBe(takenId);
    const end = await terminalEvent(engine, task.task_id);
    expect(end.type).toBe('completed');

    const final = await world.storage.getTask(task.task_id);
    expect(final?.roadmap_id).not.toBe(takenId);
    expect(final?.roadmap_id).toMatch(/^learn-go-for-backend-services-[0-9a-f]{8}$/);
    expect(end).toMatchObject({ roadmap_id: final?.roadmap_id });
    const own = await world.storage.getRoadmap(final?.roadmap_id ?? '');
    expect(own).toMatchObject({ user_id: 'u1', goal, title: final?.title });
    expect(model.callCount({ operation: 'curriculum_design' })).toBe(1);
    const ownItems = await world.storage.listItems(final?.roadmap_id ?? '');
    expect(ownItems.length).toBeGreaterThan(0);
    expect(ownItems.every((item) => item.status === 'completed')).toBe(true);

    // The other user's roadmap and its items are exactly as they were.
    expect(await world.storage.getRoadmap(takenId)).toEqual(planted.roadmap);
    expect(await world.storage.listItems(takenId)).toEqual(planted.items);
  });

  it('a new id that another task takes meanwhile is refused by storage, and the next one is tried', async () => {
    world = createWorld();
    const takenId = firstRoadmapId(7);
    await plantForeignRoadmap(world.storage, takenId, world.clock.now());
    // Another task grabs the first new id just before this task's move reaches the storage.
    const inner = world.storage;
    let grabbed: string | undefined;
    const racing = new Proxy(inner, {
      get(target, property) {
        if (property === 'updateTask') {
          return async (...args: Parameters<Storage['updateTask']>) => {
            const wanted = args[1].roadmap_id;
            if (wanted !== undefined && grabbed === undefined) {
              grabbed = wanted;
              await target.createTask(makeTaskRecord({ user_id: 'u3', roadmap_id: wanted }));
            }
            return target.updateTask(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });

    const engine = await world.engine(world.model(), { storage: racing, generateId: sequentialIds(7) });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect((await terminalEvent(engine, task.task_id)).type).toBe('completed');

    const final = await inner.getTask(task.task_id);
    expect(grabbed).toEqual(expect.any(String));
    expect(final?.roadmap_id).not.toBe(takenId);
    expect(final?.roadmap_id).not.toBe(grabbed);
    expect(await inner.getRoadmap(final?.roadmap_id ?? '')).toMatchObject({ user_id: 'u1' });
    expect(await inner.getRoadmap(grabbed ?? '')).toBeNull();
    const holders = await inner.listTasks({ roadmapId: grabbed ?? '' });
    expect(holders.tasks.map((holder) => holder.user_id)).toEqual(['u3']);
  });
});
