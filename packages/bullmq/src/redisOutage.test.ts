import { createMemoryStorage, RoadmapEngine, type RoadmapEvent } from '@roadmap/core';
import { auditStoredCalls, createScriptedModel } from '@roadmap/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { type BullmqQueue, createBullmqQueue } from './bullmqQueue.js';
import { hasRedisServer, type OwnRedisServer, startOwnRedis, waitFor } from './redisTestSupport.js';

// SPEC §2: a queue/Redis outage is an infrastructure fault, not a task failure. Redis (our own `redis-server` on a
// free port, never the machine's shared one) is stopped mid-run and started again on the same port, empty, as a
// broker without persistence comes back: every task still completes and nothing stored is asked for again.

const available = hasRedisServer();
if (!available) console.warn('[roadmap/bullmq] skipping the Redis outage test: no redis-server on the PATH.');

/** How long Redis stays down. */
const outageMs = Number(process.env.ROADMAP_REDIS_OUTAGE_MS ?? 3_000);

describe.skipIf(!available && process.env.CI !== 'true')('a Redis outage in the middle of a run', () => {
  let redis: OwnRedisServer | undefined;
  let engine: RoadmapEngine | undefined;
  let queue: BullmqQueue | undefined;

  afterEach(async () => {
    await engine?.stop();
    await queue?.close();
    await redis?.stop();
  });

  it('every task completes and no stored item is asked for again', async () => {
    redis = await startOwnRedis();
    const errors: unknown[] = [];
    const storage = createMemoryStorage();
    queue = createBullmqQueue({ connection: redis.url, prefix: 'outage', onError: (error) => errors.push(error) });
    await queue.waitUntilReady();
    const audit = auditStoredCalls(createScriptedModel({ latencyMs: 40 }), storage);
    engine = new RoadmapEngine({
      storage,
      queue,
      model: audit.model,
      leaseMs: 2_000,
      recoveryIntervalMs: 500,
      concurrency: 2,
      taskConcurrency: 2,
      faultBackoff: { minDelayMs: 200, maxDelayMs: 1_000 },
      onError: (error) => errors.push(error),
    });
    const events: RoadmapEvent[] = [];
    engine.subscribe((event) => events.push(event));
    await engine.start();

    const taskIds: string[] = [];
    for (let index = 0; index < 6; index += 1) {
      const goal = `Learn Elixir ${index}`;
      const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: goal } } });
      audit.track({ taskId: task.task_id, goal });
      taskIds.push(task.task_id);
    }
    const stored = () => events.filter((event) => event.type === 'concept_complete').length;
    await waitFor(() => stored() >= 10, '10 stored items before the outage', { timeoutMs: 30_000 });

    await redis.stop();
    const storedAtStop = stored();
    const errorsAtStop = errors.length;
    const waitingAtStop = (await storage.listTasks({ statuses: ['pending'] })).total;
    // Evidence that the outage is felt: the queue reports losing Redis.
    await waitFor(() => errors.length > errorsAtStop, 'the queue to report the outage', { timeoutMs: 10_000 });
    // Then the outage goes on for `outageMs` of real time (the scenario's length, not a stand-in for an event)
    // while the runs go on without their broker.
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    const storedDuringOutage = stored() - storedAtStop;
    await redis.start();

    const terminal = (taskId: string) =>
      events.some(
        (event) =>
          event.task_id === taskId &&
          (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled'),
      );
    await waitFor(() => taskIds.every(terminal), 'every task to end', { timeoutMs: 60_000, intervalMs: 50 });
    const tasks = await Promise.all(taskIds.map((taskId) => engine?.getTask(taskId)));
    const completed = tasks.filter((task) => task?.status === 'completed').length;
    console.info(
      `[redis outage ${outageMs} ms] tasks completed: ${completed}/${taskIds.length}; stored items asked again: ` +
        `${audit.repeated.length}; items stored during the outage: ${storedDuringOutage}; tasks queued when Redis ` +
        `stopped (their jobs lost): ${waitingAtStop}; model calls: ${audit.calls}; ` +
        `errors reported: ${errors.length}`,
    );
    expect(tasks.map((task) => task?.status)).toEqual(taskIds.map(() => 'completed'));
    expect(audit.repeated).toEqual([]);
  }, 120_000);
});
