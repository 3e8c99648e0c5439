import { afterEach, describe, expect, it } from 'vitest';
import { periodAt } from '../domain/budgetPeriod.js';
import { callUsage } from '../domain/modelPrices.js';
import type { LanguageModel, ModelRequest } from '../model/languageModel.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { nextEvent, settle, terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { budgetPauseCheckpointKey, budgetPauseOf } from './budgetPause.js';
import { worstCaseCostUsd, worstCaseInputTokens } from './callBudget.js';
import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** $1 per million input tokens and $2 per million output tokens. */
const prices = { 'scripted-1': { input_usd_per_million: 1, output_usd_per_million: 2 } };
const maxOutputTokens = 1_000;

function setup(options: Partial<RoadmapEngineOptions> = {}, modelOptions: { priced?: boolean } = {}) {
  const clock = createManualClock();
  const storage = createMemoryStorage({ now: clock.now });
  const scripted = createScriptedModel({ clock, ...(modelOptions.priced === false ? { modelId: 'unpriced' } : {}) });
  /** Every call the model was asked, with the worst case reserved for it. */
  const asked: { request: ModelRequest; worstCaseUsd: number }[] = [];
  const model: LanguageModel = {
    ...scripted,
    maxOutputTokens,
    async generate(request) {
      const worstCaseUsd =
        worstCaseCostUsd(prices, scripted.modelId, worstCaseInputTokens(request), maxOutputTokens) ?? 0;
      asked.push({ request, worstCaseUsd });
      return scripted.generate(request);
    },
  };
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue({ clock }),
    model,
    clock,
    concurrency: 2,
    covers: { autoGenerate: false },
    prices,
    userConcurrency: Number.POSITIVE_INFINITY,
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  engines.push(engine);
  return { engine, storage, clock, asked, scripted };
}

const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } };

