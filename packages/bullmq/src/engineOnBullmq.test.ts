import { createMemoryStorage, RoadmapEngine, type RoadmapEngineOptions, type Storage } from '@roadmap/core';
import { createManualClock, createScriptedModel, type ScriptedModel } from '@roadmap/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BullmqQueue, createBullmqQueue } from './bullmqQueue.js';
import { checkRedis, redisUrl, removeKeys, uniquePrefix, waitFor } from './redisTestSupport.js';

const available = await checkRedis();

const request = (goal: string) => ({ preferences: { learning_goal: goal, available_hours_per_week: 10 } });

describe.skipIf(!available)('RoadmapEngine on BullMQ', () => {
  let prefix: string;
  let storage: Storage;
  let engines: RoadmapEngine[];
  let queues: BullmqQueue[];
  let errors: unknown[];

  beforeEach(() => {
    prefix = uniquePrefix('engine');
    storage = createMemoryStorage();
    engines = [];
    queues = [];
    errors = [];
  });

  afterEach(async () => {
    for (const engine of engines) await engine.stop();
    for (const queue of queues) await queue.close();
    await removeKeys(prefix);
  });

  /** An engine with its own queue instance on the shared queue name and storage: a process of the cluster. */
  const startEngine = async (model: ScriptedModel, options: Partial<RoadmapEngineOptions> = {}) => {
    const queue = createBullmqQueue({ connection: redisUrl, prefix, onError: (error) => errors.push(error) });
    queues.push(queue);
    await queue.waitUntilReady();
    const engine = new RoadmapEngine({
      storage,
      queue,
      model,
      leaseMs: 2_000,
      concurrency: 3,
      taskConcurrency: 1,
      onError: (error) => errors.push(error),
      ...options,
    });
    engines.push(engine);
    await engine.start();
    return engine;
  };

  it('completes every task, spread over both engines', async () => {
    const modelA = createScriptedModel({ latencyMs: 5 });
    const modelB = createScriptedModel({ latencyMs: 5 });
    const engineA = await startEngine(modelA);
    await startEngine(modelB);
    const taskIds: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const { task } = await engineA.generate({ userId: 'user-1', request: request(`Learn Rust ${index}`) });
      taskIds.push(task.task_id);
    }
    await waitFor(
      async () => {
        const tasks = await Promise.all(taskIds.map((taskId) => storage.getTask(taskId)));
        return tasks.every((task) => task?.status === 'completed');
      },
      'every task to complete',
      { timeoutMs: 15_000, intervalMs: 50 },
    );
    const frameworkRuns = (model: ScriptedModel) => model.callCount({ operation: 'intent_analysis' });
    expect(frameworkRuns(modelA)).toBeGreaterThan(0);
    expect(frameworkRuns(modelB)).toBeGreaterThan(0);
    // Each task ran once, on one engine or the other.
    expect(frameworkRuns(modelA) + frameworkRuns(modelB)).toBe(taskIds.length);
    expect(errors).toEqual([]);
  });

  it('aborts the model calls in engine A when engine B cancels, through the broadcast', async () => {
    // Time stands still for both engines: no heartbeat ever runs (the other way a holder learns of a cancel), so
    // only the cancel broadcast can abort the calls.
    const clock = createManualClock();
    const worker = createScriptedModel({
      script: [{ when: (call) => ['tutorial', 'resources', 'quiz'].includes(call.operation), hang: true }],
    });
    await startEngine(worker, { clock });
    const api = await startEngine(createScriptedModel(), { clock, worker: false });
    const { task } = await api.generate({ userId: 'user-1', request: request('Learn Rust') });
    await worker.waitForCalls(3, { operation: 'tutorial' });
    const hanging = worker.inFlight.length;
    expect(hanging).toBeGreaterThanOrEqual(3);

    await api.cancel(task.task_id, { reason: 'changed my mind' });
    await waitFor(() => worker.aborts.length >= hanging, 'the worker’s calls to abort', { timeoutMs: 5_000 });
    expect(worker.inFlight).toEqual([]);
    expect((await storage.getTask(task.task_id))?.status).toBe('cancelled');
  });
});
