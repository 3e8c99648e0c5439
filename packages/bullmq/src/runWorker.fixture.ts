/**
 * A worker process for `runWorker.test.ts`: runs one task whose content calls hang until aborted, reports on
 * stdout, and shuts down through `runWorker` when signalled.
 */
import { createDemoModel, createMemoryStorage, type LanguageModel, RoadmapEngine } from '@roadmap/core';
import { createBullmqQueue } from './bullmqQueue.js';
import { runWorker } from './runWorker.js';

const demo = createDemoModel({ latencyMs: 0 });
const contentOperations = new Set(['tutorial', 'resources', 'quiz']);
const model: LanguageModel = {
  specificationVersion: 'v1',
  provider: 'fixture',
  modelId: 'hanging-content',
  generate(request) {
    if (!contentOperations.has(request.operation)) return demo.generate(request);
    console.log(`hanging ${request.key}`);
    return new Promise((_, reject) => {
      request.abortSignal.addEventListener('abort', () => reject(request.abortSignal.reason), { once: true });
    });
  },
};

const queue = createBullmqQueue({
  connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  prefix: process.env.ROADMAP_TEST_PREFIX,
});
const engine = new RoadmapEngine({ storage: createMemoryStorage(), queue, model, leaseMs: 30_000, taskConcurrency: 1 });
await runWorker(engine, { onShutdown: async () => console.log('on-shutdown') });
const { task } = await engine.generate({ userId: 'user-1', request: { preferences: { learning_goal: 'Learn Go' } } });
console.log(`task ${task.task_id}`);
