import type { RoadmapEvent } from '../../domain/events.js';
import { RoadmapEngine, type RoadmapEngineOptions } from '../../engine/engine.js';
import type { ModelOperation } from '../../model/languageModel.js';
import { createMemoryQueue } from '../../queue/memoryQueue.js';
import type { Queue } from '../../queue/queue.js';
import type { Storage } from '../../storage/storage.js';
import { sequentialIds, settle, terminalEvent } from '../engineHelpers.js';
import { createManualClock, type ManualClock, nextTurn } from '../manualClock.js';
import { createScriptedModel, type ScriptedModel, type ScriptedModelOptions } from '../scriptedModel.js';

/** Lease of every engine in the scenarios. */
export const leaseMs = 30_000;

/** The request every scenario generates (the demo model answers it with a roadmap of several stages). */
export const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } } as const;

/** Model operations of the framework steps; every other operation is a content item. */
export const frameworkOperations: readonly ModelOperation[] = [
  'intent_analysis',
  'curriculum_design',
  'structure_review',
  'roadmap_edit',
];

export interface EngineStorageFixture<Instance extends Storage = Storage> {
  /** The storage the test's engines share, empty. */
  storage: Instance;
  /**
   * Opens another instance on the same data, as a restarted process would (a new connection to the SQLite file, a
   * new PostgreSQL pool). The crash scenarios close the crashed process's instance with `close` and resume on one
   * from here. Default: none; a storage that lives inside its process (memory) is kept, and the scenarios resume on
   * `storage` itself.
   */
  reopen?: () => Instance | Promise<Instance>;
  /**
   * Closes one instance: `storage` or one from `reopen`. The suite calls it once for every instance, when the
   * scenario's process dies and after the test. Default: nothing to close.
   */
  close?: (storage: Instance) => Promise<void> | void;
  /** Runs after each test, once every engine stopped and every instance was closed: drop the schema, delete the file. */
  cleanup?: () => Promise<void> | void;
}

export interface EngineConformanceContext {
  /** The test's manual clock: pass `clock.now` to a storage that reads time itself. */
  clock: ManualClock;
}

/** Called before every test (setup); what it returns says how to reopen, close and clean up (teardown). */
export type EngineStorageFactory<Instance extends Storage = Storage> = (
  context: EngineConformanceContext,
) => EngineStorageFixture<Instance> | Promise<EngineStorageFixture<Instance>>;

/** How long the scenarios wait, for storages whose writes take real I/O. */
export interface WorldTiming {
  /** Real time to watch for something that must not happen (after event-loop turns). */
  quietMs: number;
  /** Longest real-time wait for something that must happen. */
  timeoutMs: number;
}

/** One scenario's cluster: a storage backend, a shared in-memory queue, a manual clock, and engines on them. */
export interface ConformanceWorld {
  readonly clock: ManualClock;
  /** The first storage instance: the one every engine uses unless told otherwise. */
  readonly storage: Storage;
  /** The queue every engine uses unless told otherwise. */
  readonly queue: Queue;
  /** Errors engines reported through `onError`. */
  readonly errors: unknown[];
  /**
   * A started engine on the world's storage, queue and clock, with deterministic ids. `options` may bring another
   * `storage` (a reopened instance) or `queue` (a process's own).
   */
  engine(model: ScriptedModel, options?: Partial<RoadmapEngineOptions>): Promise<RoadmapEngine>;
  /** A scripted model on the world's clock. */
  model(options?: ScriptedModelOptions): ScriptedModel;
  /** A new, empty in-memory queue, closed with the world: a process's queue that dies with it. */
  createQueue(): Queue;
  /** Another instance on the same data (a restarted process), or the one instance of a storage that cannot reopen. */
  reopen(): Promise<Storage>;
  /** Closes an instance whose process died; a storage that cannot reopen is kept until the world ends. */
  close(storage: Storage): Promise<void>;
  /** Lets pending work finish: event-loop turns, then `quietMs` of real time. */
  quiet(): Promise<void>;
  /**
   * The task's first terminal event with `seq > after` (see `terminalEvent` of `@roadmap/core/testing`); rejects
   * after `timeoutMs`, so a storage that never lets the task finish fails with a message instead of hanging.
   */
  terminalEvent(engine: RoadmapEngine, taskId: string, after?: number): Promise<RoadmapEvent>;
  /** Resolves once `condition` holds, checking after every event-loop turn; rejects after `timeoutMs`. */
  waitUntil(what: string, condition: () => boolean | Promise<boolean>): Promise<void>;
  /** Stops every engine, closes every queue and instance, then runs the fixture's cleanup. */
  dispose(): Promise<void>;
}

