import type { ContentItem, Roadmap } from '../../domain/schemas.js';
import type { TaskRecord } from '../../domain/task.js';
import { createMemoryStorage } from '../../storage/memoryStorage.js';
import type { Storage } from '../../storage/storage.js';
import { createConformanceWorld, learnGo } from './conformanceWorld.js';

/** What a user can read of a task's result. Items leave out `updated_at`, which depends on when they were written. */
export interface TaskResult {
  roadmap: Roadmap | null;
  items: Omit<ContentItem, 'updated_at'>[];
}

/** Reads a roadmap's result from `storage`. */
export async function resultOf(storage: Storage, roadmapId: string): Promise<TaskResult> {
  const roadmap = await storage.getRoadmap(roadmapId);
  const items = await storage.listItems(roadmapId);
  return { roadmap, items: items.map(({ updated_at: _updatedAt, ...item }) => item) };
}

/** The reference every storage is held to: the task record and result of one run without faults. */
export interface UninterruptedRun {
  task: TaskRecord | null;
  result: TaskResult;
}

let reference: Promise<UninterruptedRun> | undefined;

async function runOnMemory(): Promise<UninterruptedRun> {
  const world = await createConformanceWorld(({ clock }) => ({ storage: createMemoryStorage({ now: clock.now }) }), {
    quietMs: 0,
    timeoutMs: 10_000,
  });
  try {
    const engine = await world.engine(world.model());
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await world.terminalEvent(engine, task.task_id);
    return { task: await world.storage.getTask(task.task_id), result: await resultOf(world.storage, task.roadmap_id) };
  } finally {
    await world.dispose();
  }
}

/**
 * One run of `learnGo` without faults on memory storage, with the ids, clock and model every scenario's world uses
 * (run once, then shared): what any storage must end up holding after a crash, a resume or a retry.
 */
export function uninterruptedRun(): Promise<UninterruptedRun> {
  reference ??= runOnMemory();
  return reference;
}
