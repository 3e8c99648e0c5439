import { createMemoryStorage } from '../../storage/memoryStorage.js';
import type { Storage } from '../../storage/storage.js';
import { runBudgetStoreConformance } from './budgetStoreSuite.js';
import { runCheckpointStoreConformance } from './checkpointStoreSuite.js';
import { runCoverStoreConformance } from './coverStoreSuite.js';
import { runEventStoreConformance } from './eventStoreSuite.js';
import { runTaskStoreConformance } from './taskStoreSuite.js';

/**
 * Each part's suite runs alone on a store that has only that part (and the task part, for the fenced ones): a
 * suite that reached for a method of another part would fail here, so an author can write a storage part by part.
 */
const taskMethods = [
  'createTask',
  'getTask',
  'listTasks',
  'sumUsage',
  'addTaskUsage',
  'transitionTask',
  'updateTask',
  'acquireLease',
  'renewLease',
  'releaseLease',
  'listRecoverableTasks',
  'listPausedTasks',
  'acquireSweepLease',
  'releaseSweepLease',
] as const satisfies readonly (keyof Storage)[];
const checkpointMethods = [
  'saveCheckpoint',
  'getCheckpoints',
  'saveRoadmap',
  'getRoadmap',
  'listRoadmaps',
  'listRoadmapSummaries',
  'setItemStatus',
  'saveItem',
  'resetItems',
  'listItems',
  'saveItemVersion',
  'listItemVersions',
  'restoreItemContent',
] as const satisfies readonly (keyof Storage)[];
const eventMethods = [
  'appendEvent',
  'listEvents',
  'pruneEvents',
  'eventLogStart',
] as const satisfies readonly (keyof Storage)[];
const coverMethods = [
  'ensureCover',
  'getCover',
  'getCovers',
  'transitionCover',
  'listDueCovers',
] as const satisfies readonly (keyof Storage)[];

const budgetMethods = [
  'reserveBudget',
  'settleBudget',
  'closeOpenReservations',
  'userBudgetCharge',
  'taskBudgetCharge',
] as const satisfies readonly (keyof Storage)[];

/** A memory storage cut down to `methods`: nothing else is reachable on it. */
function only<Method extends keyof Storage>(methods: readonly Method[], now: () => number): Pick<Storage, Method> {
  const storage = createMemoryStorage({ now });
  return Object.fromEntries(methods.map((method) => [method, storage[method]])) as Pick<Storage, Method>;
}

runTaskStoreConformance('memory, tasks only', ({ clock }) => ({ storage: only(taskMethods, clock.now) }));
runCheckpointStoreConformance('memory, tasks and checkpoints only', ({ clock }) => ({
  storage: only([...taskMethods, ...checkpointMethods], clock.now),
}));
runEventStoreConformance('memory, tasks and events only', ({ clock }) => ({
  storage: only([...taskMethods, ...eventMethods], clock.now),
}));
runCoverStoreConformance('memory, covers only', ({ clock }) => ({ storage: only(coverMethods, clock.now) }));
runBudgetStoreConformance('memory, tasks and budgets only', ({ clock }) => ({
  storage: only([...taskMethods, ...budgetMethods], clock.now),
}));
