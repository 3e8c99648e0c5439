import type { ContentKind } from '../../domain/schemas.js';
import { isoTime } from '../../shared/clock.js';
import type { CheckpointStore } from '../../storage/checkpointStore.js';
import type { TaskStore } from '../../storage/taskStore.js';
import { conceptIdsOf, makeRoadmap, makeTaskRecord } from './fixtures.js';

/**
 * Creates a task, takes its lease as `token` and stores its roadmap (one stage, `concepts` concepts, every item
 * planned): the state a worker writes content items in. `item(index, kind)` names the item of the index-th concept.
 */
export async function startTaskWithRoadmap(
  storage: TaskStore & CheckpointStore,
  options: { token?: string; now?: number; concepts?: number } = {},
) {
  const token = options.token ?? 'token';
  const now = options.now ?? Date.UTC(2026, 0, 1);
  const record = makeTaskRecord();
  await storage.createTask(record);
  await storage.acquireLease(record.task_id, { token, now, expiresAt: now + 30_000, updatedAt: isoTime(now) });
  const fence = { taskId: record.task_id, leaseToken: token };
  const roadmap = makeRoadmap(
    { roadmap_id: record.roadmap_id },
    { stages: 1, conceptsPerModule: options.concepts ?? 4 },
  );
  await storage.saveRoadmap(fence, roadmap);
  const conceptIds = conceptIdsOf(roadmap);
  const item = (index: number, kind: ContentKind = 'tutorial') => ({
    roadmapId: roadmap.roadmap_id,
    conceptId: conceptIds[index] as string,
    kind,
  });
  return { record, fence, roadmap, item };
}
