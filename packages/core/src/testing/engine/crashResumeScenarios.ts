import { expect } from 'vitest';
import { isTerminalEvent } from '../../domain/events.js';
import type { ModelOperation } from '../../model/languageModel.js';
import type { Storage } from '../../storage/storage.js';
import type { ScriptedModel } from '../scriptedModel.js';
import { type ConformanceWorld, frameworkOperations, learnGo, leaseMs } from './conformanceWorld.js';
import type { EngineScenario, EngineScenarioGroup } from './engineScenario.js';
import { resultOf, uninterruptedRun } from './uninterruptedRun.js';

interface CrashPlan {
  /** Decides, when a model call of process A starts, whether A dies now. */
  crashWhen: (operation: ModelOperation, contentCallsStarted: number) => boolean;
  /** Before dying, A waits until its storage shows this (results already received get stored, as time would). */
  storedFirst?: (storage: Storage, roadmapId: string) => Promise<boolean>;
  /** Process A's queue dies with it: B starts with an empty queue and finds the task through storage alone. */
  queueLost?: boolean;
}

/**
 * Runs a task on process A until `crashWhen` says so at the start of a model call, then kills A (its engine stops
 * without writing anything more, its storage instance and, with `queueLost`, its queue are closed), lets the lease
 * run out on the manual clock, and finishes the task on process B: a new engine on a reopened storage instance.
 */
async function crashAndResume(world: ConformanceWorld, plan: CrashPlan) {
  const queueA = plan.queueLost ? world.createQueue() : world.queue;
  let contentCalls = 0;
  let crashed: Promise<void> | undefined;
  let announceCrash: () => void = () => {};
  const crashStarted = new Promise<void>((resolve) => {
    announceCrash = resolve;
  });
  let inFlightAtCrash: string[] = [];
  const modelA: ScriptedModel = world.model({
    onCall: async (call) => {
      if (!frameworkOperations.includes(call.operation)) contentCalls += 1;
      if (crashed || !plan.crashWhen(call.operation, contentCalls)) return;
      const storedFirst = plan.storedFirst;
      if (storedFirst) {
        await world.waitUntil('results received before the crash are stored', async () => {
          const [task] = (await world.storage.listTasks({ userId: 'u1' })).tasks;
          return task !== undefined && (await storedFirst(world.storage, task.roadmap_id));
        });
      }
      if (crashed) return;
      inFlightAtCrash = [...modelA.inFlight];
      crashed = engineA.stop({ releaseTasks: false });
      announceCrash();
      return new Promise<void>(() => {}); // held until the crash aborts it
    },
  });
  const engineA = await world.engine(modelA, { queue: queueA });
  const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
  await crashStarted;
  await crashed;
  await world.quiet();
  await world.close(world.storage);
  if (plan.queueLost) await queueA.close();

  const storage = await world.reopen();
  const storedBefore = await storage.listItems(task.roadmap_id);
  const checkpointsBefore = await storage.getCheckpoints(task.task_id);
  expect(await storage.getTask(task.task_id)).toMatchObject({ status: 'processing', attempts: 1 });

  const modelB = world.model();
  const engineB = await world.engine(modelB, { storage, queue: plan.queueLost ? world.createQueue() : world.queue });
  const done = world.terminalEvent(engineB, task.task_id);
  await world.clock.advance(leaseMs + 1);
  const end = await done;
  await world.quiet();
  return { task, end, storage, modelB, engineB, storedBefore, checkpointsBefore, inFlightAtCrash };
}

/** What every resumed run must show: one recovery, one terminal event, and the result of an uninterrupted run. */
async function expectResumedLikeUninterrupted(run: Awaited<ReturnType<typeof crashAndResume>>): Promise<void> {
  expect(run.end).toMatchObject({ type: 'completed', status: 'completed' });
  expect(await run.storage.getTask(run.task.task_id)).toMatchObject({
    status: 'completed',
    attempts: 2,
    lease_token: null,
  });
  const events = await run.engineB.listEvents({ taskId: run.task.task_id });
  expect(events.filter((event) => event.type === 'task_recovering')).toHaveLength(1);
  expect(events.filter(isTerminalEvent)).toEqual([run.end]);
  for (const key of run.inFlightAtCrash) expect(run.modelB.callCount(key)).toBe(1);
  expect(await resultOf(run.storage, run.task.roadmap_id)).toEqual((await uninterruptedRun()).result);
}

