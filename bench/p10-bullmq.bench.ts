import { createRequire } from 'node:module';
import { type BullmqQueue, createBullmqQueue } from '@roadmap/bullmq';
import { createMemoryStorage, type LanguageModel, RoadmapEngine, type RoadmapEngineOptions } from '@roadmap/core';
import { type Benchmark, createRecordingModel, median, percentile, preferences, round, within } from './support.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The little of ioredis the bench needs to remove its keys. */
interface KeyClient {
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
  disconnect(): void;
}
// ioredis is a dependency of the adapter, not of the workspace root: load the adapter's copy.
const requireFromAdapter = createRequire(new URL('../packages/bullmq/package.json', import.meta.url));
const { Redis } = requireFromAdapter('ioredis') as { Redis: new (url: string) => KeyClient };

/** Engines in this process, each with its own BullMQ queue instance on one queue name, sharing one storage. */
async function startCluster(models: { model: LanguageModel; options?: Partial<RoadmapEngineOptions> }[]) {
  const prefix = `roadmap-bench-${globalThis.crypto.randomUUID().slice(0, 8)}`;
  const storage = createMemoryStorage();
  const errors: string[] = [];
  const queues: BullmqQueue[] = [];
  const engines: RoadmapEngine[] = [];
  for (const { model, options } of models) {
    const queue = createBullmqQueue({ connection: redisUrl, prefix, onError: (error) => errors.push(String(error)) });
    await queue.waitUntilReady();
    queues.push(queue);
    const engine = new RoadmapEngine({
      storage,
      queue,
      model,
      onError: (error) => errors.push(String(error)),
      // All engines share this one process here; covers (CPU-bound artwork) would measure drawing, not the queue.
      covers: { autoGenerate: false },
      // One user's tasks: fair scheduling between users is P13's to measure.
      userConcurrency: Number.POSITIVE_INFINITY,
      ...options,
    });
    await engine.start();
    engines.push(engine);
  }
  const finished = new Map<string, string>();
  const waiters = new Map<string, () => void>();
  for (const engine of engines) {
    engine.subscribe((event) => {
      if (event.type !== 'completed' && event.type !== 'failed' && event.type !== 'cancelled') return;
      finished.set(event.task_id, event.type);
      waiters.get(event.task_id)?.();
    });
  }
  return {
    engines,
    errors,
    /** Resolves with the terminal event type of the task, as soon as any engine delivered it. */
    finished(taskId: string): Promise<string> {
      const known = finished.get(taskId);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => {
        waiters.set(taskId, () => resolve(finished.get(taskId) ?? 'unknown'));
      });
    },
    async close() {
      for (const engine of engines) await engine.stop();
      for (const queue of queues) await queue.close();
      const client = new Redis(redisUrl);
      try {
        const keys = await client.keys(`${prefix}:*`);
        if (keys.length > 0) await client.del(...keys);
      } finally {
        client.disconnect();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// P10: 3 workers ÷ 1 worker
// ---------------------------------------------------------------------------------------------------------------

const tasks = 12;
const latencyMs = 50;
const shape = { stages: 1, modules: 1, concepts: 2 };
const runs = 3;

/** Wall time of `tasks` latency-bound tasks on `workers` engines, from the first generate to the last terminal event. */
async function throughputRun(workers: number, label: string): Promise<number> {
  const replayCache = new Map<string, string>();
  const cluster = await startCluster(
    Array.from({ length: workers }, () => ({
      model: createRecordingModel({ latencyMs, shape, replayCache }).model,
      options: { taskConcurrency: 1, concurrency: 5 },
    })),
  );
  try {
    const [producer] = cluster.engines;
    if (!producer) throw new Error('no engine');
    const startedAt = performance.now();
    const taskIds: string[] = [];
    for (let index = 0; index < tasks; index += 1) {
      const { task } = await producer.generate({
        userId: 'bench',
        request: preferences(`Learn Go (${label} ${index})`),
      });
      taskIds.push(task.task_id);
    }
    const outcomes = await Promise.all(taskIds.map((taskId) => cluster.finished(taskId)));
    const elapsed = performance.now() - startedAt;
    const wrong = outcomes.find((outcome) => outcome !== 'completed');
    if (wrong) throw new Error(`P10 task ended ${wrong}`);
    if (cluster.errors.length > 0) throw new Error(`engine reported errors: ${cluster.errors.join('; ')}`);
    return elapsed;
  } finally {
    await cluster.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// P3x: cancel from an API engine to a worker engine through BullMQ
// ---------------------------------------------------------------------------------------------------------------

const cancels = 60;
const cancelShape = { stages: 1, modules: 2, concepts: 3 };
const inFlightTarget = 9;
const capMs = 2_000;

async function cancelLatencies() {
  const recorder = createRecordingModel({ hangContent: true, shape: cancelShape });
  const cluster = await startCluster([
    { model: recorder.model, options: { taskConcurrency: 1, concurrency: 3 } },
    { model: createRecordingModel().model, options: { worker: false } },
  ]);
  const latencies: number[] = [];
  const resolves: number[] = [];
  let unaborted = 0;
  const terminal = new Map<string, number>();
  try {
    const api = cluster.engines[1];
    if (!api) throw new Error('no API engine');
    for (let index = 0; index < cancels; index += 1) {
      const goal = `Learn Go (P3x cancel ${index})`;
      const { task } = await api.generate({ userId: 'bench', request: preferences(goal) });
      await recorder.whenInFlight(goal, inFlightTarget);
      const inFlight = recorder.calls.filter((call) => call.goal === goal && call.settledAt === undefined);
      const startedAt = performance.now();
      await api.cancel(task.task_id, { reason: 'bench' });
      resolves.push(performance.now() - startedAt);
      const allSettled = await within(Promise.all(inFlight.map((call) => call.settled)), capMs);
      const aborted = inFlight.filter((call) => call.abortedAt !== undefined);
      unaborted += inFlight.length - aborted.length;
      const lastAbort = Math.max(...aborted.map((call) => call.abortedAt ?? 0));
      latencies.push(allSettled && aborted.length === inFlight.length ? lastAbort - startedAt : capMs);
      const outcome = await cluster.finished(task.task_id);
      terminal.set(outcome, (terminal.get(outcome) ?? 0) + 1);
    }
  } finally {
    await cluster.close();
  }
  return { latencies, resolves, unaborted, terminal, errors: cluster.errors.length };
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P10',
    title: `BullMQ: ${tasks} tasks (${latencyMs} ms model), 3 worker engines ÷ 1, taskConcurrency 1, one queue name`,
    target: { op: '>=', value: 2.5 },
    async run() {
      await throughputRun(1, 'warm-up');
      const one: number[] = [];
      const three: number[] = [];
      for (let index = 0; index < runs; index += 1) {
        one.push(await throughputRun(1, `one ${index}`));
        three.push(await throughputRun(3, `three ${index}`));
      }
      return {
        value: round(median(one) / median(three), 2),
        unit: 'x',
        detail: {
          tasks,
          latency_ms: latencyMs,
          runs,
          one_worker_ms: round(median(one), 0),
          three_workers_ms: round(median(three), 0),
          one_worker_all: one.map((ms) => round(ms, 0)),
          three_workers_all: three.map((ms) => round(ms, 0)),
        },
      };
    },
  },
  {
    id: 'P3x',
    title: `BullMQ cancel latency (p99), API engine → worker engine, ${cancels} cancels, ${inFlightTarget} calls in flight`,
    target: { op: '<=', value: 250 },
    async run() {
      const { latencies, resolves, unaborted, terminal, errors } = await cancelLatencies();
      return {
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        detail: {
          cancels: latencies.length,
          p50: round(percentile(latencies, 50)),
          p99: round(percentile(latencies, 99)),
          max: round(Math.max(...latencies)),
          cancel_resolve_p50_ms: round(percentile(resolves, 50)),
          unaborted_calls: unaborted,
          terminal_events: Object.fromEntries(terminal),
          engine_errors: errors,
        },
      };
    },
  },
];
