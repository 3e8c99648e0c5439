import { afterEach, describe, expect, it } from 'vitest';
import type { RoadmapEvent } from '../domain/events.js';
import { RoadmapError } from '../shared/errors.js';
import { createWorld, learnGo, settle, terminalEvent, type World } from '../testing/engineTestSupport.js';
import { faultOnce, faultTimes, onMethods, withStorageFaults } from '../testing/faults.js';
import type { ScriptedModel, ScriptRule } from '../testing/scriptedModel.js';
import { auditStoredCalls, type StoredCallAudit } from '../testing/storedCallAudit.js';
import type { RoadmapEngine, RoadmapEngineOptions } from './engine.js';

// SPEC §2: infrastructure faults are not task failures. A storage error or a model call that times out on its own
// (not a cancel) releases the task to `pending` with backoff and counts an attempt; after `maxAttempts` it fails
// with the last error. Only the model's or the content's own failures count toward `failureThreshold`.

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

/** What `AbortSignal.timeout()` rejects a fetch with: a call that ran out of time on its own. */
const providerTimeout = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

interface Run {
  engine: RoadmapEngine;
  model: ScriptedModel;
  audit: StoredCallAudit;
  taskId: string;
  roadmapId: string;
  events: RoadmapEvent[];
}

async function start(script: ScriptRule[], options: Partial<RoadmapEngineOptions> = {}): Promise<Run> {
  const model = world.model({ script });
  const audit = auditStoredCalls(model, world.storage);
  const engine = await world.engine(model, {
    model: audit.model,
    faultBackoff: { minDelayMs: 1_000, maxDelayMs: 8_000 },
    ...options,
  });
  const events: RoadmapEvent[] = [];
  engine.subscribe((event) => events.push(event));
  const { task } = await engine.generate({ userId: 'u1', request: learnGo });
  audit.track({ taskId: task.task_id, goal: learnGo.preferences.learning_goal });
  return { engine, model, audit, taskId: task.task_id, roadmapId: task.roadmap_id, events };
}

/** Moves the manual clock in steps until the task's terminal event arrives (bounded). */
async function untilTerminal(run: Run, stepMs = 250, steps = 2_000): Promise<RoadmapEvent> {
  let done: RoadmapEvent | undefined;
  const terminal = terminalEvent(run.engine, run.taskId).then((event) => {
    done = event;
    return event;
  });
  for (let step = 0; step < steps && done === undefined; step += 1) {
    await settle();
    if (done === undefined) await world.clock.advance(stepMs);
  }
  if (done === undefined) throw new Error(`task ${run.taskId} did not end within ${(stepMs * steps) / 1000} s`);
  return terminal;
}

const isSave = (call: { method: string }) => call.method === 'saveItem';

const releases = (run: Run) =>
  run.events.filter((event) => event.type === 'progress' && event.step === 'queued' && event.seq > 1);

describe('a model call that times out on its own', () => {
  it('is retried with backoff and the task completes', async () => {
    world = createWorld();
    const key = 'quiz:s1-m1-c1';
    const run = await start([{ key, times: 1, fail: providerTimeout }]);

    const done = await untilTerminal(run);

    expect(done).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });
    expect(run.model.callCount(key)).toBe(2);
    expect(await run.engine.getTask(run.taskId)).toMatchObject({ status: 'completed', attempts: 1 });
    expect(run.audit.repeated).toEqual([]);
  });

  it('that keeps timing out releases the task to pending with backoff; it resumes and asks nothing stored again', async () => {
    world = createWorld();
    const key = 'tutorial:s1-m2-c1';
    // 1 call + 3 retries inside the run: all time out, then the provider recovers.
    const run = await start([{ key, times: 4, fail: providerTimeout }], { concurrency: 1 });
    const released = new Promise<RoadmapEvent>((resolve) => {
      run.engine.on('progress', (event) => {
        if (event.step === 'queued' && event.status === 'pending' && event.seq > 1) resolve(event);
      });
    });
    let releasedEvent: RoadmapEvent | undefined;
    void released.then((event) => {
      releasedEvent = event;
    });
    for (let step = 0; step < 400 && releasedEvent === undefined; step += 1) await world.clock.advance(250);
    expect(releasedEvent, 'the task was released to pending').toBeDefined();

    const pending = await run.engine.getTask(run.taskId);
    expect(pending).toMatchObject({ status: 'pending', current_step: 'queued', attempts: 1 });
    expect(pending?.error_message).toMatch(/timed out/);
    const storedAtRelease = (await world.storage.listItems(run.roadmapId)).filter(
      (item) => item.status === 'completed',
    );
    expect(storedAtRelease.length).toBeGreaterThan(0);

    const done = await untilTerminal(run);

    expect(done).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });
    expect(await run.engine.getTask(run.taskId)).toMatchObject({
      status: 'completed',
      attempts: 2,
      error_message: null,
    });
    expect(run.model.callCount(key)).toBe(5);
    expect(run.audit.repeated).toEqual([]);
    expect(releases(run)).toHaveLength(1);
  });
});

