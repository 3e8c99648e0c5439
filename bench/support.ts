import {
  createMemoryQueue,
  createMemoryStorage,
  type LanguageModel,
  RoadmapEngine,
  type RoadmapEngineOptions,
  type RoadmapEvent,
  type Storage,
} from '@roadmap/core';

export { createRecordingModel, frameworkOperations, type ModelCall, sizedCurriculum } from './models.js';

/** What a benchmark target demands of its value. */
export interface Target {
  op: '<=' | '>=';
  value: number;
}

/** One measured id, as stored in `bench/results/latest.json` (`target` is only shown in the table). */
export interface BenchResult {
  value: number;
  unit: string;
  detail: Record<string, unknown>;
}

/** A benchmark a `*.bench.ts` file exports in its `benchmarks` array. */
export interface Benchmark {
  id: string;
  title: string;
  target?: Target;
  run(): Promise<BenchResult>;
}

// ---------------------------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------------------------

export const sorted = (values: readonly number[]): number[] => [...values].sort((a, b) => a - b);

/** Nearest-rank percentile (`p` in 0–100) of a non-empty sample. */
export function percentile(values: readonly number[], p: number): number {
  const ordered = sorted(values);
  const rank = Math.max(1, Math.ceil((p / 100) * ordered.length));
  return ordered[Math.min(ordered.length, rank) - 1] ?? Number.NaN;
}

export const median = (values: readonly number[]): number => {
  const ordered = sorted(values);
  const middle = ordered.length >> 1;
  if (ordered.length % 2 === 1) return ordered[middle] ?? Number.NaN;
  return ((ordered[middle - 1] ?? Number.NaN) + (ordered[middle] ?? Number.NaN)) / 2;
};

export const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------------------------------------------

interface TaskTimes {
  firstConceptStartAt?: number;
  terminal?: { type: RoadmapEvent['type']; at: number; event: RoadmapEvent };
  settle?: () => void;
  settled: Promise<void>;
}

/**
 * A started API-only engine (no worker, no automatic covers, no model calls): what the HTTP and WebSocket
 * benchmarks serve requests from.
 */
export async function startApiEngine(storage: Storage, queue = createMemoryQueue()): Promise<RoadmapEngine> {
  const engine = new RoadmapEngine({
    storage,
    queue,
    model: { specificationVersion: 'v1', provider: 'bench', modelId: 'unused', generate: () => Promise.reject() },
    worker: false,
    covers: { autoGenerate: false },
    onError: () => {},
  });
  await engine.start();
  return engine;
}

/**
 * A started engine on in-memory storage and queue, with event times per task and the errors it reported. Cover
 * images are off unless a benchmark turns them on: the pipeline benchmarks measure roadmap generation, and P5
 * measures covers on their own (the offline artwork is ~30–60 ms of drawing per cover in the same process).
 */
export async function startEngine(model: LanguageModel, options: Partial<RoadmapEngineOptions> = {}) {
  const queue = createMemoryQueue();
  const errors: string[] = [];
  const engine = new RoadmapEngine({
    storage: createMemoryStorage(),
    queue,
    model,
    onError: (error) => errors.push(String(error)),
    covers: { autoGenerate: false },
    // The benchmarks put one user's load through the engine: fair scheduling between users is P13's to measure.
    userConcurrency: Number.POSITIVE_INFINITY,
    ...options,
  });
  const times = new Map<string, TaskTimes>();
  const timesOf = (taskId: string): TaskTimes => {
    let entry = times.get(taskId);
    if (!entry) {
      const created: TaskTimes = { settled: Promise.resolve() };
      created.settled = new Promise<void>((resolve) => {
        created.settle = resolve;
      });
      times.set(taskId, created);
      entry = created;
    }
    return entry;
  };
  engine.subscribe((event) => {
    const at = performance.now();
    const entry = timesOf(event.task_id);
    if (event.type === 'concept_start') entry.firstConceptStartAt ??= at;
    if (event.type === 'completed' || event.type === 'failed' || event.type === 'cancelled') {
      entry.terminal ??= { type: event.type, at, event };
      entry.settle?.();
    }
  });
  await engine.start();
  return {
    engine,
    errors,
    /** Resolves with the task's times once its terminal event was delivered. */
    async finished(taskId: string) {
      const entry = timesOf(taskId);
      await entry.settled;
      return entry as Required<Pick<TaskTimes, 'terminal'>> & TaskTimes;
    },
    async close() {
      await engine.stop();
      await queue.close();
    },
  };
}

/** Resolves `true` once `promise` settles, or `false` after `ms` (a bound, not a wait for something to happen). */
export function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([promise.then(() => true), timeout]).finally(() => clearTimeout(timer));
}

export const preferences = (goal: string) => ({ preferences: { learning_goal: goal, available_hours_per_week: 10 } });

/** One run of a throughput benchmark: how long the content phase took and how many items it planned. */
export interface ThroughputRun {
  ms: number;
  total: number;
}

/**
 * The P2 family: `warmups` discarded runs, then `runs` measured ones; the value is the median content items/s, and
 * a run that planned another number of items than `items` fails the benchmark.
 */
export async function measureThroughput(options: {
  id: string;
  items: number;
  storage: string;
  concurrency: number;
  warmups: number;
  runs: number;
  runOnce: (index: number) => Promise<ThroughputRun>;
}): Promise<BenchResult> {
  const { id, items } = options;
  for (let index = 0; index < options.warmups; index += 1) await options.runOnce(-1 - index);
  const measured: ThroughputRun[] = [];
  for (let index = 0; index < options.runs; index += 1) measured.push(await options.runOnce(index));
  const wrong = measured.find((run) => run.total !== items);
  if (wrong) throw new Error(`${id} planned ${wrong.total} items, expected ${items}`);
  const rates = measured.map((run) => (items * 1000) / run.ms);
  const medianMs = median(measured.map((run) => run.ms));
  return {
    value: round(median(rates), 0),
    unit: 'items/s',
    detail: {
      items,
      runs: measured.length,
      storage: options.storage,
      concurrency: options.concurrency,
      median_ms: round(medianMs, 1),
      min: round(Math.min(...rates), 0),
      max: round(Math.max(...rates), 0),
      per_item_us: round((1000 * medianMs) / items, 1),
    },
  };
}
