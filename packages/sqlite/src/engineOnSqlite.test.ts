import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMemoryQueue,
  type ModelOperation,
  type Queue,
  RoadmapEngine,
  type RoadmapEngineOptions,
} from '@roadmap/core';
import {
  createManualClock,
  createScriptedModel,
  type ManualClock,
  type ScriptedModel,
  sequentialIds,
  settle,
  terminalEvent,
} from '@roadmap/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStorage, type SqliteStorage } from './sqliteStorage.js';

const leaseMs = 30_000;
const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } } as const;
const frameworkOperations: readonly ModelOperation[] = [
  'intent_analysis',
  'curriculum_design',
  'structure_review',
  'roadmap_edit',
];

/** What a user can read of a task's result; `updated_at` of items depends on when they were written. */
async function snapshot(storage: SqliteStorage, roadmapId: string) {
  const roadmap = await storage.getRoadmap(roadmapId);
  const items = await storage.listItems(roadmapId);
  return { roadmap, items: items.map(({ updated_at: _updatedAt, ...item }) => item) };
}

describe('RoadmapEngine on SQLite', () => {
  let directory: string;
  let filename: string;
  let clock: ManualClock;
  const engines: RoadmapEngine[] = [];
  const queues: Queue[] = [];
  const storages: SqliteStorage[] = [];
  const errors: unknown[] = [];

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'roadmap-engine-sqlite-'));
    filename = join(directory, 'roadmap.db');
    clock = createManualClock();
    errors.length = 0;
  });

  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.stop();
    for (const queue of queues.splice(0)) await queue.close();
    for (const storage of storages.splice(0)) storage.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** A process: a new connection to the file, a new in-memory queue (lost with the process) and a started engine. */
  async function startProcess(model: ScriptedModel, idPrefix: number, options: Partial<RoadmapEngineOptions> = {}) {
    const storage = createSqliteStorage({ filename, now: clock.now });
    const queue = createMemoryQueue({ clock, generateId: sequentialIds(900 + idPrefix) });
    const engine = new RoadmapEngine({
      storage,
      queue,
      model,
      clock,
      generateId: sequentialIds(idPrefix),
      leaseMs,
      covers: { autoGenerate: false },
      concurrency: 2,
      onError: (error) => errors.push(error),
      ...options,
    });
    storages.push(storage);
    queues.push(queue);
    engines.push(engine);
    await engine.start();
    return { storage, queue, engine };
  }

  it('runs a whole task on a file; a new engine on the reopened file finds the roadmap, items and events', async () => {
    const model = createScriptedModel({ clock });
    const first = await startProcess(model, 1);
    const { task } = await first.engine.generate({ userId: 'u1', request: learnGo });
    const end = await terminalEvent(first.engine, task.task_id);
    expect(end).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });

    const stored = {
      task: await first.storage.getTask(task.task_id),
      roadmap: await first.storage.getRoadmap(task.roadmap_id),
      items: await first.storage.listItems(task.roadmap_id),
      events: await first.storage.listEvents({ taskId: task.task_id }),
      checkpoints: await first.storage.getCheckpoints(task.task_id),
    };
    expect(stored.task).toMatchObject({ status: 'completed', attempts: 1, lease_token: null });
    expect(stored.items.length).toBeGreaterThan(0);
    expect(stored.items.every((item) => item.status === 'completed' && item.content !== null)).toBe(true);
    expect(stored.task?.progress).toMatchObject({ completed: stored.items.length, total: stored.items.length });
    await first.engine.stop();
    first.storage.close();

    const calls = model.calls.length;
    const second = await startProcess(createScriptedModel({ clock }), 2);
    expect(await second.engine.getTask(task.task_id)).toMatchObject({ status: 'completed' });
    expect(await second.storage.getTask(task.task_id)).toEqual(stored.task);
    expect(await second.engine.getRoadmap(task.roadmap_id)).toEqual(stored.roadmap);
    expect(await second.storage.listItems(task.roadmap_id)).toEqual(stored.items);
    expect(await second.engine.listEvents({ taskId: task.task_id })).toEqual(stored.events);
    expect(await second.storage.getCheckpoints(task.task_id)).toEqual(stored.checkpoints);
    expect((await second.engine.listTasks({ userId: 'u1' })).tasks.map((entry) => entry.task_id)).toEqual([
      task.task_id,
    ]);
    await clock.advance(2 * leaseMs);
    expect(model.calls.length).toBe(calls);
    expect(errors).toEqual([]);
  });

  it('resumes after a crash mid fan-out in a new storage and engine: stored items get 0 model calls', async () => {
    // The reference: one uninterrupted run on its own file.
    const referenceStorage = createSqliteStorage({ filename: join(directory, 'reference.db'), now: clock.now });
    storages.push(referenceStorage);
    const referenceQueue = createMemoryQueue({ clock });
    queues.push(referenceQueue);
    const reference = new RoadmapEngine({
      storage: referenceStorage,
      queue: referenceQueue,
      model: createScriptedModel({ clock }),
      clock,
      generateId: sequentialIds(1),
      leaseMs,
      covers: { autoGenerate: false },
      concurrency: 2,
      onError: (error) => errors.push(error),
    });
    engines.push(reference);
    await reference.start();
    const referenceTask = (await reference.generate({ userId: 'u1', request: learnGo })).task;
    await terminalEvent(reference, referenceTask.task_id);
    const expected = await snapshot(referenceStorage, referenceTask.roadmap_id);

    // Process A crashes when its 9th content call starts.
    let contentCalls = 0;
    let crashed: Promise<void> | undefined;
    let announceCrash: () => void = () => {};
    const crashStarted = new Promise<void>((resolve) => {
      announceCrash = resolve;
    });
    let inFlightAtCrash: string[] = [];
    const modelA: ScriptedModel = createScriptedModel({
      clock,
      onCall: async (call) => {
        if (!frameworkOperations.includes(call.operation)) contentCalls += 1;
        if (crashed || contentCalls !== 9) return;
        await settle(); // let results already received be stored, as time would
        if (crashed) return;
        inFlightAtCrash = [...modelA.inFlight];
        crashed = a.engine.stop({ releaseTasks: false });
        announceCrash();
        return new Promise<void>(() => {}); // held until the crash aborts it
      },
    });
    const a = await startProcess(modelA, 1);
    const { task } = await a.engine.generate({ userId: 'u1', request: learnGo });
    await crashStarted;
    await crashed;
    await settle();
    a.storage.close();

    // Process B: a new connection to the same file, a new (empty) queue, a new engine.
    const modelB = createScriptedModel({ clock });
    const b = await startProcess(modelB, 2);
    const storedBefore = await b.storage.listItems(task.roadmap_id);
    const completedBefore = storedBefore.filter((item) => item.status === 'completed');
    expect(completedBefore.length).toBeGreaterThan(0);
    expect(storedBefore.some((item) => item.status === 'generating')).toBe(true);
    expect(await b.storage.getTask(task.task_id)).toMatchObject({ status: 'processing', attempts: 1 });

    const done = terminalEvent(b.engine, task.task_id);
    await clock.advance(leaseMs + 1);
    expect(await done).toMatchObject({ type: 'completed', status: 'completed' });

    for (const item of completedBefore) expect(modelB.callCount(`${item.kind}:${item.concept_id}`)).toBe(0);
    for (const operation of frameworkOperations) expect(modelB.callCount({ operation })).toBe(0);
    expect(modelB.calls.length).toBe(storedBefore.length - completedBefore.length);
    for (const key of inFlightAtCrash) expect(modelB.callCount(key)).toBe(1);
    expect(await b.storage.getTask(task.task_id)).toMatchObject({ status: 'completed', attempts: 2 });
    const events = await b.engine.listEvents({ taskId: task.task_id });
    expect(events.filter((event) => event.type === 'task_recovering')).toHaveLength(1);
    expect(events.filter((event) => event.type === 'completed')).toHaveLength(1);
    expect(await snapshot(b.storage, task.roadmap_id)).toEqual(expected);
  });
});
