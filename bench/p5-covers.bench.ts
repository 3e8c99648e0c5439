import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  type ImageProvider,
  RoadmapEngine,
  type Storage,
} from '@roadmap/core';
import { abortError, emptyProgress, isoTime } from '@roadmap/core/internal';
import { type Benchmark, median, percentile, round } from './support.js';

const covers = 100;
const latencyMs = 100;
const concurrency = 4;
const idealMs = Math.ceil(covers / concurrency) * latencyMs;
const wallRuns = 3;
const batchWarmups = 3;
const batchCalls = 30;

/** A valid 1×1-ish PNG: the signature is what the cover service checks. */
const pngBytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** An image provider that answers after `latencyMs` of real time, like a remote image API, and honours aborts. */
function createSlowProvider(): ImageProvider & { maxInFlight: () => number } {
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    specificationVersion: 'v1',
    provider: 'bench',
    maxInFlight: () => maxInFlight,
    generate({ abortSignal }) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          abortSignal.removeEventListener('abort', onAbort);
          inFlight -= 1;
          resolve({ kind: 'bytes', data: pngBytes, contentType: 'image/png' });
        }, latencyMs);
        const onAbort = () => {
          clearTimeout(timer);
          inFlight -= 1;
          reject(abortError(abortSignal));
        };
        abortSignal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

let seeded = 0;

/** Stores `count` roadmaps with their tasks straight into storage, as finished pipelines leave them (no cover yet). */
async function seedRoadmaps(storage: Storage, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) {
    seeded += 1;
    const at = isoTime(Date.now());
    const taskId = `00000000-0000-4000-8000-${seeded.toString(16).padStart(12, '0')}`;
    const roadmapId = `learn-bench-${seeded.toString(16).padStart(8, '0')}`;
    await storage.createTask({
      task_id: taskId,
      user_id: 'bench',
      roadmap_id: roadmapId,
      title: `Learn bench ${seeded}`,
      status: 'pending',
      current_step: 'queued',
      progress: { ...emptyProgress },
      error_message: null,
      failed_concepts: { count: 0, concept_ids: [] },
      cancel_reason: null,
      pause_reason: null,
      review_round: 0,
      usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 },
      budget_usd: null,
      attempts: 0,
      created_at: at,
      updated_at: at,
      completed_at: null,
      request: {
        preferences: {
          learning_goal: `Learn bench ${seeded}`,
          available_hours_per_week: 10,
          current_level: 'beginner',
        },
      },
      idempotency_key: null,
      lease_token: null,
      lease_expires_at: null,
    });
    const token = `seed-${seeded}`;
    await storage.acquireLease(taskId, { token, now: Date.now(), expiresAt: Date.now() + 60_000, updatedAt: at });
    await storage.saveRoadmap(
      { taskId, leaseToken: token },
      {
        roadmap_id: roadmapId,
        user_id: 'bench',
        title: `Learn bench ${seeded}`,
        goal: `Learn bench ${seeded}`,
        stages: [],
        total_estimated_hours: 0,
        recommended_completion_weeks: 1,
        created_at: at,
      },
    );
    ids.push(roadmapId);
  }
  return ids;
}

async function startCoverEngine() {
  const storage = createMemoryStorage();
  const queue = createMemoryQueue();
  const provider = createSlowProvider();
  const errors: string[] = [];
  const engine = new RoadmapEngine({
    storage,
    queue,
    model: createDemoModel({ latencyMs: 0 }),
    imageProvider: provider,
    blobStore: createMemoryBlobStore(),
    covers: { concurrency, autoGenerate: false },
    worker: false,
    onError: (error) => errors.push(String(error)),
  });
  await engine.start();
  return {
    engine,
    storage,
    provider,
    errors,
    async close() {
      await engine.stop();
      await queue.close();
    },
  };
}

/** Wall time from `batchGenerate` to the last cover's `success` event, and that call's own latency. */
async function wallRun(): Promise<{ wallMs: number; callMs: number; maxInFlight: number }> {
  const bench = await startCoverEngine();
  try {
    const ids = await seedRoadmaps(bench.storage, covers);
    let succeeded = 0;
    let finished: () => void = () => {};
    const allDone = new Promise<void>((resolve) => {
      finished = resolve;
    });
    bench.engine.on('cover_updated', (event) => {
      if (event.status === 'failed') bench.errors.push(`cover ${event.roadmap_id} failed`);
      if (event.status === 'success' && ++succeeded === covers) finished();
    });
    const startedAt = performance.now();
    const result = await bench.engine.covers.batchGenerate(ids, { userId: 'bench' });
    const callMs = performance.now() - startedAt;
    if (result.triggered !== covers) throw new Error(`P5 triggered ${result.triggered} of ${covers} covers`);
    await allDone;
    const wallMs = performance.now() - startedAt;
    if (bench.errors.length > 0) throw new Error(`engine reported errors: ${bench.errors.join('; ')}`);
    return { wallMs, callMs, maxInFlight: bench.provider.maxInFlight() };
  } finally {
    await bench.close();
  }
}

/** Latency of one `batchGenerate` of 100 fresh roadmaps (covers created lazily, all triggered). */
async function batchCall(): Promise<number> {
  const bench = await startCoverEngine();
  try {
    const ids = await seedRoadmaps(bench.storage, covers);
    const startedAt = performance.now();
    const result = await bench.engine.covers.batchGenerate(ids, { userId: 'bench' });
    const callMs = performance.now() - startedAt;
    if (result.triggered !== covers) throw new Error(`P5 triggered ${result.triggered} of ${covers} covers`);
    return callMs;
  } finally {
    await bench.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P5',
    title: `${covers} covers, ${latencyMs} ms provider, concurrency ${concurrency}: wall ÷ ideal; batchGenerate p99 ≤ 50 ms`,
    target: { op: '<=', value: 1.1 },
    async run() {
      const runs: Array<{ wallMs: number; callMs: number; maxInFlight: number }> = [];
      for (let index = 0; index < wallRuns; index += 1) runs.push(await wallRun());
      for (let index = 0; index < batchWarmups; index += 1) await batchCall();
      const calls: number[] = [];
      for (let index = 0; index < batchCalls; index += 1) calls.push(await batchCall());
      const walls = runs.map((run) => run.wallMs);
      const batchP99 = percentile(calls, 99);
      return {
        value: round(median(walls) / idealMs),
        unit: 'x ideal',
        detail: {
          covers,
          latency_ms: latencyMs,
          concurrency,
          ideal_ms: idealMs,
          runs: runs.length,
          wall_ms: walls.map((wall) => round(wall, 1)),
          max_in_flight: Math.max(...runs.map((run) => run.maxInFlight)),
          batch_calls: calls.length,
          batch_p50_ms: round(percentile(calls, 50), 2),
          batch_p99_ms: round(batchP99, 2),
          batch_max_ms: round(Math.max(...calls), 2),
          batch_target_ms: 50,
          batch_meets_target: batchP99 <= 50,
        },
      };
    },
  },
];
