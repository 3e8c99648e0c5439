import { afterEach, describe, expect, it } from 'vitest';
import { createDemoModel } from '../demo/demoModel.js';
import type { RoadmapEvent } from '../domain/events.js';
import type { LanguageModel, ModelRequest, ModelStreamPart } from '../model/languageModel.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import type { Queue } from '../queue/queue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import { latestSeq, nextEvent, sequentialIds, settle, terminalEvent } from '../testing/engineHelpers.js';
import { createManualClock, type ManualClock } from '../testing/manualClock.js';
import { partialTextKey } from './contentStream.js';
import { RoadmapEngine } from './engine.js';

type Delta = Extract<RoadmapEvent, { type: 'content_delta' }>;

const leaseMs = 30_000;
const learnRust = { preferences: { learning_goal: 'Learn Rust for systems programming' } };

/** The demo model streaming at 1 s a call, with a count of the streams opened and closed (ended or abandoned). */
function observedModel(clock: ManualClock) {
  const demo = createDemoModel({ clock, latencyMs: 1_000 });
  const demoStream = demo.stream?.bind(demo);
  const streams = { opened: 0, closed: 0, piecesAfterAbort: 0 };
  const model: LanguageModel = {
    ...demo,
    stream: async function* (request: ModelRequest): AsyncIterable<ModelStreamPart> {
      streams.opened += 1;
      try {
        for await (const part of demoStream?.(request) ?? []) {
          if (request.abortSignal.aborted) streams.piecesAfterAbort += 1;
          yield part;
        }
      } finally {
        streams.closed += 1;
      }
    },
  };
  return { model, streams };
}

interface Cluster {
  clock: ManualClock;
  storage: Storage;
  queue: Queue;
  engines: RoadmapEngine[];
}

let cluster: Cluster | undefined;
afterEach(async () => {
  for (const engine of cluster?.engines.splice(0) ?? []) await engine.stop();
  await cluster?.queue.close();
  cluster = undefined;
});

function createCluster(): Cluster {
  const clock = createManualClock();
  cluster = {
    clock,
    storage: createMemoryStorage({ now: clock.now }),
    queue: createMemoryQueue({ clock, generateId: sequentialIds(900) }),
    engines: [],
  };
  return cluster;
}

/** A started engine on the cluster's storage, queue and clock, one concept at a time; its deltas are collected. */
async function startEngine({ clock, storage, queue, engines }: Cluster, model: LanguageModel, idPrefix: number) {
  const engine = new RoadmapEngine({
    storage,
    queue,
    model,
    clock,
    generateId: sequentialIds(idPrefix),
    leaseMs,
    concurrency: 1,
    covers: { autoGenerate: false },
    userConcurrency: Number.POSITIVE_INFINITY,
    onError: () => {},
  });
  engines.push(engine);
  const deltas: Delta[] = [];
  engine.on('content_delta', (event) => deltas.push(event));
  await engine.start();
  return { engine, deltas };
}

/** Moves the clock in steps until `done` holds (at most `limitMs`). */
async function runUntil(clock: ManualClock, done: () => boolean, limitMs = 600_000) {
  for (let spent = 0; !done(); spent += 50) {
    if (spent > limitMs) throw new Error('timed out on the manual clock');
    await clock.advance(50);
  }
}

/** Moves the clock until the task's first terminal event after `after`; resolves with it. */
async function runToEnd(engine: RoadmapEngine, clock: ManualClock, taskId: string, after = 0) {
  let ended: RoadmapEvent | undefined;
  void terminalEvent(engine, taskId, after).then((event) => {
    ended = event;
  });
  await runUntil(clock, () => ended !== undefined);
  return ended as RoadmapEvent;
}

/** The text the deltas of one concept's tutorial make, applied as a client would (a gap fails the test). */
function applyDeltas(deltas: readonly Delta[], conceptId: string, start = ''): string {
  let text = start;
  for (const delta of deltas) {
    if (delta.concept_id !== conceptId) continue;
    expect(delta.offset).toBeLessThanOrEqual(text.length);
    text = text.slice(0, delta.offset) + delta.text;
  }
  return text;
}

