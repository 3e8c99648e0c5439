/**
 * `@roadmap/core/testing`: conformance suites for adapters, a manual clock and fixtures. Uses vitest (an optional
 * peer dependency); import it only from tests.
 */

export type { BlobStoreFactory, BlobStoreFixture } from './blobStoreConformance.js';
export { runBlobStoreConformance } from './blobStoreConformance.js';
export type {
  EngineConformanceContext,
  EngineConformanceOptions,
  EngineStorageFactory,
  EngineStorageFixture,
} from './engine/index.js';
export { runEngineConformance } from './engine/index.js';
export { latestSeq, nextEvent, sequentialIds, settle, terminalEvent } from './engineHelpers.js';
export { FakeWebSocket } from './fakeWebSocket.js';
export * from './faults.js';
export type { ManualClock, ManualClockOptions } from './manualClock.js';
export { createManualClock, nextTurn } from './manualClock.js';
export type {
  QueueConformanceContext,
  QueueConformanceOptions,
  QueueFactory,
  QueueFixture,
} from './queueConformance.js';

export { runQueueConformance } from './queueConformance.js';
export * from './scriptedModel.js';
export type {
  CheckpointStoreUnderTest,
  EventStoreUnderTest,
  ResidueQuery,
  RoadmapShape,
  StorageConformanceContext,
  StorageFactory,
  StorageFixture,
} from './storage/index.js';
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
  runCheckpointStoreConformance,
  runCoverStoreConformance,
  runEventStoreConformance,
  runStorageConformance,
  runTaskStoreConformance,
  startTaskWithRoadmap,
} from './storage/index.js';
export type { AuditStorage, StoredCallAudit } from './storedCallAudit.js';
export { auditStoredCalls } from './storedCallAudit.js';
