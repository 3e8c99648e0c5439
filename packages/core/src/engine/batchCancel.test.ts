import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { createScriptedModel, type ScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** A worker engine whose model never answers (every call hangs until aborted), and the tasks' events. */
function setup(clock: ManualClock, options: { taskConcurrency?: number } = {}) {
  const model = createScriptedModel({ clock, script: [{ hang: true }] });
  const engine = new RoadmapEngine({
    storage: createMemoryStorage({ now: clock.now }),
    queue: createMemoryQueue({ clock }),
    model,
    clock,
    taskConcurrency: options.taskConcurrency ?? 1,
    // One user's tasks run together here (fair scheduling has its own tests).
    userConcurrency: Number.POSITIVE_INFINITY,
    covers: { autoGenerate: false },
    onError: (error) => {
      throw error;
    },
  });
  engines.push(engine);
  const cancelledEvents: string[] = [];
  engine.on('cancelled', (event) => cancelledEvents.push(event.task_id));
  return { engine, model, cancelledEvents };
}

const request = (goal: string) => ({ preferences: { learning_goal: goal } });

async function generate(engine: RoadmapEngine, userId: string, goal: string): Promise<string> {
  return (await engine.generate({ userId, request: request(goal) })).task.task_id;
}

async function firstCallInFlight(model: ScriptedModel): Promise<void> {
  await model.waitForCalls(1);
}

describe('RoadmapEngine.cancelTasks (batch cancel, SPEC §7)', () => {
  it('cancels named ids as single cancels would, and sorts the rest into not_cancellable and not_found', async () => {
    const clock = createManualClock();
    const { engine, model, cancelledEvents } = setup(clock);
    await engine.start();
    const running = await generate(engine, 'alice', 'Learn Rust');
    await firstCallInFlight(model);
    const waiting = await generate(engine, 'alice', 'Learn Go');
    const done = await generate(engine, 'alice', 'Learn Zig');
    await engine.cancel(done, { userId: 'alice' });
    const foreign = await generate(engine, 'bob', 'Learn C');

    const result = await engine.cancelTasks(
      { taskIds: [running, waiting, done, foreign, 'no-such-task', running] },
      { userId: 'alice', reason: 'tidy up' },
    );
    expect(result).toEqual({
      cancelled: [running, waiting],
      notCancellable: [done],
      notFound: [foreign, 'no-such-task'],
    });
    // One event per cancelled task (the earlier single cancel had its own), the in-flight call aborted.
    expect(cancelledEvents.sort()).toEqual([running, waiting, done].sort());
    expect(model.aborts).toHaveLength(1);
    expect(model.inFlight).toEqual([]);
    expect((await engine.getTask(running))?.cancel_reason).toBe('tidy up');
    expect((await engine.getTask(foreign))?.status).toBe('pending');
  });

  it('cancels every task of the caller in a status, across pages, and no one else’s', async () => {
    const clock = createManualClock();
    const { engine, model, cancelledEvents } = setup(clock);
    await engine.start();
    const running = await generate(engine, 'alice', 'Learn Rust');
    await firstCallInFlight(model);
    const waiting: string[] = [];
    for (let index = 0; index < 230; index += 1) waiting.push(await generate(engine, 'alice', `Learn topic ${index}`));
    const foreign = await generate(engine, 'bob', 'Learn C');

    const pendingOnly = await engine.cancelTasks({ status: 'pending' }, { userId: 'alice' });
    expect([...pendingOnly.cancelled].sort()).toEqual([...waiting].sort());
    expect(pendingOnly.notCancellable).toEqual([]);
    expect((await engine.getTask(running))?.status).toBe('processing');

    const active = await engine.cancelTasks({ status: 'active' }, { userId: 'alice' });
    expect(active.cancelled).toEqual([running]);
    expect(cancelledEvents).toHaveLength(231);
    expect((await engine.getTask(foreign))?.status).toBe('pending');
    expect(await engine.cancelTasks({ status: 'active' }, { userId: 'alice' })).toEqual({
      cancelled: [],
      notCancellable: [],
      notFound: [],
    });
  });

  it('batch cancel racing single cancels of the same tasks: each task cancelled once, with one event', async () => {
    const clock = createManualClock();
    const { engine, model, cancelledEvents } = setup(clock, { taskConcurrency: 3 });
    await engine.start();
    const ids: string[] = [];
    for (const goal of ['Learn Rust', 'Learn Go', 'Learn Zig']) ids.push(await generate(engine, 'alice', goal));
    await model.waitForCalls(3);
    const outcomes = await Promise.allSettled([
      engine.cancelTasks({ taskIds: ids }, { userId: 'alice' }),
      ...ids.map((taskId) => engine.cancel(taskId, { userId: 'alice' })),
    ]);
    const batch = outcomes[0] as PromiseFulfilledResult<{ cancelled: string[]; notCancellable: string[] }>;
    const singlesWon = outcomes.slice(1).filter((outcome) => outcome.status === 'fulfilled').length;
    // Every task is cancelled exactly once: by the batch or by its single cancel (the loser is told why).
    expect(batch.value.cancelled.length + singlesWon).toBe(ids.length);
    expect([...batch.value.cancelled, ...batch.value.notCancellable].sort()).toEqual([...ids].sort());
    for (const outcome of outcomes.slice(1)) {
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'task_not_cancellable' });
    }
    expect(cancelledEvents.sort()).toEqual([...ids].sort());
    expect(model.inFlight).toEqual([]);
  });

  it('refuses an empty or oversized id list and an unknown status, changing nothing', async () => {
    const clock = createManualClock();
    const { engine } = setup(clock);
    const taskId = await generate(engine, 'alice', 'Learn Rust');
    const ids = Array.from({ length: 101 }, (_, index) => `task-${index}`);
    await expect(engine.cancelTasks({ taskIds: [] }, { userId: 'alice' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(engine.cancelTasks({ taskIds: [taskId, ...ids] }, { userId: 'alice' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(engine.cancelTasks({ status: 'completed' as 'pending' }, { userId: 'alice' })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    expect((await engine.getTask(taskId))?.status).toBe('pending');
  });
});
