import {
  createMemoryQueue,
  createMemoryStorage,
  type ModelOperation,
  type Queue,
  RoadmapEngine,
  type RoadmapEngineOptions,
  type Storage,
} from '@roadmap/core';
import {
  createManualClock,
  createScriptedModel,
  type ManualClock,
  type ScriptedModel,
  type ScriptedModelOptions,
  sequentialIds,
  settle,
  terminalEvent,
} from '@roadmap/core/testing';
import pg from 'pg';
import { afterAll, afterEach, expect, it } from 'vitest';
import { createPostgresStorage, type PostgresStorage } from './postgresStorage.js';
import { databaseUrl, describeWithDatabase, dropSchema, freshSchemaName } from './postgresTestSupport.js';

// Helpers in the manner of core's engineTestSupport.ts (copied: adapters never import core's test files).

const leaseMs = 30_000;
const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } } as const;
const frameworkOperations: readonly ModelOperation[] = [
  'intent_analysis',
  'curriculum_design',
  'structure_review',
  'roadmap_edit',
];

/** Waits real time: PostgreSQL round trips, unlike memory storage, need more than microtask turns. */
const realDelay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One cluster: a queue, a manual clock and engines, on a storage the test chooses per engine. */
interface World {
  clock: ManualClock;
  queue: Queue;
  engine(storage: Storage, model: ScriptedModel, options?: Partial<RoadmapEngineOptions>): Promise<RoadmapEngine>;
  model(options?: ScriptedModelOptions): ScriptedModel;
  stopAll(): Promise<void>;
}

function createWorld(): World {
  const clock = createManualClock();
  const queue = createMemoryQueue({ clock, generateId: sequentialIds(900) });
  const ids = sequentialIds();
  const engines: RoadmapEngine[] = [];
  return {
    clock,
    queue,
    async engine(storage, model, options = {}) {
      const engine = new RoadmapEngine({
        storage,
        queue,
        model,
        clock,
        generateId: ids,
        leaseMs,
        concurrency: 2,
        onError: () => {},
        ...options,
      });
      engines.push(engine);
      await engine.start();
      return engine;
    },
    model(options = {}) {
      return createScriptedModel({ clock, ...options });
    },
    async stopAll() {
      for (const engine of engines) await engine.stop();
      await queue.close();
    },
  };
}

/** Everything a user can read of a finished task's result, to compare runs. */
async function snapshot(storage: Storage, roadmapId: string) {
  const roadmap = await storage.getRoadmap(roadmapId);
  const items = await storage.listItems(roadmapId);
  return { roadmap, items: items.map(({ updated_at: _updatedAt, ...item }) => item) };
}

/** The reference: one uninterrupted run on memory storage with the same ids, clock and model. */
async function uninterruptedOnMemory() {
  const world = createWorld();
  try {
    const storage = createMemoryStorage({ now: world.clock.now });
    const engine = await world.engine(storage, world.model());
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    return { task: await storage.getTask(task.task_id), ...(await snapshot(storage, task.roadmap_id)) };
  } finally {
    await world.stopAll();
  }
}