describe('a storage fault during a run', () => {
  it('releases the task to pending; it completes on the next attempt with nothing stored asked again', async () => {
    world = createWorld();
    const storage = withStorageFaults(world.storage);
    const run = await start([], { storage });
    // The 6th item save fails: five items are stored by then.
    storage.faults.setFailOn(
      faultOnce((call) => call.method === 'saveItem' && storage.faults.calls.filter(isSave).length === 6),
    );

    const done = await untilTerminal(run);

    expect(storage.faults.failed.map((call) => call.method)).toEqual(['saveItem']);
    expect(done).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });
    expect(await run.engine.getTask(run.taskId)).toMatchObject({ status: 'completed', attempts: 2 });
    expect(releases(run)).toHaveLength(1);
    expect(run.audit.repeated).toEqual([]);
  });

  it('fails the task with the last error once maxAttempts starts met faults', async () => {
    world = createWorld();
    const storage = withStorageFaults(world.storage);
    const run = await start([], { storage, maxAttempts: 3 });
    storage.faults.setFailOn(onMethods('saveItem'));

    const done = await untilTerminal(run);

    expect(done).toMatchObject({ type: 'failed' });
    expect((done as Extract<RoadmapEvent, { type: 'failed' }>).error).toMatch(/Injected storage fault in saveItem/);
    expect(await run.engine.getTask(run.taskId)).toMatchObject({ status: 'failed', attempts: 3 });
    expect(releases(run)).toHaveLength(2);
    expect(run.audit.repeated).toEqual([]);
  });

  it('a claim that meets a storage fault is handed back and taken again later, without counting an attempt', async () => {
    world = createWorld();
    const storage = withStorageFaults(world.storage, { failOn: faultTimes(2, onMethods('acquireLease')) });
    const startedAt = world.clock.now();
    const run = await start([], { storage });

    const done = await untilTerminal(run);

    // Handed back with a short backoff (1 s, then 1 s): not left held until the queue's 30 s lease runs out.
    expect(world.clock.now() - startedAt).toBeLessThan(30_000);
    expect(done).toMatchObject({ type: 'completed', status: 'completed' });
    expect(storage.faults.failed.map((call) => call.method)).toEqual(['acquireLease', 'acquireLease']);
    expect(await run.engine.getTask(run.taskId)).toMatchObject({ status: 'completed', attempts: 1 });
  });
});

describe('what is not an infrastructure fault', () => {
  it('a model error of the content fails the item, counted toward failureThreshold', async () => {
    world = createWorld();
    const key = 'quiz:s1-m1-c1';
    const run = await start([{ key, fail: new RoadmapError('model_error', 'The model refused') }]);

    const done = await untilTerminal(run);

    expect(done).toMatchObject({ type: 'completed', status: 'partial_failure', failed_count: 1 });
    expect(run.model.callCount(key)).toBe(1);
    expect(releases(run)).toHaveLength(0);
  });

  it('a cancel aborts the calls and ends the task cancelled, never released', async () => {
    world = createWorld();
    const run = await start([{ operation: 'quiz', hang: true }]);
    await run.model.waitForCalls(1, { operation: 'quiz' });

    await run.engine.cancel(run.taskId, { userId: 'u1' });
    await settle();

    expect(await run.engine.getTask(run.taskId)).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(run.model.aborts.length).toBeGreaterThan(0);
    expect(releases(run)).toHaveLength(0);
  });
});
