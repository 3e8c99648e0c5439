import type { DataLifecycleStore } from '../storage/dataLifecycleStore.js';

/** Tasks whose checkpoints one batch prunes, and batches per sweep: a sweep stays short however much is prunable. */
const pruneBatchSize = 100;
const maxBatchesPerSweep = 20;

/**
 * Deletes the checkpoints of finished tasks whose roadmap is stored (SPEC §9: they only serve a resume), in batches
 * keyed on the task id: what a task's own end missed (a crash just before, a cancel, data of an older release).
 * Resolves with how many checkpoints went; a sweep that reached its batch limit leaves the rest to the next one.
 */
export async function pruneFinishedCheckpoints(
  storage: Pick<DataLifecycleStore, 'listPrunableCheckpointTasks' | 'pruneCheckpoints'>,
): Promise<number> {
  let pruned = 0;
  let afterTaskId: string | undefined;
  for (let batch = 0; batch < maxBatchesPerSweep; batch += 1) {
    const taskIds = await storage.listPrunableCheckpointTasks({
      ...(afterTaskId === undefined ? {} : { afterTaskId }),
      limit: pruneBatchSize,
    });
    if (taskIds.length > 0) pruned += await storage.pruneCheckpoints(taskIds);
    if (taskIds.length < pruneBatchSize) break;
    afterTaskId = taskIds.at(-1);
  }
  return pruned;
}
