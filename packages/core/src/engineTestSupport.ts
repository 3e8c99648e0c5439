export { latestSeq, nextEvent, sequentialIds, settle, terminalEvent } from './engineHelpers.js';

import { RoadmapEngine, type RoadmapEngineOptions } from './engine.js';
import { sequentialIds } from './engineHelpers.js';
import { createManualClock, type ManualClock } from './manualClock.js';
import { createMemoryQueue } from './memoryQueue.js';
import { createMemoryStorage } from './memoryStorage.js';
import type { Queue } from './queue.js';
import { createScriptedModel, type ScriptedModel, type ScriptedModelOptions } from './scriptedModel.js';
import type { Storage } from './storage.js';

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
