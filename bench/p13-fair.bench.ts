import type { RoadmapEngine } from '@roadmap/core';
import { type Benchmark, createRecordingModel, preferences, round, startEngine } from './support.js';

const latencyMs = 20;
const shape = { stages: 1, modules: 1, concepts: 2 };
const burst = 50;
const userConcurrency = 2;
const taskConcurrency = 4;

/** Resolves with the time (performance.now) the task's first `processing` progress event was delivered. */
function claimedAt(engine: RoadmapEngine, taskId: () => string | undefined): Promise<number> {
  return new Promise((resolve) => {
    const unsubscribe = engine.subscribe((event) => {
      if (event.task_id !== taskId() || event.type !== 'progress' || event.status !== 'processing') return;
      unsubscribe();
      resolve(performance.now());
    });
  });
}

/**
 * P13fair (SPEC §7 fair scheduling): user A submits 50 tasks, then user B submits one, on one worker with 4 task
 * slots and `userConcurrency` 2. B's queue wait (generate → its task is claimed) is compared with the time one task
 * takes alone, measured in the same run: B must not wait for A's backlog, at most for one task slot.
 */
async function measureFairness() {
  const replayCache = new Map<string, string>();
  // One task alone: what "one task slot" costs here.
  const alone = await startEngine(createRecordingModel({ latencyMs, shape, replayCache }).model, {
    concurrency: 2,
    taskConcurrency,
    userConcurrency,
  });
  let singleMs = 0;
  try {
    // A warm-up, then the measured one.
    for (const goal of ['Learn Rust (P13fair warm-up)', 'Learn Rust (P13fair alone)']) {
      const startedAt = performance.now();
      const { task } = await alone.engine.generate({ userId: 'b', request: preferences(goal) });
      const { terminal } = await alone.finished(task.task_id);
      singleMs = terminal.at - startedAt;
    }
  } finally {
    await alone.close();
  }

  const shared = await startEngine(createRecordingModel({ latencyMs, shape, replayCache }).model, {
    concurrency: 2,
    taskConcurrency,
    userConcurrency,
  });
  try {
    const burstIds: string[] = [];
    for (let index = 0; index < burst; index += 1) {
      const { task } = await shared.engine.generate({
        userId: 'a',
        request: preferences(`Learn Rust (P13fair burst ${index})`),
      });
      burstIds.push(task.task_id);
    }
    let singleId: string | undefined;
    const claimed = claimedAt(shared.engine, () => singleId);
    const submittedAt = performance.now();
    const { task } = await shared.engine.generate({ userId: 'b', request: preferences('Learn Rust (P13fair b)') });
    singleId = task.task_id;
    const waitMs = (await claimed) - submittedAt;
    const { terminal } = await shared.finished(task.task_id);
    const bTotalMs = terminal.at - submittedAt;
    const aFirst = await shared.finished(burstIds[0] ?? '');
    for (const id of burstIds) await shared.finished(id);
    const burstMs = (await shared.finished(burstIds.at(-1) ?? '')).terminal.at - submittedAt;
    if (shared.errors.length > 0) throw new Error(`engine errors: ${shared.errors.join('; ')}`);
    return {
      singleMs,
      waitMs,
      bTotalMs,
      burstMs,
      aFirstStatus: aFirst.terminal.type,
    };
  } finally {
    await shared.close();
  }
}

export const benchmarks: Benchmark[] = [
  {
    id: 'P13fair',
    title: `user B's queue wait behind user A's ${burst} tasks ÷ one task alone (userConcurrency ${userConcurrency}, ${taskConcurrency} slots)`,
    target: { op: '<=', value: 1.1 },
    async run() {
      const measured = await measureFairness();
      return {
        value: round(measured.waitMs / measured.singleMs),
        unit: 'x one task',
        detail: {
          burst,
          user_concurrency: userConcurrency,
          task_slots: taskConcurrency,
          one_task_ms: round(measured.singleMs, 1),
          b_queue_wait_ms: round(measured.waitMs, 1),
          b_total_ms: round(measured.bTotalMs, 1),
          b_total_x_alone: round(measured.bTotalMs / measured.singleMs),
          a_backlog_done_ms: round(measured.burstMs, 1),
        },
      };
    },
  },
];
