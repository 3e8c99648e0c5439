import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { settle, terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** One engine whose content calls wait for `release()`, so tasks stay `processing` while the test looks. */
function setup(options: { userConcurrency?: number; taskConcurrency: number }) {
  const clock = createManualClock();
  const storage = createMemoryStorage({ now: clock.now });
  const gates: (() => void)[] = [];
  const model = createScriptedModel({
    clock,
    onCall: (call) =>
      ['tutorial', 'resources', 'quiz'].includes(call.operation)
        ? new Promise<void>((resolve) => gates.push(resolve))
        : undefined,
  });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue({ clock }),
    model,
    clock,
    covers: { autoGenerate: false },
    ...options,
    onError: (error) => {
      throw error;
    },
  });
  engines.push(engine);
  const processing = async (userId: string) => (await storage.listTasks({ userId, statuses: ['processing'] })).total;
  const release = () => {
    for (const open of gates.splice(0)) open();
  };
  return { engine, clock, storage, processing, release, gates };
}

const request = (goal: string) => ({ preferences: { learning_goal: goal } });

describe('fair scheduling (SPEC §7): at most userConcurrency tasks of one user processing', () => {
  it("one user's burst takes only its share of the worker; another user's task starts at once", async () => {
    const { engine, processing, release, clock } = setup({ userConcurrency: 2, taskConcurrency: 4 });
    await engine.start();
    const burst = [];
    for (let index = 0; index < 6; index += 1) {
      burst.push((await engine.generate({ userId: 'a', request: request(`Learn Go ${index}`) })).task);
    }
    const { task: single } = await engine.generate({ userId: 'b', request: request('Learn Rust') });
    for (let turn = 0; turn < 50 && (await processing('b')) === 0; turn += 1) await settle(2);
    expect(await processing('b')).toBe(1);
    expect(await processing('a')).toBe(2);
    expect((await engine.getTask(burst[5]?.task_id ?? ''))?.status).toBe('pending');

    // Everything still finishes, never more than 2 of user a at once.
    let most = 0;
    const done = Promise.all([...burst, single].map((task) => terminalEvent(engine, task.task_id)));
    let finished = false;
    void done.then(() => {
      finished = true;
    });
    for (let round = 0; round < 400 && !finished; round += 1) {
      most = Math.max(most, await processing('a'));
      release();
      await settle(2);
      await clock.advance(100);
    }
    expect(finished).toBe(true);
    expect(most).toBe(2);
  });

  it('without a limit (Infinity) one user may fill every slot', async () => {
    const { engine, processing } = setup({ userConcurrency: Number.POSITIVE_INFINITY, taskConcurrency: 4 });
    await engine.start();
    for (let index = 0; index < 5; index += 1) {
      await engine.generate({ userId: 'a', request: request(`Learn Go ${index}`) });
    }
    for (let turn = 0; turn < 50 && (await processing('a')) < 4; turn += 1) await settle(2);
    expect(await processing('a')).toBe(4);
  });

  it('refuses a limit below 1', () => {
    expect(() => setup({ userConcurrency: 0, taskConcurrency: 2 })).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
  });
});
