export { latestSeq, nextEvent, sequentialIds, settle, terminalEvent } from './engineHelpers.js';

import type { RoadmapEvent } from '../domain/events.js';
import { RoadmapEngine, type RoadmapEngineOptions } from '../engine/engine.js';
import { createMemoryQueue } from '../queue/memoryQueue.js';
import type { Queue } from '../queue/queue.js';
import { createMemoryStorage } from '../storage/memoryStorage.js';
import type { Storage } from '../storage/storage.js';
import { sequentialIds, settle, terminalEvent } from './engineHelpers.js';
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

/**
 * Runs the task to its terminal event on the world's manual clock: lets every promise chain settle, calls `onStep`,
 * then advances the clock by `stepMs`, at most 2,000 times.
 */
export async function runUntilTerminal(
  world: World,
  engine: RoadmapEngine,
  taskId: string,
  options: { stepMs: number; onStep?: () => void },
): Promise<RoadmapEvent> {
  const terminal = terminalEvent(engine, taskId);
  let done = false;
  void terminal.then(() => {
    done = true;
  });
  for (let step = 0; step < 2_000 && !done; step += 1) {
    await settle();
    options.onStep?.();
    if (!done) await world.clock.advance(options.stepMs);
  }
  return terminal;
}
