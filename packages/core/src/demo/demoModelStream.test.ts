import { describe, expect, it } from 'vitest';
import { type Curriculum, curriculumSchema, tutorialSchema } from '../domain/schemas.js';
import type { ConceptContext, LanguageModel, ModelRequest, ModelStreamPart } from '../model/languageModel.js';
import { isAbortError } from '../shared/errors.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { createDemoModel, demoResponse } from './demoModel.js';

const preferences = {
  learning_goal: 'Learn Rust for systems programming',
  available_hours_per_week: 10,
  current_level: 'beginner',
} as const;

/** The model's streamed answer to `request` (the demo model streams unless told not to). */
function streamOf(model: LanguageModel, request: ModelRequest): AsyncIterable<ModelStreamPart> {
  if (!model.stream) throw new Error('The model does not stream.');
  return model.stream(request);
}

/** The first concept of the demo curriculum, as the engine would hand it to a tutorial call. */
function firstConcept(): ConceptContext {
  const curriculum = demoResponse({ operation: 'curriculum_design', input: { preferences } }) as Curriculum;
  const stage = curriculum.stages[0];
  const module = stage?.modules[0];
  const concept = module?.concepts[0];
  if (!stage || !module || !concept) throw new Error('The demo curriculum has no concept.');
  return {
    concept_id: 'c-0-0-0',
    name: concept.name,
    description: concept.description,
    difficulty: concept.difficulty,
    keywords: concept.keywords,
    prerequisites: concept.prerequisites,
    stage_name: stage.name,
    module_name: module.name,
    roadmap_title: curriculum.title,
  };
}

function tutorialRequest(abortSignal: AbortSignal = new AbortController().signal): ModelRequest {
  return {
    operation: 'tutorial',
    key: 'tutorial:c-0-0-0',
    schemaName: 'tutorial',
    schema: tutorialSchema,
    system: 'You write tutorials.',
    prompt: 'Write the tutorial.',
    input: { preferences, concept: firstConcept() },
    abortSignal,
  };
}

interface Received {
  part: ModelStreamPart;
  atMs: number;
}

/** Reads a stream to its end, noting the clock's time of each part; `error` is what it threw, if anything. */
function collect(stream: AsyncIterable<ModelStreamPart>, clock: ManualClock) {
  const startMs = clock.now();
  const received: Received[] = [];
  const state: { done: boolean; error?: unknown } = { done: false };
  const finished = (async () => {
    try {
      for await (const part of stream) received.push({ part, atMs: clock.now() - startMs });
    } catch (error) {
      state.error = error;
    } finally {
      state.done = true;
    }
  })();
  return { received, state, finished };
}

function textOf(received: readonly Received[]): string {
  return received.map(({ part }) => (part.type === 'text-delta' ? part.text : '')).join('');
}

describe('the demo model streaming (SPEC §7)', () => {
  it('streams the same JSON text and usage as generate, in several pieces, then one finish', async () => {
    const model = createDemoModel({ latencyMs: 0 });
    expect(model.stream).toBeTypeOf('function');
    for (const request of [
      tutorialRequest(),
      {
        ...tutorialRequest(),
        operation: 'curriculum_design' as const,
        schema: curriculumSchema,
        input: { preferences },
      },
    ]) {
      const generated = await model.generate(request);
      const clock = createManualClock();
      const { received, finished } = collect(streamOf(model, request), clock);
      await finished;
      expect(textOf(received)).toBe(generated.text);
      const pieces = received.filter(({ part }) => part.type === 'text-delta');
      expect(pieces.length).toBeGreaterThan(5);
      expect(pieces.length).toBeLessThanOrEqual(40);
      expect(pieces.every(({ part }) => part.type === 'text-delta' && part.text.length > 0)).toBe(true);
      expect(received.at(-1)?.part).toEqual({ type: 'finish', usage: generated.usage });
      expect(received.filter(({ part }) => part.type === 'finish')).toHaveLength(1);
    }
  });

  it('waits its first-token share of the latency before the first piece and the rest over the pieces, on the injected clock', async () => {
    const clock = createManualClock();
    const model = createDemoModel({ clock, latencyMs: 1_000 });
    const { received, state, finished } = collect(streamOf(model, tutorialRequest()), clock);
    await clock.advance(299);
    expect(received).toHaveLength(0);
    await clock.advance(1);
    expect(received.map(({ atMs }) => atMs)).toEqual([300]);
    await clock.advance(350);
    const halfway = received.length;
    expect(halfway).toBeGreaterThan(5);
    expect(state.done).toBe(false);
    await clock.advance(349);
    expect(state.done).toBe(false);
    await clock.advance(1);
    await finished;
    expect(state.error).toBeUndefined();
    expect(received.length).toBeGreaterThan(halfway);
    // The whole call takes the latency: the finish comes at 1,000 ms, the pieces spread between 300 and 1,000 ms.
    expect(received.at(-1)).toMatchObject({ part: { type: 'finish' }, atMs: 1_000 });
    const times = received.map(({ atMs }) => atMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.max(...times.slice(0, -1))).toBeLessThan(1_000);
  });

  it('takes firstTokenShare for the wait before the first piece', async () => {
    const clock = createManualClock();
    const model = createDemoModel({ clock, latencyMs: 1_000, firstTokenShare: 0.5 });
    const { received, finished } = collect(streamOf(model, tutorialRequest()), clock);
    await clock.advance(499);
    expect(received).toHaveLength(0);
    await clock.advance(501);
    await finished;
    expect(received[0]?.atMs).toBe(500);
    expect(received.at(-1)).toMatchObject({ part: { type: 'finish' }, atMs: 1_000 });
  });

  it('stops with an AbortError when the call is aborted mid-stream, and gives nothing more', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const model = createDemoModel({ clock, latencyMs: 1_000 });
    const { received, state, finished } = collect(streamOf(model, tutorialRequest(controller.signal)), clock);
    await clock.advance(500);
    const before = received.length;
    expect(before).toBeGreaterThan(0);
    controller.abort();
    await finished;
    expect(isAbortError(state.error)).toBe(true);
    await clock.advance(1_000);
    expect(received).toHaveLength(before);
    expect(received.some(({ part }) => part.type === 'finish')).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('stops between pieces when aborted, even without latency', async () => {
    const controller = new AbortController();
    const model = createDemoModel({ latencyMs: 0 });
    const received: ModelStreamPart[] = [];
    const reading = (async () => {
      for await (const part of streamOf(model, tutorialRequest(controller.signal))) {
        received.push(part);
        if (received.length === 3) controller.abort();
      }
    })();
    await expect(reading).rejects.toSatisfy(isAbortError);
    expect(received).toHaveLength(3);
  });

  it('offers no stream when asked not to', () => {
    expect(createDemoModel({ stream: false }).stream).toBeUndefined();
  });
});
