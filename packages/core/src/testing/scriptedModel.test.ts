import { describe, expect, it } from 'vitest';
import { curriculumSchema, intentSchema, type Preferences, quizSchema } from '../domain/schemas.js';
import type { ConceptContext, ModelOperation, ModelRequest } from '../model/languageModel.js';
import { isAbortError, RoadmapError } from '../shared/errors.js';
import { createManualClock } from './manualClock.js';
import { createScriptedModel } from './scriptedModel.js';

const preferences: Preferences = {
  learning_goal: 'Learn Rust',
  available_hours_per_week: 10,
  current_level: 'beginner',
};

const contentOperations: readonly ModelOperation[] = ['tutorial', 'resources', 'quiz'];

function requestFor(operation: ModelOperation, options: { key?: string; signal?: AbortSignal } = {}): ModelRequest {
  const concept: ConceptContext = {
    concept_id: options.key ?? 'c1',
    name: 'Ownership rules',
    description: 'Who owns a value and when it is dropped.',
    difficulty: 'easy',
    keywords: ['ownership', 'move'],
    prerequisites: [],
    stage_name: 'Ownership and the type system',
    module_name: 'Memory safety',
    roadmap_title: 'Rust roadmap',
  };
  return {
    operation,
    key: options.key ?? operation,
    schemaName: operation,
    schema: operation === 'curriculum_design' ? curriculumSchema : intentSchema,
    system: 'system',
    prompt: 'prompt',
    input: contentOperations.includes(operation) ? { preferences, concept } : { preferences },
    abortSignal: options.signal ?? new AbortController().signal,
  };
}

