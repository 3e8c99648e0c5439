import { afterEach, describe, expect, it } from 'vitest';
import type { ModelOperation } from '../model/languageModel.js';
import { createWorld, learnGo, settle, terminalEvent, type World } from '../testing/engineTestSupport.js';
import type { ScriptedModel } from '../testing/scriptedModel.js';

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

const leaseMs = 30_000;

/** Everything a user can read of a finished task's result, to compare runs. */
async function snapshot(currentWorld: World, roadmapId: string) {
  const roadmap = await currentWorld.storage.getRoadmap(roadmapId);
  const items = await currentWorld.storage.listItems(roadmapId);
  return { roadmap, items: items.map(({ updated_at: _updatedAt, ...item }) => item) };
}

/** The reference: one uninterrupted run with the deterministic model. */
async function uninterrupted() {
  const reference = createWorld();
  try {
    const engine = await reference.engine(reference.model());
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    return await snapshot(reference, task.roadmap_id);
  } finally {
    await reference.stopAll();
  }
}

/**
 * Runs a task on engine A until `crashWhen` says so at the start of a model call, then kills A (no more writes,
 * its lease left to expire), lets the lease run out, and finishes the task on a fresh engine B.
 */
async function crashAndResume(crashWhen: (operation: ModelOperation, contentCallsStarted: number) => boolean) {
  world = createWorld();
  let crashed: Promise<void> | undefined;
  let announceCrash: () => void = () => {};
  const crashStarted = new Promise<void>((resolve) => {
    announceCrash = resolve;
  });
  let contentCalls = 0;
  let inFlightAtCrash: string[] = [];
  const modelA: ScriptedModel = world.model({
    onCall: async (call) => {
      if (!['intent_analysis', 'curriculum_design', 'structure_review', 'roadmap_edit'].includes(call.operation)) {
        contentCalls += 1;
      }
      if (crashed || !crashWhen(call.operation, contentCalls)) return;
      await settle(); // let results already received be stored, as time would
      if (crashed) return;
      inFlightAtCrash = [...modelA.inFlight];
      crashed = engineA.stop({ releaseTasks: false });
      announceCrash();
      return new Promise<void>(() => {}); // held until the crash aborts it
    },
  });
  const engineA = await world.engine(modelA);
  const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
  await crashStarted;
  await crashed;
  await settle();
  const storedBefore = await world.storage.listItems(task.roadmap_id);
  const checkpointsBefore = await world.storage.getCheckpoints(task.task_id);
  expect((await world.storage.getTask(task.task_id))?.status).toBe('processing');

  const modelB = world.model();
  const engineB = await world.engine(modelB);
  const done = terminalEvent(engineB, task.task_id);
  await world.clock.advance(leaseMs + 1);
  const end = await done;
  return { task, end, modelA, modelB, engineB, storedBefore, checkpointsBefore, inFlightAtCrash };
}