// Captured at load, so fake timers installed later do not stall real-time waits.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realDelay = (delayMs: number) =>
  new Promise<void>((resolve) => {
    realSetTimeout(resolve, delayMs);
  });

/** Builds a world on the storage `createStorage` returns. */
export async function createConformanceWorld<Instance extends Storage>(
  createStorage: EngineStorageFactory<Instance>,
  timing: WorldTiming,
): Promise<ConformanceWorld> {
  const clock = createManualClock();
  const fixture = await createStorage({ clock });
  const open = new Set<Instance>([fixture.storage]);
  const queue = createMemoryQueue({ clock, generateId: sequentialIds(900) });
  const queues: Queue[] = [queue];
  const ids = sequentialIds();
  const engines: RoadmapEngine[] = [];
  const errors: unknown[] = [];
  let queueCount = 0;

  const closeInstance = async (storage: Instance) => {
    if (!open.delete(storage)) return;
    await fixture.close?.(storage);
  };

  return {
    clock,
    storage: fixture.storage,
    queue,
    errors,
    async engine(model, options = {}) {
      const engine = new RoadmapEngine({
        storage: fixture.storage,
        queue,
        model,
        clock,
        generateId: ids,
        leaseMs,
        concurrency: 2,
        // Covers have their own service tests; here they would only add writes unrelated to the task.
        covers: { autoGenerate: false },
        onError: (error) => errors.push(error),
        ...options,
      });
      engines.push(engine);
      await engine.start();
      return engine;
    },
    model(options = {}) {
      return createScriptedModel({ clock, ...options });
    },
    createQueue() {
      queueCount += 1;
      const created = createMemoryQueue({ clock, generateId: sequentialIds(900 + queueCount) });
      queues.push(created);
      return created;
    },
    async reopen() {
      if (!fixture.reopen) return fixture.storage;
      const storage = await fixture.reopen();
      open.add(storage);
      return storage;
    },
    async close(storage) {
      if (!fixture.reopen) return;
      for (const instance of open) if (instance === storage) await closeInstance(instance);
    },
    async quiet() {
      await settle(10);
      if (timing.quietMs > 0) {
        await realDelay(timing.quietMs);
        await settle(10);
      }
    },
    terminalEvent(engine, taskId, after = 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = realSetTimeout(
          () => reject(new Error(`Timed out after ${timing.timeoutMs} ms waiting for a terminal event of ${taskId}`)),
          timing.timeoutMs,
        );
      });
      return Promise.race([terminalEvent(engine, taskId, after), deadline]).finally(() => clearTimeout(timer));
    },
    async waitUntil(what, condition) {
      const deadline = performance.now() + timing.timeoutMs;
      for (let turn = 0; !(await condition()); turn += 1) {
        if (performance.now() > deadline)
          throw new Error(`Timed out after ${timing.timeoutMs} ms waiting until ${what}`);
        // Turns first (enough for storages that answer from memory), then short real waits for I/O.
        if (turn < 50) await nextTurn();
        else await realDelay(5);
      }
    },
    async dispose() {
      for (const engine of engines) await engine.stop();
      for (const each of queues) await each.close();
      for (const instance of [...open]) await closeInstance(instance);
      await fixture.cleanup?.();
    },
  };
}