describe('budgets (SPEC §7)', () => {
  it('pauses a task on its own budget before the call that could pass it, and resumes it when the budget is raised', async () => {
    const { engine, storage, asked } = setup();
    await engine.start();
    const paused = nextEvent(engine, 'paused');
    const { task } = await engine.generate({ userId: 'u1', request: { ...learnGo, budget_usd: 0.03 } });
    expect(task.budget_usd).toBe(0.03);
    expect(await paused).toMatchObject({ task_id: task.task_id, reason: 'budget', previous_status: 'processing' });
    await settle(20);

    const stopped = await engine.getTask(task.task_id);
    expect(stopped).toMatchObject({ status: 'paused', pause_reason: 'budget' });
    // Every call made had its worst case reserved within the budget, and was settled at its cost; the refused one
    // was never made: what is left is less than a call's worst case.
    const charge = await storage.taskBudgetCharge(task.task_id);
    expect(charge.reserved_usd).toBe(0);
    expect(charge.spent_usd).toBeCloseTo(stopped?.usage.cost_usd ?? -1, 9);
    expect(charge.spent_usd).toBeLessThanOrEqual(0.03);
    expect(asked.length).toBeGreaterThan(0);
    // Calls settled below their worst case free room: the sweep resumes the task while the room fits the call it
    // paused on, until it does not.
    for (let round = 0; ; round += 1) {
      expect(round).toBeLessThan(20);
      const again = nextEvent(engine, 'paused', task.task_id);
      if ((await engine.resumeBudgetPaused()) === 0) break;
      await again;
      await settle(20);
    }
    const pausedAgain = await storage.taskBudgetCharge(task.task_id);
    expect(pausedAgain.spent_usd).toBeLessThanOrEqual(0.03);
    const pause = budgetPauseOf((await storage.getCheckpoints(task.task_id))[budgetPauseCheckpointKey]);
    expect(pause?.scope).toBe('task');
    expect(0.03 - pausedAgain.spent_usd).toBeLessThan(pause?.needed_usd ?? 0);
    const callsAtRest = asked.length;
    expect(await engine.resumeBudgetPaused()).toBe(0);
    await settle(20);
    expect(asked).toHaveLength(callsAtRest);

    // Raised with the resume: it continues, repeating nothing stored, and completes within the new budget.
    const resumed = await engine.resume(task.task_id, { userId: 'u1', budgetUsd: 5 });
    expect(resumed.task).toMatchObject({ status: 'pending', budget_usd: 5 });
    expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
    const keys = asked.map((call) => call.request.key);
    expect(new Set(keys).size).toBe(keys.length);
    const done = await engine.getTask(task.task_id);
    expect((await storage.taskBudgetCharge(task.task_id)).spent_usd).toBeCloseTo(done?.usage.cost_usd ?? -1, 9);
  });

  it('pauses every task of a user whose period budget has no room, and resumes them when it is raised', async () => {
    let budget = 0.04;
    const { engine, storage, clock, asked } = setup({ userBudgetUsd: (userId) => (userId === 'u1' ? budget : null) });
    await engine.start();
    const first = await engine.generate({ userId: 'u1', request: learnGo });
    const second = await engine.generate({
      userId: 'u1',
      request: { preferences: { learning_goal: 'Learn Rust for systems programming' } },
    });
    const other = await engine.generate({ userId: 'u2', request: learnGo });
    expect(await terminalEvent(engine, other.task.task_id)).toMatchObject({ type: 'completed' });
    await settle(40);
    const firstPaused = await engine.getTask(first.task.task_id);
    const secondPaused = await engine.getTask(second.task.task_id);
    expect([firstPaused?.pause_reason, secondPaused?.pause_reason]).toEqual(['budget', 'budget']);
    const periodStart = isoTime(periodAt(clock.now(), 'month').startMs);
    const charge = await storage.userBudgetCharge('u1', periodStart);
    expect(charge.spent_usd + charge.reserved_usd).toBeLessThanOrEqual(0.04);
    expect(charge.reserved_usd).toBe(0);
    // What GET /usage reports with a budget: the ledger the budget is enforced on.
    expect(await engine.getUserUsage('u1')).toMatchObject({
      budget_usd: 0.04,
      spent_usd: charge.spent_usd,
      reserved_usd: 0,
    });
    const callsAtPause = asked.length;

    budget = 10;
    expect(await engine.resumeBudgetPaused()).toBe(2);
    expect(await terminalEvent(engine, first.task.task_id)).toMatchObject({ type: 'completed' });
    expect(await terminalEvent(engine, second.task.task_id)).toMatchObject({ type: 'completed' });
    expect(asked.length).toBeGreaterThan(callsAtPause);
  });

  it('refuses a new task with budget_exceeded once the period budget has nothing left, and not in a new period', async () => {
    const { engine, clock } = setup({ userBudgetUsd: 0, budgetPeriod: 'day' });
    await engine.start();
    const refused = await engine.generate({ userId: 'u1', request: learnGo }).catch((error: unknown) => error);
    expect(RoadmapError.isInstance(refused) && refused.code).toBe('budget_exceeded');
    expect(String((refused as Error).message)).toMatch(/\$0 for this day has nothing left; it renews at /);
    expect((await engine.listTasks({ userId: 'u1' })).tasks).toEqual([]);
    clock.advance(24 * 3_600_000);
    // A budget of 0 has nothing left in any period.
    await expect(engine.generate({ userId: 'u1', request: learnGo })).rejects.toThrow(/nothing left/);
  });

  it("settles each call with its reported usage: the ledger and the task's usage agree", async () => {
    const { engine, storage, asked } = setup({ userBudgetUsd: 100 });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    const done = await engine.getTask(task.task_id);
    const charge = await storage.taskBudgetCharge(task.task_id);
    expect(charge).toEqual({ spent_usd: expect.closeTo(done?.usage.cost_usd ?? -1, 9), reserved_usd: 0 });
    expect(done?.usage.calls).toBe(asked.length);
    // Each reservation held at least what its call cost.
    for (const call of asked) {
      const cost = callUsage(prices, 'scripted-1', { inputTokens: 1, outputTokens: 1 }).cost_usd ?? 0;
      expect(call.worstCaseUsd).toBeGreaterThan(cost);
    }
  });

  it('does not limit a model without a price (its cost is unknown)', async () => {
    const { engine } = setup({ userBudgetUsd: 0.000001 }, { priced: false });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: { ...learnGo, budget_usd: 0.000001 } });
    expect(await terminalEvent(engine, task.task_id)).toMatchObject({ type: 'completed' });
  });

  it('checks the budget given with a resume', async () => {
    const { engine } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: { ...learnGo, budget_usd: 0.001 } });
    await nextEvent(engine, 'paused', task.task_id);
    await settle(20);
    for (const budgetUsd of [0, -1, Number.NaN, 2_000_000]) {
      await expect(engine.resume(task.task_id, { userId: 'u1', budgetUsd })).rejects.toMatchObject({
        code: 'invalid_input',
      });
    }
    expect(await engine.getTask(task.task_id)).toMatchObject({ status: 'paused', budget_usd: 0.001 });
  });
});
