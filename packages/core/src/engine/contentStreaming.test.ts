import { afterEach, describe, expect, it } from 'vitest';
import { createDemoModel } from '../demo/demoModel.js';
import type { RoadmapEvent } from '../domain/events.js';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../model/languageModel.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import { RoadmapError } from '../shared/errors.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import { latestSeq, settle, terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock } from '../testing/manualClock.js';
import { contentDeltaIntervalMs, partialKeptError } from './contentStream.js';
import { RoadmapEngine } from './engine.js';

const engines: RoadmapEngine[] = [];
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.stop();
});

type Delta = Extract<RoadmapEvent, { type: 'content_delta' }>;

/** An engine on a manual clock with the demo model streaming at `latencyMs` a call, one concept at a time. */
function setup(model?: (clock: ReturnType<typeof createManualClock>) => LanguageModel) {
  const clock = createManualClock();
  const storage = createMemoryStorage({ now: clock.now });
  const engine = new RoadmapEngine({
    storage,
    queue: createMemoryQueue({ clock }),
    model: model ? model(clock) : createDemoModel({ clock, latencyMs: 1_000 }),
    clock,
    concurrency: 1,
    covers: { autoGenerate: false },
    userConcurrency: Number.POSITIVE_INFINITY,
    onError: (error) => {
      throw error;
    },
  });
  engines.push(engine);
  const deltas: Delta[] = [];
  engine.on('content_delta', (event) => deltas.push(event));
  return { engine, clock, storage, deltas };
}

/** Moves the clock in steps until `done` holds (at most `limitMs`). */
async function runUntil(clock: ReturnType<typeof createManualClock>, done: () => boolean, limitMs = 600_000) {
  for (let spent = 0; !done(); spent += 50) {
    if (spent > limitMs) throw new Error('timed out on the manual clock');
    await clock.advance(50);
  }
}

/** Moves the clock until the task's first terminal event after `after` (a `seq`); resolves with it. */
async function runToEnd(
  engine: RoadmapEngine,
  clock: ReturnType<typeof createManualClock>,
  taskId: string,
  after = 0,
): Promise<RoadmapEvent> {
  let ended: RoadmapEvent | undefined;
  void terminalEvent(engine, taskId, after).then((event) => {
    ended = event;
  });
  await runUntil(clock, () => ended !== undefined);
  return ended as RoadmapEvent;
}

/** The text the deltas of one concept's tutorial make, applied as a client would. */
function applyDeltas(deltas: readonly Delta[], conceptId: string): string {
  let text = '';
  for (const delta of deltas) {
    if (delta.concept_id !== conceptId) continue;
    expect(delta.offset).toBeLessThanOrEqual(text.length);
    text = text.slice(0, delta.offset) + delta.text;
  }
  return text;
}

const learnRust = { preferences: { learning_goal: 'Learn Rust for systems programming' } };