describeWithDatabase('RoadmapEngine on PostgreSQL', () => {
  const adminPool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  afterAll(() => adminPool.end());

  let world: World | undefined;
  const storages: PostgresStorage[] = [];
  const schemas: string[] = [];
  const openStorage = async (schema: string, clock: ManualClock) => {
    const storage = await createPostgresStorage({ connectionString: databaseUrl, schema, now: clock.now });
    storages.push(storage);
    return storage;
  };
  const newSchema = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };
  afterEach(async () => {
    await world?.stopAll();
    world = undefined;
    await Promise.all(storages.splice(0).map((storage) => storage.close()));
    for (const schema of schemas.splice(0)) await dropSchema(adminPool, schema);
  });

  it('runs a whole task to completed, storing exactly what memory storage stores', async () => {
    const reference = await uninterruptedOnMemory();
    world = createWorld();
    const storage = await openStorage(newSchema(), world.clock);
    const model = world.model();
    const engine = await world.engine(storage, model);
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    const end = await terminalEvent(engine, task.task_id);

    expect(end).toMatchObject({ type: 'completed', status: 'completed', failed_count: 0 });
    const stored = await storage.getTask(task.task_id);
    expect(stored).toMatchObject({ status: 'completed', attempts: 1, lease_token: null });
    expect(stored?.progress.percentage).toBe(100);
    expect(stored).toEqual(reference.task);
    expect(await snapshot(storage, task.roadmap_id)).toEqual({ roadmap: reference.roadmap, items: reference.items });

    const items = await storage.listItems(task.roadmap_id);
    expect(items.every((item) => item.status === 'completed')).toBe(true);
    for (const item of items) expect(model.callCount(`${item.kind}:${item.concept_id}`)).toBe(1);

    const events = await storage.listEvents({ taskId: task.task_id });
    const seqs = events.map((event) => event.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(events.filter((event) => ['completed', 'failed', 'cancelled'].includes(event.type))).toHaveLength(1);
    expect(events.filter((event) => event.type === 'concept_complete')).toHaveLength(items.length);
  });

  it('resumes after a crash on a new storage instance (new pool): stored items get 0 model calls', async () => {
    const reference = await uninterruptedOnMemory();
    const currentWorld = createWorld();
    world = currentWorld;
    const schema = newSchema();
    const storageA = await openStorage(schema, currentWorld.clock);

    let contentCalls = 0;
    let crashed: Promise<void> | undefined;
    let inFlightAtCrash: string[] = [];
    let roadmapId: string | undefined;
    let announceCrash: () => void = () => {};
    const crashStarted = new Promise<void>((resolve) => {
      announceCrash = resolve;
    });
    const modelA: ScriptedModel = currentWorld.model({
      onCall: async (call) => {
        if (!frameworkOperations.includes(call.operation)) contentCalls += 1;
        if (crashed || contentCalls !== 9) return;
        // Let results already received be stored, as time would: wait (real time) until one is, however busy the
        // machine — a fixed delay was not always enough under CI load.
        await realDelay(50);
        for (let waited = 0; waited < 10_000 && roadmapId !== undefined; waited += 10) {
          if ((await storageA.listItems(roadmapId)).some((item) => item.status === 'completed')) break;
          await realDelay(10);
        }
        if (crashed) return;
        inFlightAtCrash = [...modelA.inFlight];
        crashed = engineA.stop({ releaseTasks: false });
        announceCrash();
        return new Promise<void>(() => {}); // held until the crash aborts it
      },
    });
    const engineA = await currentWorld.engine(storageA, modelA);
    const { task } = await engineA.generate({ userId: 'u1', request: learnGo });
    roadmapId = task.roadmap_id;
    await crashStarted;
    await crashed;
    await settle();
    // The process is gone: its pool closes once its last statements finished.
    await storageA.close();

    const storageB = await openStorage(schema, currentWorld.clock);
    expect(storageB.pool).not.toBe(storageA.pool);
    const storedBefore = await storageB.listItems(task.roadmap_id);
    expect((await storageB.getTask(task.task_id))?.status).toBe('processing');
    const completedBefore = storedBefore.filter((item) => item.status === 'completed');
    expect(completedBefore.length).toBeGreaterThan(0);
    expect(storedBefore.some((item) => item.status === 'generating')).toBe(true);

    const modelB = currentWorld.model();
    const engineB = await currentWorld.engine(storageB, modelB);
    const done = terminalEvent(engineB, task.task_id);
    await currentWorld.clock.advance(leaseMs + 1);
    expect((await done).type).toBe('completed');

    for (const item of completedBefore) expect(modelB.callCount(`${item.kind}:${item.concept_id}`)).toBe(0);
    expect(modelB.calls.length).toBe(storedBefore.length - completedBefore.length);
    for (const key of inFlightAtCrash) expect(modelB.callCount(key)).toBe(1);
    for (const operation of frameworkOperations) expect(modelB.callCount({ operation })).toBe(0);

    expect(await storageB.getTask(task.task_id)).toMatchObject({ status: 'completed', attempts: 2 });
    const events = await storageB.listEvents({ taskId: task.task_id });
    expect(events.filter((event) => event.type === 'task_recovering')).toHaveLength(1);
    expect(await snapshot(storageB, task.roadmap_id)).toEqual({ roadmap: reference.roadmap, items: reference.items });
  });
});
