export { latestSeq, nextEvent, sequentialIds, settle, terminalEvent } from './engineHelpers.js';

import { RoadmapEngine, type RoadmapEngineOptions } from '../engine/engine.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import type { Queue } from '../queue/queue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import { sequentialIds } from './engineHelpers.js';
import { createManualClock, type ManualClock } from './manualClock.js';
import { createScriptedModel, type ScriptedModel, type ScriptedModelOptions } from './scriptedModel.js';

export interface World {
  clock: ManualClock;
  storage: Storage;
  queue: Queue;
  engines: RoadmapEngine[];
  /** A new engine on the shared storage, queue and clock, started. */
  engine(model: ScriptedModel, options?: Partial<RoadmapEngineOptions>): Promise<RoadmapEngine>;
  model(options?: ScriptedModelOptions): ScriptedModel;
  stopAll(): Promise<void>;
}

/** A shared storage + queue + manual clock, and engines on them: the test's "cluster". */
export function createWorld(options: { idPrefix?: number } = {}): World {
  const clock = createManualClock();
  const storage = createMemoryStorage({ now: clock.now });
  const queue = createMemoryQueue({ clock, generateId: sequentialIds(900) });
  const ids = sequentialIds(options.idPrefix ?? 0);
  const engines: RoadmapEngine[] = [];
  return {
    clock,
    storage,
    queue,
    engines,
    async engine(model, engineOptions = {}) {
      const engine = new RoadmapEngine({
        storage,
        queue,
        model,
        clock,
        generateId: ids,
        leaseMs: 30_000,
        concurrency: 2,
        onError: () => {},
        ...engineOptions,
      });
      engines.push(engine);
      await engine.start();
      return engine;
    },
    model(modelOptions = {}) {
      return createScriptedModel({ clock, ...modelOptions });
    },
    async stopAll() {
      for (const engine of engines) await engine.stop();
      await queue.close();
    },
  };
}

export const learnGo = { preferences: { learning_goal: 'Learn Go for backend services' } } as const;
