import { expect } from 'vitest';
import type { StatusChange } from '../../storage/taskStore.js';
import { frameworkOperations, learnGo, leaseMs } from './conformanceWorld.js';
import type { EngineScenarioGroup } from './engineScenario.js';
import { type ObservedCall, observeStorage } from './observedStorage.js';
import { resultOf, uninterruptedRun } from './uninterruptedRun.js';

const fencedMethods = new Set([
  'updateTask',
  'renewLease',
  'releaseLease',
  'saveCheckpoint',
  'saveRoadmap',
  'setItemStatus',
  'saveItem',
]);

/** A write a worker makes under its lease: it carries the token, and storage refuses it once the lease is gone. */
function isFencedWrite(call: ObservedCall): boolean {
  if (fencedMethods.has(call.method)) return true;
  if (call.method === 'appendEvent') return call.args[1] !== undefined;
  if (call.method === 'transitionTask') return (call.args[1] as StatusChange | undefined)?.leaseToken !== undefined;
  return false;
}

/** Leases: a graceful stop hands the task over at once; a worker that lost its lease writes nothing. */
export const leaseScenarios: EngineScenarioGroup = {
  name: 'leases',
  scenarios: [
    {
      name: 'a graceful stop releases the task at once: another worker continues without waiting for the lease',
      async run(world) {
        const modelA = world.model({ script: [{ operation: 'quiz', hang: true }] });
        const engineA = await world.engine(modelA);
        const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
        await modelA.waitForCalls(1, { operation: 'quiz' });
        await engineA.stop();
        expect(await world.storage.getTask(task.task_id)).toMatchObject({
          status: 'processing',
          lease_token: null,
          attempts: 0,
        });
        const kept = (await world.storage.listItems(task.roadmap_id)).filter((item) => item.status === 'completed');

        const modelB = world.model();
        const engineB = await world.engine(modelB);
        expect(await world.terminalEvent(engineB, task.task_id)).toMatchObject({ type: 'completed' });
        await world.quiet();
        expect(world.clock.now()).toBe(Date.UTC(2026, 0, 1));
        for (const operation of frameworkOperations) expect(modelB.callCount({ operation })).toBe(0);
        for (const item of kept) expect(modelB.callCount(`${item.kind}:${item.concept_id}`)).toBe(0);
        expect(await world.storage.getTask(task.task_id)).toMatchObject({ status: 'completed', attempts: 1 });
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual((await uninterruptedRun()).result);
      },
    },
    {
      name: 'a zombie whose lease was taken over cannot write: storage refuses its late results',
      async run(world) {
        let releaseZombie: () => void = () => {};
        const gate = new Promise<void>((resolve) => {
          releaseZombie = resolve;
        });
        const zombieModel = world.model({
          onCall: (call) => (call.operation === 'tutorial' ? gate : undefined),
          script: [{ operation: 'tutorial', respond: () => ({ title: 'ZOMBIE', summary: 'z', content: 'ZOMBIE' }) }],
        });
        const zombieStorage = observeStorage(world.storage);
        // The zombie never heartbeats before its lease runs out (a stalled process).
        const zombie = await world.engine(zombieModel, {
          storage: zombieStorage.storage,
          heartbeatMs: 10 * leaseMs,
          taskConcurrency: 1,
        });
        const { task } = await zombie.generate({ userId: 'u1', request: learnGo });
        await zombieModel.waitForCalls(2, { operation: 'tutorial' });
        await world.waitUntil('the zombie stored what it could before stalling', async () => {
          const items = await world.storage.listItems(task.roadmap_id);
          return items.filter((item) => item.status === 'completed').length === 4 && zombieStorage.pending() === 0;
        });
        const zombieLease = (await world.storage.getTask(task.task_id))?.lease_token;
        expect(zombieLease).toEqual(expect.any(String));

        const healthy = await world.engine(world.model());
        const done = world.terminalEvent(healthy, task.task_id);
        await world.clock.advance(leaseMs + 1);
        expect(await done).toMatchObject({ type: 'completed' });
        await world.quiet();
        const before = await resultOf(world.storage, task.roadmap_id);
        const taskBefore = await world.storage.getTask(task.task_id);
        const eventsBefore = await world.storage.listEvents({ taskId: task.task_id });
        const zombieCallsBefore = zombieStorage.calls.length;

        releaseZombie();
        await world.waitUntil('the zombie tried to store its late results', () =>
          zombieStorage.calls.slice(zombieCallsBefore).some((call) => call.method === 'saveItem' && call.settled),
        );
        await world.waitUntil(
          'the zombie gave up',
          () => zombieModel.inFlight.length === 0 && zombieStorage.pending() === 0,
        );
        await world.quiet();

        const late = zombieStorage.calls.slice(zombieCallsBefore);
        const lateWrites = late.filter(isFencedWrite);
        expect(lateWrites.map((call) => call.method)).toContain('saveItem');
        // Refused: `false` from the boolean writes, `null` from those that return the record.
        const accepted = lateWrites.filter((call) => call.result !== false && call.result !== null);
        expect(accepted.map((call) => call.method)).toEqual([]);
        expect(await resultOf(world.storage, task.roadmap_id)).toEqual(before);
        expect(await world.storage.getTask(task.task_id)).toEqual(taskBefore);
        expect(await world.storage.listEvents({ taskId: task.task_id })).toEqual(eventsBefore);
        expect(JSON.stringify(await world.storage.listItems(task.roadmap_id))).not.toContain('ZOMBIE');
        expect(taskBefore?.status).toBe('completed');
      },
    },
  ],
};