describe('resume after a crash', () => {
  const frameworkCrashes: Array<{ at: ModelOperation; stored: string[] }> = [
    { at: 'intent_analysis', stored: [] },
    { at: 'curriculum_design', stored: ['intent'] },
    { at: 'structure_review', stored: ['intent', 'curriculum'] },
    { at: 'tutorial', stored: ['intent', 'curriculum', 'review:0'] },
  ];

  for (const { at, stored } of frameworkCrashes) {
    it(`crashed at ${at}: stored steps get 0 model calls and the result equals an uninterrupted run`, async () => {
      const reference = await uninterrupted();
      const run = await crashAndResume((operation) => operation === at);
      expect(Object.keys(run.checkpointsBefore).sort()).toEqual([...stored].sort());
      for (const key of stored) {
        const operation =
          key === 'intent' ? 'intent_analysis' : key === 'curriculum' ? 'curriculum_design' : 'structure_review';
        expect(run.modelB.callCount({ operation })).toBe(0);
      }
      expect(run.modelB.callCount({ operation: at })).toBeGreaterThan(0);
      expect(run.end.type).toBe('completed');
      const task = await run.engineB.getTask(run.task.task_id);
      expect(task).toMatchObject({ status: 'completed', attempts: 2 });
      const events = await run.engineB.listEvents({ taskId: run.task.task_id });
      expect(events.filter((event) => event.type === 'task_recovering')).toHaveLength(1);
      expect(await snapshot(world, run.task.roadmap_id)).toEqual(reference);
    });
  }

  it('crashed mid fan-out: stored items are never asked again, only in-flight and unstarted ones are', async () => {
    const reference = await uninterrupted();
    const run = await crashAndResume((_operation, contentCalls) => contentCalls === 9);
    const completedBefore = run.storedBefore.filter((item) => item.status === 'completed');
    expect(completedBefore.length).toBeGreaterThan(0);
    expect(run.storedBefore.some((item) => item.status === 'generating')).toBe(true);
    for (const item of completedBefore) {
      expect(run.modelB.callCount(`${item.kind}:${item.concept_id}`)).toBe(0);
    }
    const notDone = run.storedBefore.filter((item) => item.status !== 'completed').length;
    expect(run.modelB.calls.length).toBe(notDone);
    for (const key of run.inFlightAtCrash) expect(run.modelB.callCount(key)).toBe(1);
    expect(run.modelB.callCount({ operation: 'intent_analysis' })).toBe(0);
    expect(await snapshot(world, run.task.roadmap_id)).toEqual(reference);
  });

  it('a graceful stop releases the task at once: another worker continues without waiting for the lease', async () => {
    world = createWorld();
    const modelA = world.model({ script: [{ operation: 'quiz', hang: true }] });
    const engineA = await world.engine(modelA);
    const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
    await modelA.waitForCalls(1, { operation: 'quiz' });
    await engineA.stop();
    const released = await world.storage.getTask(task.task_id);
    expect(released).toMatchObject({ status: 'processing', lease_token: null });
    const modelB = world.model();
    const engineB = await world.engine(modelB);
    expect((await terminalEvent(engineB, task.task_id)).type).toBe('completed');
    expect(world.clock.now()).toBe(Date.UTC(2026, 0, 1));
  });

  it('a zombie whose lease was taken over cannot write: its late results are rejected', async () => {
    world = createWorld();
    let releaseZombie: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      releaseZombie = resolve;
    });
    const zombieModel = world.model({
      onCall: (call) => (call.operation === 'tutorial' ? gate : undefined),
      script: [{ operation: 'tutorial', respond: () => ({ title: 'ZOMBIE', summary: 'z', content: 'ZOMBIE' }) }],
    });
    // The zombie never heartbeats before its lease runs out (a stalled process).
    const zombie = await world.engine(zombieModel, { heartbeatMs: 10 * leaseMs, taskConcurrency: 1 });
    const { task } = await zombie.generate({ userId: 'u1', request: learnGo });
    await zombieModel.waitForCalls(1, { operation: 'tutorial' });

    const healthyModel = world.model();
    const healthy = await world.engine(healthyModel);
    const done = terminalEvent(healthy, task.task_id);
    await world.clock.advance(leaseMs + 1);
    const end = await done;
    expect(end.type).toBe('completed');

    const before = await snapshot(world, task.roadmap_id);
    const eventsBefore = await healthy.listEvents({ taskId: task.task_id });
    releaseZombie();
    await settle(20);
    expect(await snapshot(world, task.roadmap_id)).toEqual(before);
    expect(await healthy.listEvents({ taskId: task.task_id })).toEqual(eventsBefore);
    const items = await world.storage.listItems(task.roadmap_id);
    expect(JSON.stringify(items)).not.toContain('ZOMBIE');
    expect((await world.storage.getTask(task.task_id))?.status).toBe('completed');
  });

  it('a task that kills its worker on every start ends failed after maxAttempts', async () => {
    world = createWorld();
    let engineCount = 0;
    let taskId = '';
    for (let start = 1; start <= 4; start += 1) {
      const model = world.model({
        onCall: () => {
          void current.stop({ releaseTasks: false });
          return new Promise<void>(() => {});
        },
      });
      const current = await world.engine(model, { maxAttempts: 3 });
      engineCount += 1;
      if (start === 1) taskId = (await current.generate({ userId: 'u1', request: learnGo })).task.task_id;
      else await world.clock.advance(leaseMs + 1);
      await settle(10);
    }
    const final = await world.storage.getTask(taskId);
    expect(engineCount).toBe(4);
    expect(final).toMatchObject({ status: 'failed', attempts: 4 });
    expect(final?.error_message).toMatch(/Gave up after 3 starts/);
  });
});