describe('streaming tutorials across a crash and an abort (SPEC §7)', () => {
  it('a worker that dies mid-stream leaves its partial text stored; the next one regenerates the tutorial from offset 0', async () => {
    const world = createCluster();
    const first = observedModel(world.clock);
    const a = await startEngine(world, first.model, 0);
    const { task } = await a.engine.generate({ userId: 'u1', request: learnRust });
    await runUntil(world.clock, () => a.deltas.length >= 3);
    const conceptId = (a.deltas[0] as Delta).concept_id;

    // Killed: no more writes, its lease left to run out.
    await a.engine.stop({ releaseTasks: false });
    await settle();
    const announced = applyDeltas(a.deltas, conceptId);
    const deltasOfA = a.deltas.length;
    expect(announced.length).toBeGreaterThan(0);
    // Durable: the text announced was stored before each delta went out, and nothing more was written.
    expect((await world.storage.getCheckpoints(task.task_id))[partialTextKey(conceptId)]).toBe(announced);
    expect(first.streams.closed).toBe(first.streams.opened);

    const second = observedModel(world.clock);
    const b = await startEngine(world, second.model, 100);
    // A reader (a page reloaded meanwhile) sees what was streamed, still generating: the task holds its lease.
    const seen = await b.engine.getConcept(task.roadmap_id, conceptId);
    expect(seen?.tutorial).toBeNull();
    expect(seen?.partial_tutorial).toEqual({ content: announced, status: 'generating' });

    const recovered = nextEvent(b.engine, 'task_recovering', task.task_id);
    await world.clock.advance(leaseMs + 1);
    await recovered;
    expect(await runToEnd(b.engine, world.clock, task.task_id)).toMatchObject({ type: 'completed' });
    expect(a.deltas).toHaveLength(deltasOfA);

    // B generated the tutorial again: its first delta replaces what the reader held, and its deltas make the result.
    const ofB = b.deltas.filter((delta) => delta.concept_id === conceptId);
    expect(ofB[0]?.offset).toBe(0);
    const detail = await b.engine.getConcept(task.roadmap_id, conceptId);
    expect(detail?.partial_tutorial).toBeNull();
    expect(detail?.tutorial?.content.length).toBeGreaterThan(announced.length);
    expect(applyDeltas(b.deltas, conceptId, announced)).toBe(detail?.tutorial?.content);
    expect(second.streams.closed).toBe(second.streams.opened);
  });

  it('a pause that aborts in-flight calls closes the stream at once: no more pieces read, no more deltas; the text is kept and the resume regenerates it', async () => {
    const world = createCluster();
    const { model, streams } = observedModel(world.clock);
    const { engine, deltas } = await startEngine(world, model, 0);
    const { task } = await engine.generate({ userId: 'u1', request: learnRust });
    await runUntil(world.clock, () => deltas.length >= 3);
    const conceptId = (deltas[0] as Delta).concept_id;
    expect(streams.opened - streams.closed).toBe(1);

    await engine.pause(task.task_id, { userId: 'u1', abortInFlight: true });
    await settle(20);
    expect(streams.closed).toBe(streams.opened);
    const deltasAtPause = deltas.length;
    const kept = applyDeltas(deltas, conceptId);
    await world.clock.advance(5_000);
    expect(deltas).toHaveLength(deltasAtPause);
    expect(streams.piecesAfterAbort).toBe(0);
    expect((await engine.getTask(task.task_id, { userId: 'u1' }))?.status).toBe('paused');
    const paused = await engine.getConcept(task.roadmap_id, conceptId);
    expect(paused?.tutorial).toBeNull();
    expect(paused?.partial_tutorial).toEqual({ content: kept, status: 'failed' });

    const pausedAt = await latestSeq(engine, task.task_id);
    await engine.resume(task.task_id, { userId: 'u1' });
    expect(await runToEnd(engine, world.clock, task.task_id, pausedAt)).toMatchObject({ type: 'completed' });
    const resumed = deltas.slice(deltasAtPause).filter((delta) => delta.concept_id === conceptId);
    expect(resumed[0]?.offset).toBe(0);
    const detail = await engine.getConcept(task.roadmap_id, conceptId);
    expect(detail?.partial_tutorial).toBeNull();
    expect(applyDeltas(resumed, conceptId, kept)).toBe(detail?.tutorial?.content);
  });
});
