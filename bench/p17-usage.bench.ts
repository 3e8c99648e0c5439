import {
  createDemoModel,
  createMemoryQueue,
  createMemoryStorage,
  type LanguageModel,
  RoadmapEngine,
  UsageAverages,
} from '@roadmap/core';
import { type Benchmark, median, round } from './support.js';

const goals = [
  'Learn Rust',
  'Learn TypeScript generics',
  'Learn machine learning',
  'Learn French cooking',
  'Learn Kubernetes',
];
const hours = [3, 6, 10, 15];
const levels = ['beginner', 'intermediate', 'advanced'] as const;
const runs = 20;

/** Absolute error of an estimate, as a share of the actual value. */
const relativeError = (estimated: number, actual: number) => Math.abs(estimated - actual) / actual;

/**
 * The estimate (`POST /roadmaps/estimate`) against what 20 demo-model generations with varied goals, hours and levels
 * really used, on one engine: each estimate is made just before its generation, with what the engine learned from
 * the generations before it (the first has only the demo model's profile).
 */
async function measureEstimates() {
  const demo = createDemoModel({ latencyMs: 0 });
  const calls: { input: number; output: number }[] = [];
  const model: LanguageModel = {
    ...demo,
    async generate(request) {
      const result = await demo.generate(request);
      calls.push({ input: result.usage?.inputTokens ?? 0, output: result.usage?.outputTokens ?? 0 });
      return result;
    },
  };
  const engine = new RoadmapEngine({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    model,
    concurrency: 8,
    covers: { autoGenerate: false },
  });
  await engine.start();
  const errors = { calls: [] as number[], tokens: [] as number[], cost: [] as number[] };
  try {
    for (let run = 0; run < runs; run += 1) {
      const preferences = {
        learning_goal: `${goals[run % goals.length]} (estimate run ${run})`,
        available_hours_per_week: hours[run % hours.length] ?? 10,
        current_level: levels[run % levels.length] ?? 'beginner',
      };
      const estimate = engine.estimate({ preferences });
      calls.length = 0;
      const { task } = await engine.generate({ userId: 'bench', request: { preferences } });
      await new Promise<void>((resolve) => {
        const unsubscribe = engine.subscribe((event) => {
          if (event.task_id !== task.task_id) return;
          if (event.type !== 'completed' && event.type !== 'failed' && event.type !== 'cancelled') return;
          unsubscribe();
          resolve();
        });
      });
      const usage = (await engine.getTask(task.task_id))?.usage;
      if (!usage || usage.cost_usd === null || estimate.estimated_cost_usd === null) {
        throw new Error('the demo model is priced: usage and estimate must have a cost');
      }
      errors.calls.push(relativeError(estimate.estimated_calls, usage.calls));
      errors.tokens.push(
        relativeError(
          estimate.estimated_input_tokens + estimate.estimated_output_tokens,
          usage.input_tokens + usage.output_tokens,
        ),
      );
      errors.cost.push(relativeError(estimate.estimated_cost_usd, usage.cost_usd));
    }
  } finally {
    await engine.stop();
  }
  return errors;
}

/** CPU cost of usage accounting per call: what the run adds for every answered call (running means included). */
function accountingMicroseconds(): number {
  const averages = new UsageAverages();
  const iterations = 200_000;
  const startedAt = performance.now();
  for (let index = 0; index < iterations; index += 1) {
    averages.observeCall('tutorial', { inputTokens: 189 + (index % 7), outputTokens: 525 });
  }
  return ((performance.now() - startedAt) * 1000) / iterations;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const percent = (value: number) => round(value * 100, 1);

export const benchmarks: Benchmark[] = [
  {
    id: 'P17estimate',
    title: `estimate error vs actual usage, ${runs} demo-model generations (mean over runs, cost)`,
    async run() {
      const errors = await measureEstimates();
      return {
        value: percent(mean(errors.cost)),
        unit: '% error',
        detail: {
          runs,
          cost_mean_pct: percent(mean(errors.cost)),
          cost_median_pct: percent(median(errors.cost)),
          cost_max_pct: percent(Math.max(...errors.cost)),
          cost_first_run_pct: percent(errors.cost[0] ?? 0),
          calls_mean_pct: percent(mean(errors.calls)),
          calls_max_pct: percent(Math.max(...errors.calls)),
          tokens_mean_pct: percent(mean(errors.tokens)),
          accounting_us_per_call: round(accountingMicroseconds(), 3),
        },
      };
    },
  },
];
