import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ImageProvider, ImageResult } from '../covers/imageProvider.js';
import { periodAt } from '../domain/budgetPeriod.js';
import type { RoadmapEvent } from '../domain/events.js';
import { callUsage, defaultModelPrices, imageCallUsage, priceOf } from '../domain/modelPrices.js';
import { addUsage, usageOf } from '../domain/usage.js';
import type { LanguageModel, ModelUsage } from '../model/languageModel.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock } from '../testing/manualClock.js';
import { createScriptedModel } from '../testing/scriptedModel.js';
import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

/** $1 per million input tokens and $2 per million output tokens: costs easy to check by hand. */
const prices = { 'scripted-1': { input_usd_per_million: 1, output_usd_per_million: 2 } };

function setup(options: Partial<RoadmapEngineOptions> = {}, clock = createManualClock()) {
  const storage = createMemoryStorage({ now: clock.now });
  const scripted = createScriptedModel({ clock });
  /** What every answered call reported, in order. */
  const reported: ModelUsage[] = [];
  const model: LanguageModel = {
    ...scripted,
    async generate(request) {
      const result = await scripted.generate(request);
      if (result.usage) reported.push(result.usage);
      return result;
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
    onError: (error) => {
      throw error;
    },
    ...options,
  });
  engines.push(engine);
  const events: RoadmapEvent[] = [];
  engine.subscribe((event) => events.push(event));
  return { engine, reported, clock, storage, events };
}

const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } };

describe('usage and cost of a task (SPEC §7)', () => {
  it('counts every call with the tokens the model reported, priced by the table, on the task and in events', async () => {
    const { engine, reported, events } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);

    const stored = await engine.getTask(task.task_id);
    expect(reported.length).toBeGreaterThan(3);
    const inputTokens = reported.reduce((sum, usage) => sum + usage.inputTokens, 0);
    const outputTokens = reported.reduce((sum, usage) => sum + usage.outputTokens, 0);
    expect(inputTokens).toBeGreaterThan(0);
    expect(stored?.usage).toEqual({
      calls: reported.length,
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      cost_usd: expect.closeTo((inputTokens * 1 + outputTokens * 2) / 1_000_000, 9),
    });
    expect(await engine.getUsage(task.task_id)).toEqual(stored?.usage);

    // Announced live: the first call's usage at once, then at most one a second, and the total when the run ends.
    const updates = events.filter((event) => event.type === 'usage_updated');
    expect(updates.length).toBeGreaterThanOrEqual(2);
    expect(updates.at(-1)).toMatchObject({ task_id: task.task_id, usage: stored?.usage });
    expect(updates[0]).toMatchObject({ usage: { calls: 1 } });
    const terminal = events.findIndex((event) => event.type === 'completed');
    expect(events.indexOf(updates.at(-1) as RoadmapEvent)).toBeLessThan(terminal);

    // Listings carry it too.
    const listed = await engine.listTasks({ userId: 'u1' });
    expect(listed.tasks[0]?.usage).toEqual(stored?.usage);
  });

  it('announces usage at most once a second while calls keep reporting', async () => {
    const { engine, events } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    // The manual clock stands still: the first call flushes, every later one is within the same second.
    const updates = events.filter((event) => event.type === 'usage_updated');
    expect(updates).toHaveLength(2);
  });

  it('a model without a price counts tokens with an unknown cost', async () => {
    const { engine } = setup({ prices: {} });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    const usage = (await engine.getTask(task.task_id))?.usage;
    expect(usage?.calls).toBeGreaterThan(0);
    expect(usage?.cost_usd).toBeNull();
  });

  it('the cancel receipt and the cancelled task carry the usage counted so far', async () => {
    const clock = createManualClock();
    const gates: (() => void)[] = [];
    const model = createScriptedModel({
      clock,
      onCall: (call) =>
        call.operation === 'tutorial' ? new Promise<void>((resolve) => gates.push(resolve)) : undefined,
    });
    const { engine, events } = setup({ model }, clock);
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    while (gates.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const { receipt } = await engine.cancel(task.task_id, { userId: 'u1' });
    expect(receipt.usage.calls).toBeGreaterThanOrEqual(3);
    expect(receipt.usage.cost_usd).toBeGreaterThan(0);
    expect((await engine.getTask(task.task_id))?.usage).toEqual(receipt.usage);
    expect(events.find((event) => event.type === 'cancelled')).toMatchObject({ usage: receipt.usage });
    for (const release of gates.splice(0)) release();
  });

  it('refuses a price table that is not numbers', () => {
    expect(() => setup({ prices: { broken: { input_usd_per_million: -1, output_usd_per_million: 2 } } })).toThrowError(
      expect.objectContaining({ code: 'invalid_input', message: expect.stringContaining('prices') }),
    );
  });
});

