export type { BudgetStoreUnderTest } from './budgetStoreSuite.js';
export { runBudgetStoreConformance } from './budgetStoreSuite.js';
export type { CheckpointStoreUnderTest } from './checkpointStoreSuite.js';
export { runCheckpointStoreConformance } from './checkpointStoreSuite.js';
export { runCoverStoreConformance } from './coverStoreSuite.js';
export type { EventStoreUnderTest } from './eventStoreSuite.js';
export { runEventStoreConformance } from './eventStoreSuite.js';
export type { RoadmapShape } from './fixtures.js';
export {
  conceptIdsOf,
  fixtureEpochMs,
  fixtureUuid,
  makeConcept,
  makeEvent,
  makeQuiz,
  makeResources,
  makeRoadmap,
  makeTaskRecord,
  makeTutorial,
} from './fixtures.js';
export type { ResidueQuery, StorageConformanceContext, StorageFactory, StorageFixture } from './harness.js';
export { startTaskWithRoadmap } from './heldRoadmap.js';
export { runStorageConformance } from './runStorageConformance.js';
export { runTaskStoreConformance } from './taskStoreSuite.js';
