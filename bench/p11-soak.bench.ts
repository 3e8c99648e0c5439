import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type Curriculum,
  createDemoModel,
  createMemoryQueue,
  type LanguageModel,
  RoadmapEngine,
  type RoadmapEvent,
} from '@roadmap/core';
import { createSqliteStorage } from '@roadmap/sqlite';
import { type Benchmark, preferences, round, sizedCurriculum } from './support.js';

const tasks = 5_000;
const checkpoint = 1_000;
const shape = { stages: 1, modules: 1, concepts: 2 };

/** `global.gc` when node runs with `--expose-gc`, otherwise the flag is switched on and gc fetched from a context. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Heap after full collections (several passes: weak references and finalizers settle over more than one). */
async function heapAfterGc(gc: () => void): Promise<number> {
  for (let pass = 0; pass < 4; pass += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

/** The demo model without latency and without recording calls, resized to a two-concept curriculum. */
function tinyModel(): LanguageModel {
  const demo = createDemoModel({ latencyMs: 0 });
  return {
    specificationVersion: 'v1',
    provider: 'bench',
    modelId: 'bench-soak',
    async generate(request) {
      const result = await demo.generate(request);
      if (request.operation !== 'curriculum_design') return result;
      return { ...result, text: JSON.stringify(sizedCurriculum(JSON.parse(result.text) as Curriculum, shape)) };
    },
  };
}

/** Live handles by type (timers, sockets, …), from `process.getActiveResourcesInfo()`. */
function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

/** Listener counts of the engine's (private) event emitter, by event name. */
function listeners(engine: RoadmapEngine): Record<string, number> {
  const emitter = (
    engine as unknown as {
      emitter: { eventNames(): (string | symbol)[]; listenerCount(name: string | symbol): number };
    }
  ).emitter;
  return Object.fromEntries(emitter.eventNames().map((name) => [String(name), emitter.listenerCount(name)]));
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((sum, count) => sum + count, 0);

/**
 * 5,000 tasks one after another through one engine (SQLite file, in-process queue, instant model, two concepts per
 * roadmap). Heap after GC is taken after task 1,000 and after task 5,000; engine listeners and active handles are
 * compared between the started engine with nothing running and the end of the run.
 */
async function soak() {
  const gc = collector();
  const directory = mkdtempSync(join(tmpdir(), 'roadmap-bench-soak-'));
  const storage = createSqliteStorage({ filename: join(directory, 'soak.db') });
  const queue = createMemoryQueue();
  const errors: string[] = [];
  const engine = new RoadmapEngine({
    storage,
    queue,
    model: tinyModel(),
    onError: (error) => errors.push(String(error)),
    covers: { autoGenerate: false },
    // One user's tasks: fair scheduling between users is P13's to measure.
    userConcurrency: Number.POSITIVE_INFINITY,
  });
  const waiting = new Map<string, (event: RoadmapEvent) => void>();
  const early = new Map<string, RoadmapEvent>();
  const unsubscribe = engine.subscribe((event) => {
    if (event.type !== 'completed' && event.type !== 'failed' && event.type !== 'cancelled') return;
    const resolve = waiting.get(event.task_id);
    if (resolve) {
      waiting.delete(event.task_id);
      resolve(event);
    } else early.set(event.task_id, event);
  });
  await engine.start();
  const baseline = { listeners: listeners(engine), resources: resources() };
  const outcomes = new Map<string, number>();
  let heapAt1000 = 0;
  const startedAt = performance.now();
  try {
    for (let index = 1; index <= tasks; index += 1) {
      const { task } = await engine.generate({ userId: `soak-${index % 50}`, request: preferences(`Soak ${index}`) });
      const event =
        early.get(task.task_id) ?? (await new Promise<RoadmapEvent>((resolve) => waiting.set(task.task_id, resolve)));
      early.delete(task.task_id);
      outcomes.set(event.type, (outcomes.get(event.type) ?? 0) + 1);
      if (index === checkpoint) heapAt1000 = await heapAfterGc(gc);
    }
    const heapAt5000 = await heapAfterGc(gc);
    const seconds = (performance.now() - startedAt) / 1000;
    const end = { listeners: listeners(engine), resources: resources() };
    return { heapAt1000, heapAt5000, seconds, baseline, end, outcomes: Object.fromEntries(outcomes), errors };
  } finally {
    unsubscribe();
    await engine.stop();
    await queue.close();
    storage.close();
    rmSync(directory, { recursive: true, force: true });
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P11soak',
    title: `soak: ${tasks} tasks through one worker (SQLite file, in-process queue), heap growth after GC task ${checkpoint}→${tasks}`,
    target: { op: '<=', value: 10 },
    async run() {
      const result = await soak();
      const growth = (100 * (result.heapAt5000 - result.heapAt1000)) / result.heapAt1000;
      const listenersBack = total(result.end.listeners) <= total(result.baseline.listeners);
      const resourcesBack = total(result.end.resources) <= total(result.baseline.resources);
      if ((result.outcomes.completed ?? 0) !== tasks)
        throw new Error(`P11soak outcomes ${JSON.stringify(result.outcomes)}`);
      if (!listenersBack || !resourcesBack)
        throw new Error(
          `P11soak not back to baseline: ${JSON.stringify({ baseline: result.baseline, end: result.end })}`,
        );
      return {
        value: round(growth, 2),
        unit: '% heap',
        detail: {
          tasks,
          heap_mb_at_1000: round(result.heapAt1000 / 2 ** 20, 2),
          heap_mb_at_5000: round(result.heapAt5000 / 2 ** 20, 2),
          tasks_per_s: round(tasks / result.seconds, 1),
          listeners_baseline: result.baseline.listeners,
          listeners_end: result.end.listeners,
          resources_baseline: result.baseline.resources,
          resources_end: result.end.resources,
          engine_errors: result.errors.length,
          listeners_timers_sockets_back: listenersBack && resourcesBack,
        },
      };
    },
  },
];