describe("GET /usage: the user's usage in the budget period", () => {
  it('adds up the tasks of the user created in the current UTC month, with the budget', async () => {
    const { engine, clock } = setup({ userBudgetUsd: 10 });
    await engine.start();
    const first = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, first.task.task_id);
    const second = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, second.task.task_id);
    const other = await engine.generate({ userId: 'u2', request: learnGo });
    await terminalEvent(engine, other.task.task_id);

    const [a, b] = await Promise.all([engine.getTask(first.task.task_id), engine.getTask(second.task.task_id)]);
    const expected = addUsage(usageOf(a?.usage), usageOf(b?.usage));
    const { startMs, endMs } = periodAt(clock.now(), 'month');
    expect(await engine.getUserUsage('u1')).toEqual({
      period_start: new Date(startMs).toISOString(),
      period_end: new Date(endMs).toISOString(),
      spent_usd: expected.cost_usd,
      reserved_usd: 0,
      budget_usd: 10,
      input_tokens: expected.input_tokens,
      output_tokens: expected.output_tokens,
      calls: expected.calls,
    });
    // Next month starts empty (the engine stopped first: no timers to run through a month).
    await engine.stop();
    await clock.advanceTo(endMs);
    expect(await engine.getUserUsage('u1')).toMatchObject({ calls: 0, spent_usd: 0 });
  });

  it('a day period, and no budget by default', async () => {
    const { engine, clock } = setup({ budgetPeriod: 'day' });
    const { startMs, endMs } = periodAt(clock.now(), 'day');
    expect(endMs - startMs).toBe(86_400_000);
    expect(await engine.getUserUsage('u1')).toMatchObject({
      period_start: new Date(startMs).toISOString(),
      budget_usd: null,
      calls: 0,
    });
  });
});

describe('prices', () => {
  it('a dated model id takes the price of its longest listed prefix', () => {
    expect(priceOf(defaultModelPrices, 'gpt-4o-mini-2024-07-18')).toEqual(defaultModelPrices['gpt-4o-mini']);
    expect(priceOf(defaultModelPrices, 'gpt-4o-2024-08-06')).toEqual(defaultModelPrices['gpt-4o']);
    expect(priceOf(defaultModelPrices, 'claude-sonnet')).toBeUndefined();
  });

  it('prices one call per million tokens', () => {
    expect(callUsage(defaultModelPrices, 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 1_000_000 })).toEqual({
      calls: 1,
      input_tokens: 1_000_000,
      output_tokens: 1_000_000,
      cost_usd: 0.75,
    });
  });

  it('periods are UTC calendar days and months', () => {
    const instant = Date.UTC(2026, 11, 31, 23, 59);
    expect(periodAt(instant, 'month')).toEqual({ startMs: Date.UTC(2026, 11, 1), endMs: Date.UTC(2027, 0, 1) });
    expect(periodAt(instant, 'day')).toEqual({ startMs: Date.UTC(2026, 11, 31), endMs: Date.UTC(2027, 0, 1) });
  });
});

