import { expect } from 'vitest';
import { createMemoryBlobStore } from '../../covers/memoryBlobStore.js';
import { faultOnce, type StorageCall, withStorageFaults } from '../faults.js';
import { learnGo } from './conformanceWorld.js';
import type { EngineScenarioGroup } from './engineScenario.js';

/** Deleting a task and erasing a user (SPEC §9) through the engine, on the storage under test. */
export const dataLifecycleScenarios: EngineScenarioGroup = {
  name: 'data lifecycle',
  scenarios: [
    {
      name: 'deletes a processing task from another engine: every in-flight call aborted, nothing of it left but one deleted event, never brought back',
      async run(world) {
        const model = world.model({ script: [{ operation: 'quiz', hang: true }] });
        const worker = await world.engine(model);
        const api = await world.engine(world.model(), { worker: false });
        const { task } = await api.generate({ userId: 'u1', request: learnGo });
        await model.waitForCalls(1, { operation: 'quiz' });

        await api.deleteTask('u1', task.task_id);
        await world.waitUntil('the worker stops its calls', () => model.inFlight.length === 0);
        await world.quiet();

        expect(model.aborts.length).toBeGreaterThan(0);
        expect(await world.storage.getTask(task.task_id)).toBeNull();
        expect(await world.storage.getRoadmap(task.roadmap_id)).toBeNull();
        expect(await world.storage.listItems(task.roadmap_id)).toEqual([]);
        expect(await world.storage.getCheckpoints(task.task_id)).toEqual({});
        expect(await world.storage.getCover(task.roadmap_id)).toBeNull();
        const left = await world.storage.listEvents({ userId: 'u1' });
        expect(left).toEqual([expect.objectContaining({ type: 'deleted', task_id: task.task_id })]);

        // Sweeps and time: no call is asked again, nothing reappears.
        const calls = model.calls.length;
        await world.clock.advance(120_000);
        await world.quiet();
        expect(model.calls.length).toBe(calls);
        expect(await worker.listTasks({ userId: 'u1' })).toMatchObject({ tasks: [], total: 0 });
        expect(await world.storage.listEvents({ userId: 'u1' })).toEqual(left);
      },
    },
    {
      name: "erases a user's tasks and rows, leaves another user's, and deletes nothing more when repeated",
      async run(world) {
        const engine = await world.engine(world.model());
        const finished = async (userId: string) => {
          const { task } = await engine.generate({ userId, request: learnGo });
          expect(await world.terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
          return task;
        };
        const mine = [await finished('u1'), await finished('u1')];
        const theirs = await finished('u2');
        await world.quiet();
        const theirEvents = await world.storage.listEvents({ userId: 'u2' });

        const deleted = await engine.deleteUser('u1');

        expect(deleted).toMatchObject({ tasks: 2, roadmaps: 2 });
        expect(deleted.items).toBeGreaterThan(0);
        expect(deleted.events).toBeGreaterThan(0);
        for (const task of mine) {
          expect(await world.storage.getTask(task.task_id)).toBeNull();
          expect(await world.storage.getRoadmap(task.roadmap_id)).toBeNull();
        }
        expect(await world.storage.listEvents({ userId: 'u1' })).toEqual([]);
        expect(await world.storage.listTasks({ userId: 'u1' })).toMatchObject({ total: 0 });
        expect(await world.storage.getTask(theirs.task_id)).toMatchObject({ status: 'completed' });
        expect(await world.storage.listEvents({ userId: 'u2' })).toEqual(theirEvents);
        expect(await engine.deleteUser('u1')).toEqual({
          tasks: 0,
          roadmaps: 0,
          items: 0,
          events: 0,
          covers: 0,
          blobs: 0,
        });
      },
    },
    {
      name: 'an erasure that fails midway (a storage fault on its second task) leaves whole tasks, and the next call finishes it',
      async run(world) {
        const storage = withStorageFaults(world.storage);
        // Its own blob store: the fault wrapper would also wrap a file storage's `defaultBlobStore`.
        const engine = await world.engine(world.model(), { storage, blobStore: createMemoryBlobStore() });
        const tasks = [];
        for (let index = 0; index < 3; index += 1) {
          const { task } = await engine.generate({ userId: 'u1', request: learnGo });
          expect(await world.terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
          tasks.push(task);
        }
        await world.quiet();
        const before = storage.faults.calls.length;
        // The call is counted before the predicate is asked: the second deleteTask of this erasure.
        const secondDelete = (call: StorageCall) =>
          storage.faults.calls.slice(before, call.index).filter((entry) => entry.method === 'deleteTask').length === 2;
        storage.faults.setFailOn(faultOnce((call) => call.method === 'deleteTask' && secondDelete(call)));

        await expect(engine.deleteUser('u1')).rejects.toMatchObject({ code: 'storage_error' });
        const left = await world.storage.listTasks({ userId: 'u1' });
        expect(left.total).toBe(2);
        // What is left is whole: each remaining task still has its roadmap and items.
        for (const task of left.tasks) {
          expect(await world.storage.getRoadmap(task.roadmap_id)).not.toBeNull();
          expect((await world.storage.listItems(task.roadmap_id)).length).toBeGreaterThan(0);
        }

        const finished = await engine.deleteUser('u1');
        expect(finished).toMatchObject({ tasks: 2, roadmaps: 2 });
        for (const task of tasks) expect(await world.storage.getTask(task.task_id)).toBeNull();
        expect(await world.storage.listEvents({ userId: 'u1' })).toEqual([]);
        expect(await engine.deleteUser('u1')).toMatchObject({ tasks: 0, roadmaps: 0, items: 0, events: 0 });
      },
    },
  ],
};
