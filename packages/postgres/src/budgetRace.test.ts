import {
  createDemoModel,
  createMemoryQueue,
  defaultModelPrices,
  periodAt,
  RoadmapEngine,
  type RoadmapEvent,
} from '@roadmap/core';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

const workers = 8;
const budgetUsd = 0.05;

describeWithDatabase('budgets on PostgreSQL: 8 workers racing for the last dollars (SPEC §7)', () => {
  const adminPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => adminPool.end());

  it("never lets the user's spend pass the budget", async () => {
    const schema = freshSchemaName();
    // Eight worker processes: each its own pool on the database, all taking jobs from one queue.
    const storages: PostgresStorage[] = [];
    for (let index = 0; index < workers; index += 1) {
      storages.push(await createPostgresStorage({ connectionString: databaseUrl, schema }));
    }
    const queue = createMemoryQueue({ concurrency: workers });
    const engines = storages.map(
      (storage, index) =>
        new RoadmapEngine({
          storage,
          queue,
          // A little latency, so calls of different workers overlap.
          model: createDemoModel({ latencyMs: 5, seed: index }),
          workerId: `worker-${index}`,
          taskConcurrency: 1,
          concurrency: 3,
          userConcurrency: Number.POSITIVE_INFINITY,
          userBudgetUsd: budgetUsd,
          budgetPeriod: 'day',
          covers: { autoGenerate: false },
          onError: () => {},
        }),
    );
    try {
      const paused = new Set<string>();
      const allPaused = new Promise<void>((resolve) => {
        for (const engine of engines) {
          engine.on('paused', (event: Extract<RoadmapEvent, { type: 'paused' }>) => {
            if (event.reason === 'budget') paused.add(event.task_id);
            if (paused.size === workers) resolve();
          });
        }
      });
      for (const engine of engines) await engine.start();
      const taskIds: string[] = [];
      for (let index = 0; index < workers; index += 1) {
        const { task } = await (engines[index] as RoadmapEngine).generate({
          userId: 'racer',
          request: { preferences: { learning_goal: `Learn topic number ${index} in depth` } },
        });
        taskIds.push(task.task_id);
      }
      await allPaused;
      for (const engine of engines) await engine.stop();

      const storage = storages[0] as PostgresStorage;
      const periodStart = new Date(periodAt(Date.now(), 'day').startMs).toISOString();
      const charge = await storage.userBudgetCharge('racer', periodStart);
      const tasks = await Promise.all(taskIds.map((taskId) => storage.getTask(taskId)));
      const taskCost = tasks.reduce((sum, task) => sum + (task?.usage.cost_usd ?? 0), 0);
      const calls = tasks.reduce((sum, task) => sum + (task?.usage.calls ?? 0), 0);
      const overspend = Math.max(0, charge.spent_usd - budgetUsd);
      const price = defaultModelPrices['roadmap-demo-1'];
      console.log(
        `[budget race] ${workers} workers, budget $${budgetUsd}: ${calls} calls, spent $${charge.spent_usd.toFixed(6)} ` +
          `(tasks' usage $${taskCost.toFixed(6)}), reserved $${charge.reserved_usd}, overspend $${overspend} ` +
          `(demo model at $${price?.input_usd_per_million}/$${price?.output_usd_per_million} per million tokens)`,
      );
      expect(tasks.every((task) => task?.status === 'paused' && task.pause_reason === 'budget')).toBe(true);
      expect(charge.reserved_usd).toBe(0);
      expect(overspend).toBe(0);
      // The ledger and the tasks' own usage tell the same spend.
      expect(charge.spent_usd).toBeCloseTo(taskCost, 9);
      // The race was for the last dollars: most of the budget was spent before every worker was refused.
      expect(charge.spent_usd).toBeGreaterThan(budgetUsd / 2);
    } finally {
      for (const engine of engines) await engine.stop().catch(() => {});
      for (const storage of storages) await storage.close();
      await dropSchema(adminPool, schema);
    }
  }, 60_000);
});
