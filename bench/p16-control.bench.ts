import { createMemoryStorage } from '@roadmap/core';
import {
  type Benchmark,
  createRecordingModel,
  frameworkOperations,
  percentile,
  preferences,
  round,
  startEngine,
} from './support.js';

const pauses = 100;
const pauseShape = { stages: 1, modules: 2, concepts: 3 };
const pauseItems = pauseShape.stages * pauseShape.modules * pauseShape.concepts * 3;
const latencyMs = 20;

/**
 * P16pause: 100 tasks, each paused while content calls are in flight (`POST …/pause` semantics through the engine,
 * in-flight calls left to finish and be stored), then — once the worker gave the task up — resumed to completion.
 * Counts the model calls that started after a pause answered (target 0) and the content calls after the resume
 * beyond the items not yet stored (0: nothing stored is asked again).
 */
async function measurePause() {
  const recorder = createRecordingModel({ latencyMs, shape: pauseShape });
  const storage = createMemoryStorage();
  const bench = await startEngine(recorder.model, { concurrency: 3, storage });
  let startedAfterPause = 0;
  let repeats = 0;
  const answerMs: number[] = [];
  try {
    for (let index = 0; index < pauses; index += 1) {
      const goal = `Learn Rust (P16 pause ${index})`;
      const { task } = await bench.engine.generate({ userId: 'bench', request: preferences(goal) });
      await recorder.whenInFlight(goal, 3);
      const before = performance.now();
      await bench.engine.pause(task.task_id, { userId: 'bench' });
      const answeredAt = performance.now();
      answerMs.push(answeredAt - before);
      // The calls in flight finish and are stored; then the run gives the task up.
      const inFlight = recorder.calls.filter((call) => call.goal === goal && call.settledAt === undefined);
      await Promise.all(inFlight.map((call) => call.settled));
      // Waits (turn by turn, no timer) until the run stored them and gave the task up.
      for (let turn = 0; turn < 10_000; turn += 1) {
        const current = await storage.getTask(task.task_id);
        if (current?.status === 'paused' && current.lease_token === null) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      startedAfterPause += recorder.calls.filter((call) => call.goal === goal && call.startedAt > answeredAt).length;
      const stored = (await storage.listItems(task.roadmap_id)).filter((item) => item.status === 'completed').length;
      const resumedAt = performance.now();
      await bench.engine.resume(task.task_id, { userId: 'bench' });
      const { terminal } = await bench.finished(task.task_id);
      if (terminal.type !== 'completed') throw new Error(`P16pause run ${index} ended ${terminal.type}`);
      const afterResume = recorder.calls.filter(
        (call) => call.goal === goal && !frameworkOperations.includes(call.operation) && call.startedAt > resumedAt,
      );
      repeats += afterResume.length - (pauseItems - stored);
    }
  } finally {
    await bench.close();
  }
  return { startedAfterPause, repeats, answerMs };
}

const batchRounds = 10;
const batchSize = 100;

/**
 * P16batchCancel: 100 processing tasks (each with its content calls hanging) cancelled in one batch call, 10 times;
 * the time of the call (p99), and every call of those tasks aborted by the time it answered.
 */
async function measureBatchCancel() {
  const recorder = createRecordingModel({ hangContent: true, shape: pauseShape });
  const bench = await startEngine(recorder.model, { concurrency: 1, taskConcurrency: batchSize });
  const samples: number[] = [];
  let unaborted = 0;
  try {
    for (let roundIndex = 0; roundIndex < batchRounds; roundIndex += 1) {
      const goals: string[] = [];
      const taskIds: string[] = [];
      for (let index = 0; index < batchSize; index += 1) {
        const goal = `Learn Go (P16 batch ${roundIndex}.${index})`;
        goals.push(goal);
        taskIds.push((await bench.engine.generate({ userId: 'bench', request: preferences(goal) })).task.task_id);
      }
      await Promise.all(goals.map((goal) => recorder.whenInFlight(goal, 3)));
      const startedAt = performance.now();
      const result = await bench.engine.cancelTasks({ taskIds }, { userId: 'bench' });
      samples.push(performance.now() - startedAt);
      if (result.cancelled.length !== batchSize)
        throw new Error(`cancelled ${result.cancelled.length} of ${batchSize}`);
      const goalSet = new Set(goals);
      unaborted += recorder.calls.filter(
        (call) => goalSet.has(call.goal) && call.settledAt === undefined && call.abortedAt === undefined,
      ).length;
      await Promise.all(taskIds.map((taskId) => bench.finished(taskId)));
    }
  } finally {
    await bench.close();
  }
  return { samples, unaborted };
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P16pause',
    title: `model calls started after a pause answered, ${pauses} pauses with calls in flight (then resumed)`,
    target: { op: '<=', value: 0 },
    async run() {
      const { startedAfterPause, repeats, answerMs } = await measurePause();
      return {
        value: startedAfterPause,
        unit: 'calls',
        detail: {
          pauses,
          items_per_task: pauseItems,
          stored_items_asked_again_after_resume: repeats,
          pause_answer_p50_ms: round(percentile(answerMs, 50)),
          pause_answer_p99_ms: round(percentile(answerMs, 99)),
        },
      };
    },
  },
  {
    id: 'P16batchCancel',
    title: `batch cancel of ${batchSize} processing tasks (3 calls in flight each), answer p99 over ${batchRounds}`,
    target: { op: '<=', value: 250 },
    async run() {
      const { samples, unaborted } = await measureBatchCancel();
      return {
        value: round(percentile(samples, 99)),
        unit: 'ms',
        detail: {
          rounds: samples.length,
          tasks_per_batch: batchSize,
          p50: round(percentile(samples, 50)),
          max: round(Math.max(...samples)),
          calls_not_aborted_at_answer: unaborted,
        },
      };
    },
  },
];