/** Whether the promise has settled, after letting pending callbacks run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
  return settled;
}

const rateLimited = () =>
  new RoadmapError('rate_limited', 'Too many requests', { retryable: true, retryAfterMs: 1_500, statusCode: 429 });

describe('createScriptedModel', () => {
  it('answers like the demo model by default, with schema-valid JSON', async () => {
    const model = createScriptedModel();
    expect(model).toMatchObject({ specificationVersion: 'v1', provider: 'scripted', modelId: 'scripted-1' });
    const { text } = await model.generate(requestFor('curriculum_design'));
    expect(curriculumSchema.parse(JSON.parse(text)).title).toBe('Rust roadmap: from first steps to practitioner');
  });

  it('answers from respond when given', async () => {
    const model = createScriptedModel({ respond: (request, call) => ({ key: request.key, attempt: call.attempt }) });
    await model.generate(requestFor('quiz', { key: 'quiz:c1' }));
    const { text } = await model.generate(requestFor('quiz', { key: 'quiz:c1' }));
    expect(JSON.parse(text)).toEqual({ key: 'quiz:c1', attempt: 2 });
  });

  it('records calls in order and counts them per key, operation or predicate', async () => {
    const model = createScriptedModel();
    await model.generate(requestFor('intent_analysis'));
    await model.generate(requestFor('tutorial', { key: 'tutorial:c1' }));
    await model.generate(requestFor('tutorial', { key: 'tutorial:c2' }));
    await model.generate(requestFor('tutorial', { key: 'tutorial:c1' }));
    expect(model.calls.map((call) => [call.index, call.key, call.attempt, call.outcome])).toEqual([
      [1, 'intent_analysis', 1, 'succeeded'],
      [2, 'tutorial:c1', 1, 'succeeded'],
      [3, 'tutorial:c2', 1, 'succeeded'],
      [4, 'tutorial:c1', 2, 'succeeded'],
    ]);
    expect(model.callCount()).toBe(4);
    expect(model.callCount('tutorial:c1')).toBe(2);
    expect(model.callCount('missing')).toBe(0);
    expect(model.callCount({ operation: 'tutorial' })).toBe(3);
    expect(model.callCount({ when: (_request, position) => position.attempt > 1 })).toBe(1);
  });

  it('fails a key n times with the given error, then succeeds', async () => {
    const model = createScriptedModel({ script: [{ key: 'intent_analysis', times: 2, fail: rateLimited() }] });
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      const error = await model.generate(requestFor('intent_analysis')).catch((caught: unknown) => caught);
      expect(RoadmapError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 1_500 });
    }
    const { text } = await model.generate(requestFor('intent_analysis'));
    expect(intentSchema.safeParse(JSON.parse(text)).success).toBe(true);
    expect(model.calls.map((call) => [call.behaviour, call.outcome])).toEqual([
      ['fail', 'failed'],
      ['fail', 'failed'],
      ['answer', 'succeeded'],
    ]);
  });

  it('fails with an error built per request, only for calls the predicate selects', async () => {
    const model = createScriptedModel({
      script: [
        {
          operation: 'tutorial',
          when: (request) => request.key.endsWith(':c2'),
          fail: (request) => new Error(`boom ${request.key}`),
        },
      ],
    });
    await expect(model.generate(requestFor('tutorial', { key: 'tutorial:c1' }))).resolves.toBeDefined();
    await expect(model.generate(requestFor('tutorial', { key: 'tutorial:c2' }))).rejects.toThrow('boom tutorial:c2');
    await expect(model.generate(requestFor('quiz', { key: 'quiz:c2' }))).resolves.toBeDefined();
  });

  it('hangs until aborted, then rejects with an AbortError and records the abort', async () => {
    const model = createScriptedModel({ script: [{ key: 'quiz:c1', hang: true }] });
    const controller = new AbortController();
    const result = model.generate(requestFor('quiz', { key: 'quiz:c1', signal: controller.signal }));
    await model.generate(requestFor('quiz', { key: 'quiz:c2' }));
    expect(await isSettled(result)).toBe(false);
    expect(model.inFlight).toEqual(['quiz:c1']);
    expect(model.aborts).toEqual([]);
    controller.abort();
    const error = await result.catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(model.aborts).toEqual(['quiz:c1']);
    expect(model.inFlight).toEqual([]);
    expect(model.calls[0]).toMatchObject({ behaviour: 'hang', outcome: 'aborted' });
  });

  it('returns text that is not JSON n times', async () => {
    const model = createScriptedModel({ script: [{ key: 'intent_analysis', times: 1, badJson: true }] });
    const first = await model.generate(requestFor('intent_analysis'));
    expect(() => JSON.parse(first.text)).toThrow(SyntaxError);
    const second = await model.generate(requestFor('intent_analysis'));
    expect(intentSchema.safeParse(JSON.parse(second.text)).success).toBe(true);
  });

  it('returns the given bad text', async () => {
    const model = createScriptedModel({ script: [{ badJson: '```json\n{"oops"' }] });
    expect((await model.generate(requestFor('intent_analysis'))).text).toBe('```json\n{"oops"');
  });

  it('returns JSON that violates the schema n times, or a given value', async () => {
    const model = createScriptedModel({
      script: [
        { key: 'quiz:c1', times: 1, invalid: true },
        { key: 'quiz:c2', times: 1, invalid: { value: { questions: [] } } },
      ],
    });
    const texts: string[] = [];
    for (const key of ['quiz:c1', 'quiz:c2', 'quiz:c1', 'quiz:c2']) {
      texts.push((await model.generate(requestFor('quiz', { key }))).text);
    }
    expect(texts.map((text) => quizSchema.safeParse(JSON.parse(text)).success)).toEqual([false, false, true, true]);
    expect(JSON.parse(texts[1] ?? '')).toEqual({ questions: [] });
    expect(model.calls.map((call) => call.behaviour)).toEqual(['invalid', 'invalid', 'answer', 'answer']);
  });

  it('waits latency on the injected clock, per rule or globally', async () => {
    const clock = createManualClock();
    const model = createScriptedModel({ clock, latencyMs: 100, script: [{ key: 'slow', latencyMs: 1_000 }] });
    const fast = model.generate(requestFor('intent_analysis'));
    const slow = model.generate(requestFor('intent_analysis', { key: 'slow' }));
    await model.waitForCalls(2);
    await clock.advance(99);
    expect(await isSettled(fast)).toBe(false);
    await clock.advance(1);
    expect(await isSettled(fast)).toBe(true);
    expect(await isSettled(slow)).toBe(false);
    await clock.advance(900);
    await expect(slow).resolves.toMatchObject({ text: expect.any(String) });
  });

  it('stops waiting its latency when aborted', async () => {
    const clock = createManualClock();
    const model = createScriptedModel({ clock, latencyMs: (request) => (request.key === 'a' ? 10_000 : 0) });
    const controller = new AbortController();
    const result = model.generate(requestFor('intent_analysis', { key: 'a', signal: controller.signal }));
    await model.waitForCalls(1, 'a');
    expect(clock.pendingTimers()).toBe(1);
    controller.abort();
    expect(isAbortError(await result.catch((caught: unknown) => caught))).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
    expect(model.aborts).toEqual(['a']);
  });

  it('rejects and records a call whose signal is already aborted', async () => {
    const model = createScriptedModel();
    const error = await model
      .generate(requestFor('intent_analysis', { signal: AbortSignal.abort() }))
      .catch((caught: unknown) => caught);
    expect(isAbortError(error)).toBe(true);
    expect(model.aborts).toEqual(['intent_analysis']);
    expect(model.calls[0]?.outcome).toBe('aborted');
  });

  it('lets a test await the n-th call instead of sleeping', async () => {
    const model = createScriptedModel({ script: [{ operation: 'tutorial', hang: true }] });
    const controller = new AbortController();
    const third = model.waitForCalls(3);
    const secondTutorial = model.waitForCalls(2, { operation: 'tutorial' });
    void model.generate(requestFor('tutorial', { key: 'tutorial:c1', signal: controller.signal })).catch(() => {});
    void model.generate(requestFor('intent_analysis'));
    expect(await isSettled(third)).toBe(false);
    expect(await isSettled(secondTutorial)).toBe(false);
    void model.generate(requestFor('tutorial', { key: 'tutorial:c2', signal: controller.signal })).catch(() => {});
    expect(await isSettled(third)).toBe(true);
    expect(await isSettled(secondTutorial)).toBe(true);
    expect(model.inFlight).toEqual(['tutorial:c1', 'tutorial:c2']);
    await expect(model.waitForCalls(1, 'intent_analysis')).resolves.toBeUndefined();
    controller.abort();
  });

  it('holds calls at the onCall gate until the test releases them', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const started: string[] = [];
    const model = createScriptedModel({
      onCall: (call) => {
        started.push(call.key);
        return call.key === 'gated' ? gate : undefined;
      },
    });
    const gated = model.generate(requestFor('intent_analysis', { key: 'gated' }));
    await model.generate(requestFor('intent_analysis', { key: 'free' }));
    expect(started).toEqual(['gated', 'free']);
    expect(await isSettled(gated)).toBe(false);
    release();
    await expect(gated).resolves.toMatchObject({ text: expect.any(String) });

    const controller = new AbortController();
    const neverReleased = createScriptedModel({ onCall: () => new Promise<void>(() => {}) });
    const aborted = neverReleased.generate(requestFor('intent_analysis', { signal: controller.signal }));
    controller.abort();
    expect(isAbortError(await aborted.catch((caught: unknown) => caught))).toBe(true);
  });

  it('applies the first matching rule with uses left, and rules can be added and removed', async () => {
    const model = createScriptedModel({
      script: [
        { key: 'intent_analysis', times: 1, fail: new Error('first rule') },
        { operation: 'intent_analysis', fail: new Error('second rule') },
      ],
    });
    await expect(model.generate(requestFor('intent_analysis'))).rejects.toThrow('first rule');
    await expect(model.generate(requestFor('intent_analysis'))).rejects.toThrow('second rule');
    const remove = model.addRule({ badJson: true });
    await expect(model.generate(requestFor('quiz', { key: 'quiz:c1' }))).resolves.toMatchObject({
      text: expect.not.stringMatching(/^\{/),
    });
    remove();
    const { text } = await model.generate(requestFor('quiz', { key: 'quiz:c1' }));
    expect(quizSchema.safeParse(JSON.parse(text)).success).toBe(true);
  });

  it('rejects a rule with two behaviours', () => {
    const model = createScriptedModel();
    expect(() => model.addRule({ hang: true, badJson: true })).toThrow(TypeError);
  });
});