describe('streaming tutorials (SPEC §7)', () => {
  it('announces each tutorial as it arrives, at most 10 deltas a second, adding up to the stored tutorial', async () => {
    const { engine, clock, deltas } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnRust });
    await runToEnd(engine, clock, task.task_id);
    const roadmap = await engine.getRoadmap(task.roadmap_id);
    const conceptIds = roadmap?.stages.flatMap((stage) =>
      stage.modules.flatMap((module) => module.concepts.map((concept) => concept.concept_id)),
    );
    expect(conceptIds?.length).toBeGreaterThan(2);
    for (const conceptId of conceptIds ?? []) {
      const detail = await engine.getConcept(task.roadmap_id, conceptId);
      expect(applyDeltas(deltas, conceptId)).toBe(detail?.tutorial?.content);
      expect(detail?.partial_tutorial).toBeNull();
      // Throttled per item: consecutive deltas at least 100 ms apart.
      const times = deltas
        .filter((delta) => delta.concept_id === conceptId)
        .map((delta) => Date.parse(delta.timestamp));
      expect(times.length).toBeGreaterThan(2);
      for (let index = 1; index < times.length - 1; index += 1) {
        expect((times[index] as number) - (times[index - 1] as number)).toBeGreaterThanOrEqual(contentDeltaIntervalMs);
      }
    }
    // Only tutorials stream.
    expect(new Set(deltas.map((delta) => delta.content_type))).toEqual(new Set(['tutorial']));
  });

  it('shows the partial text while it streams, and keeps it marked when the task is cancelled mid-stream; a retry generates it again', async () => {
    const { engine, clock, deltas } = setup();
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnRust });
    await runUntil(clock, () => deltas.length >= 3);
    const conceptId = (deltas[0] as Delta).concept_id;
    const live = await engine.getConcept(task.roadmap_id, conceptId);
    expect(live?.tutorial).toBeNull();
    expect(live?.partial_tutorial).toEqual({ content: applyDeltas(deltas, conceptId), status: 'generating' });
    const partial = live?.partial_tutorial?.content ?? '';
    expect(partial.length).toBeGreaterThan(0);

    await engine.cancel(task.task_id, { userId: 'u1' });
    await settle(20);
    const kept = await engine.getConcept(task.roadmap_id, conceptId);
    expect(kept?.partial_tutorial?.status).toBe('failed');
    expect(kept?.partial_tutorial?.content.startsWith(partial)).toBe(true);
    expect(kept?.concept.tutorial_status).toBe('failed');
    const items = await engine.storage.listItems(task.roadmap_id, conceptId);
    expect(items.find((item) => item.kind === 'tutorial')).toMatchObject({ status: 'failed', error: partialKeptError });

    // Retried: the tutorial is generated again, from the start, and replaces the partial text.
    const before = deltas.length;
    const cancelledAt = await latestSeq(engine, task.task_id);
    await engine.retry(task.task_id, { userId: 'u1' });
    expect(await runToEnd(engine, clock, task.task_id, cancelledAt)).toMatchObject({ type: 'completed' });
    const regenerated = await engine.getConcept(task.roadmap_id, conceptId);
    expect(regenerated?.tutorial?.content.length).toBeGreaterThan(partial.length);
    expect(regenerated?.partial_tutorial).toBeNull();
    expect(deltas.slice(before).find((delta) => delta.concept_id === conceptId)?.offset).toBe(0);
  });

  it('starts the text again (a delta at offset 0) when a streamed call is retried', async () => {
    let failedOnce = false;
    const { engine, clock, deltas } = setup((clock) => {
      const demo = createDemoModel({ clock, latencyMs: 1_000 });
      const stream = demo.stream?.bind(demo);
      return {
        ...demo,
        // The first tutorial's connection breaks after 10 pieces: a retryable error, so the call is made again.
        stream: async function* (request: ModelRequest): AsyncIterable<ModelStreamPart> {
          let pieces = 0;
          for await (const part of stream?.(request) ?? []) {
            yield part;
            pieces += 1;
            if (request.operation === 'tutorial' && !failedOnce && pieces === 10) {
              failedOnce = true;
              throw new RoadmapError('model_error', 'The connection was reset.', { retryable: true });
            }
          }
        },
      };
    });
    await engine.start();
    const { task } = await engine.generate({ userId: 'u1', request: learnRust });
    await runToEnd(engine, clock, task.task_id);
    expect(failedOnce).toBe(true);
    const first = (deltas[0] as Delta).concept_id;
    const ofFirst = deltas.filter((delta) => delta.concept_id === first);
    // Text was announced, then the retry's first delta starts again at 0 with what it produced.
    const restart = ofFirst.findIndex((delta, index) => index > 0 && delta.offset === 0);
    expect(restart).toBeGreaterThan(0);
    expect(ofFirst.slice(1, restart).every((delta) => delta.offset > 0)).toBe(true);
    const detail = await engine.getConcept(task.roadmap_id, first);
    expect(detail?.tutorial?.content.length).toBeGreaterThan(0);
    expect(applyDeltas(deltas, first)).toBe(detail?.tutorial?.content);
  });
});