describe('POST /roadmaps/estimate: cost before starting', () => {
  it("predicts the calls of the pipeline's shape without calling the model, and refuses a bad request", async () => {
    const { engine, reported } = setup();
    const estimate = engine.estimate({
      preferences: { learning_goal: 'Learn Go', available_hours_per_week: 10, current_level: 'beginner' },
    });
    // 4 stages × 2 modules × 3 concepts planned at 10 hours a week: 3 framework calls, 0.4 expected edit calls,
    // 24 × 3 content calls.
    expect(estimate.estimated_calls).toBe(Math.round(3 + 0.4 + 24 * 3));
    expect(estimate.estimated_cost_usd).toBe(
      Math.round(((estimate.estimated_input_tokens * 1 + estimate.estimated_output_tokens * 2) / 1_000_000) * 1e9) /
        1e9,
    );
    expect(reported).toEqual([]);
    expect(() => engine.estimate({ preferences: { learning_goal: '' } })).toThrowError(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const unpriced = setup({ prices: {} }).engine.estimate({ preferences: { learning_goal: 'Learn Go' } });
    expect(unpriced.estimated_cost_usd).toBeNull();
  });

  it("learns the model's tokens per call and the curricula's size from the calls it made", async () => {
    const { engine, reported } = setup();
    await engine.start();
    const request = { preferences: { learning_goal: 'Learn Go for backend services', available_hours_per_week: 10 } };
    const before = engine.estimate(request);
    for (let run = 0; run < 2; run += 1) {
      const { task } = await engine.generate({ userId: 'u1', request });
      await terminalEvent(engine, task.task_id);
    }
    const after = engine.estimate(request);
    const perRun = reported.length / 2;
    const tokensPerRun = reported.reduce((sum, usage) => sum + usage.inputTokens + usage.outputTokens, 0) / 2;
    const error = (estimated: number, actual: number) => Math.abs(estimated - actual) / actual;
    expect(error(after.estimated_calls, perRun)).toBeLessThan(error(before.estimated_calls, perRun) + 1e-9);
    expect(error(after.estimated_calls, perRun)).toBeLessThan(0.1);
    expect(error(after.estimated_input_tokens + after.estimated_output_tokens, tokensPerRun)).toBeLessThan(0.15);
  });
});

describe('image calls in the usage (SPEC §7: every model and image call)', () => {
  /** An image provider that bills like DALL·E 3 ($0.08 an image, no tokens). */
  const billedImages = (): ImageProvider & { calls: number } => {
    const provider = {
      specificationVersion: 'v1' as const,
      provider: 'billed',
      modelId: 'dall-e-3',
      calls: 0,
      async generate(): Promise<ImageResult> {
        provider.calls += 1;
        return {
          kind: 'bytes',
          data: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
          contentType: 'image/png',
          usage: { images: 1 },
        };
      },
    };
    return provider;
  };

  it("counts the cover's image call in the task's usage, during the run and when regenerated after it", async () => {
    const images = billedImages();
    const { engine, reported, events } = setup({ imageProvider: images, covers: { autoGenerate: true } });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    await vi.waitFor(async () => expect((await engine.covers.get(task.roadmap_id))?.status).toBe('success'));
    await vi.waitFor(async () => expect((await engine.getTask(task.task_id))?.usage.calls).toBe(reported.length + 1));
    const modelCost = reported.reduce((sum, usage) => sum + usage.inputTokens * 1e-6 + usage.outputTokens * 2e-6, 0);
    const afterRun = await engine.getTask(task.task_id);
    expect(afterRun?.usage.cost_usd).toBeCloseTo(modelCost + 0.08, 9);
    expect(images.calls).toBe(1);

    // Regenerated once the task is finished: added to the stored usage at once, and announced.
    await engine.covers.generate(task.roadmap_id, { userId: 'u1' });
    await vi.waitFor(async () => expect((await engine.getTask(task.task_id))?.usage.calls).toBe(reported.length + 2));
    expect((await engine.getTask(task.task_id))?.usage.cost_usd).toBeCloseTo(modelCost + 0.16, 9);
    expect(events.filter((event) => event.type === 'usage_updated').at(-1)).toMatchObject({
      usage: { calls: reported.length + 2 },
    });
  });

  it('prices image calls by tokens when reported, else per image, else not at all', () => {
    expect(
      imageCallUsage(defaultModelPrices, 'gpt-image-1', { images: 1, inputTokens: 38, outputTokens: 1056 }),
    ).toEqual({
      calls: 1,
      input_tokens: 38,
      output_tokens: 1056,
      cost_usd: (38 * 5 + 1056 * 40) / 1_000_000,
    });
    expect(imageCallUsage(defaultModelPrices, 'dall-e-3', { images: 2 }).cost_usd).toBe(0.16);
    expect(imageCallUsage(defaultModelPrices, 'gpt-4o-mini', { images: 1 }).cost_usd).toBeNull();
    expect(imageCallUsage(defaultModelPrices, 'someone-elses-model', { images: 1 }).cost_usd).toBeNull();
  });
});
