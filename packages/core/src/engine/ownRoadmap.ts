import { roadmapIdFor } from '../domain/ids.js';
import { type Curriculum, type Roadmap, roadmapSchema } from '../domain/schemas.js';
import { toRoadmap } from '../domain/structure.js';
import type { TaskRecord } from '../domain/task.js';
import { describeIssues } from '../model/structuredGeneration.js';
import { RoadmapError } from '../shared/errors.js';
import { assertFenced, nowIso, type RunContext } from './runContext.js';

/** New roadmap ids tried when the one chosen is held by another task or user, before the task fails. */
export const roadmapIdTries = 5;

/** What is stored under the task's roadmap id, as far as this task may trust it. */
export type StoredRoadmap =
  /** The task's own framework, parsed: the design steps are done. */
  | { kind: 'own'; roadmap: Roadmap }
  /** Nothing usable: none stored, or the task's own that no longer parses (reported; rebuilt from checkpoints). */
  | { kind: 'missing' }
  /** Another user's roadmap holds the id (data from before ids were unique): never used, never overwritten. */
  | { kind: 'foreign' };

function isRoadmapIdTaken(error: unknown): boolean {
  return RoadmapError.isInstance(error) && error.code === 'roadmap_id_taken';
}

/**
 * Reads the roadmap stored under the task's roadmap id and decides whether the task may skip its design steps:
 * only for a roadmap of the task's own user that still parses with `roadmapSchema`.
 */
export async function readOwnRoadmap(context: RunContext): Promise<StoredRoadmap> {
  const { task } = context;
  const stored = await context.storage.getRoadmap(task.roadmap_id);
  if (!stored) return { kind: 'missing' };
  if (stored.user_id !== task.user_id) return { kind: 'foreign' };
  const parsed = roadmapSchema.safeParse(stored);
  if (parsed.success) return { kind: 'own', roadmap: parsed.data };
  context.onError(
    new RoadmapError(
      'schema_validation_failed',
      `Roadmap ${task.roadmap_id} of task ${task.task_id} no longer matches its schema ` +
        `(${describeIssues(parsed.error)}); it is rebuilt from the task's checkpoints.`,
    ),
  );
  return { kind: 'missing' };
}

/**
 * Moves the task to a fresh roadmap id (same slug, new suffix), fenced. The storage refuses an id another task
 * holds (`roadmap_id_taken`): then the next one is tried, `roadmapIdTries` in all counting `triesUsed`.
 * `context.task` follows the move, so everything else the run writes names the new id.
 */
async function moveRoadmapId(context: RunContext, triesUsed: number): Promise<number> {
  const { task } = context;
  for (let tries = triesUsed + 1; tries <= roadmapIdTries; tries += 1) {
    const roadmapId = roadmapIdFor(task.request.preferences.learning_goal, context.generateId());
    try {
      const updated = await context.storage.updateTask(context.fence, {
        roadmap_id: roadmapId,
        updated_at: nowIso(context),
      });
      assertFenced(updated, context, 'move roadmap id');
    } catch (error) {
      if (isRoadmapIdTaken(error)) continue;
      throw error;
    }
    task.roadmap_id = roadmapId;
    return tries;
  }
  throw new RoadmapError('roadmap_id_taken', `No free roadmap id for task ${task.task_id} in ${roadmapIdTries} tries.`);
}

/** The roadmap a task's framework becomes (under the task's roadmap id, ids of stages, modules and concepts assigned). */
export function roadmapFor(
  task: Pick<TaskRecord, 'roadmap_id' | 'user_id' | 'created_at' | 'request'>,
  curriculum: Curriculum,
): Roadmap {
  return toRoadmap(curriculum, {
    roadmapId: task.roadmap_id,
    userId: task.user_id,
    goal: task.request.preferences.learning_goal,
    createdAt: task.created_at,
  });
}

/**
 * Stores the designed framework under the task's roadmap id. When that id is held by another task or user (known
 * beforehand as `foreign`, or refused by the storage with `roadmap_id_taken`), the task moves to a new id and the
 * framework is stored there: never merged into, never re-owning, someone else's roadmap.
 */
export async function storeRoadmap(context: RunContext, curriculum: Curriculum, foreign: boolean): Promise<Roadmap> {
  const { task } = context;
  let tries = foreign ? await moveRoadmapId(context, 0) : 0;
  for (;;) {
    const roadmap = roadmapFor(task, curriculum);
    try {
      assertFenced(await context.storage.saveRoadmap(context.fence, roadmap), context, 'save roadmap');
      return roadmap;
    } catch (error) {
      if (!isRoadmapIdTaken(error)) throw error;
      tries = await moveRoadmapId(context, tries);
    }
  }
}