/** A crash at `at` finds the checkpoints of the steps before it stored (checkpoint key → the step's operation). */
const stageCrashes: Array<{ at: ModelOperation; stored: Array<[checkpoint: string, operation: ModelOperation]> }> = [
  { at: 'intent_analysis', stored: [] },
  { at: 'curriculum_design', stored: [['intent', 'intent_analysis']] },
  {
    at: 'structure_review',
    stored: [
      ['intent', 'intent_analysis'],
      ['curriculum', 'curriculum_design'],
    ],
  },
  {
    at: 'tutorial',
    stored: [
      ['intent', 'intent_analysis'],
      ['curriculum', 'curriculum_design'],
      ['review:0', 'structure_review'],
    ],
  },
];

const crashAtStage = ({ at, stored }: (typeof stageCrashes)[number]): EngineScenario => ({
  name: `crashed at ${at}: stored steps get 0 model calls and the result equals an uninterrupted run`,
  async run(world) {
    const run = await crashAndResume(world, { crashWhen: (operation) => operation === at });
    expect(Object.keys(run.checkpointsBefore).sort()).toEqual(stored.map(([checkpoint]) => checkpoint).sort());
    for (const [, operation] of stored) expect(run.modelB.callCount({ operation })).toBe(0);
    expect(run.modelB.callCount({ operation: at })).toBeGreaterThan(0);
    await expectResumedLikeUninterrupted(run);
  },
});

/** Some items are stored and the one whose call is held is marked `generating`. */
const midFanOutStored = async (storage: Storage, roadmapId: string) => {
  const items = await storage.listItems(roadmapId);
  return items.some((item) => item.status === 'completed') && items.some((item) => item.status === 'generating');
};

const crashMidFanOut = (queueLost: boolean): EngineScenario => ({
  name: queueLost
    ? 'crashed mid fan-out with its queue lost: B finds the task through storage and asks only unstored items'
    : 'crashed mid fan-out: stored items get 0 model calls, in-flight and unstarted ones exactly 1',
  async run(world) {
    const run = await crashAndResume(world, {
      crashWhen: (_operation, contentCalls) => contentCalls === 9,
      storedFirst: midFanOutStored,
      queueLost,
    });
    const completedBefore = run.storedBefore.filter((item) => item.status === 'completed');
    expect(completedBefore.length).toBeGreaterThan(0);
    expect(run.storedBefore.some((item) => item.status === 'generating')).toBe(true);
    for (const item of completedBefore) expect(run.modelB.callCount(`${item.kind}:${item.concept_id}`)).toBe(0);
    for (const operation of frameworkOperations) expect(run.modelB.callCount({ operation })).toBe(0);
    expect(run.modelB.calls).toHaveLength(run.storedBefore.length - completedBefore.length);
    expect(run.inFlightAtCrash.length).toBeGreaterThan(0);
    await expectResumedLikeUninterrupted(run);
  },
});

/** Crashes at every stage of the pipeline and mid fan-out; a task that crashes every worker ends `failed`. */
export const crashResumeScenarios: EngineScenarioGroup = {
  name: 'resume after a crash',
  scenarios: [
    ...stageCrashes.map(crashAtStage),
    crashMidFanOut(false),
    crashMidFanOut(true),
    {
      name: 'a task that kills its worker on every start ends failed after maxAttempts, with one failed event',
      async run(world) {
        let taskId = '';
        for (let start = 1; start <= 4; start += 1) {
          let stopped: Promise<void> | undefined;
          const model = world.model({
            onCall: () => {
              stopped ??= current.stop({ releaseTasks: false });
              return new Promise<void>(() => {});
            },
          });
          const current = await world.engine(model, { maxAttempts: 3 });
          if (start === 1) taskId = (await current.generate({ userId: 'u1', request: learnGo })).task.task_id;
          else await world.clock.advance(leaseMs + 1);
          if (start <= 3) {
            await world.waitUntil(`start ${start} reaches the model`, () => model.calls.length > 0);
            await stopped;
            expect(await world.storage.getTask(taskId)).toMatchObject({ status: 'processing', attempts: start });
          } else {
            await world.waitUntil('the task failed', async () => {
              return (await world.storage.getTask(taskId))?.status === 'failed';
            });
            expect(model.calls).toHaveLength(0);
          }
        }
        await world.quiet();
        const final = await world.storage.getTask(taskId);
        expect(final).toMatchObject({ status: 'failed', attempts: 4, lease_token: null });
        expect(final?.error_message).toMatch(/Gave up after 3 starts/);
        const events = await world.storage.listEvents({ taskId });
        expect(events.filter(isTerminalEvent).map((event) => event.type)).toEqual(['failed']);
        expect(events.filter((event) => event.type === 'task_recovering')).toHaveLength(2);
      },
    },
  ],
};
