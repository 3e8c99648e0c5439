/**
 * `@roadmap/core/client`: a browser-safe client of the REST API (SPEC §3) and its live streams (WebSocket, SPEC §4,
 * or Server-Sent Events, SPEC §8), and
 * the framework-free observers that bindings (`@roadmap/react`, a Vue or Svelte one) subscribe to, shared through a
 * {@link RoadmapCache} per client. Uses only `fetch` and the platform `WebSocket`; imports nothing at runtime from the
 * rest of core but its error helpers.
 */

export type { RoadmapExport, RoadmapExportFormat, UserExport } from '../domain/dataExport.js';
export { applyTaskEvent } from './applyTaskEvent.js';
export type { RoadmapApiErrorCode, RoadmapApiErrorOptions } from './clientErrors.js';
export { RoadmapApiError } from './clientErrors.js';
export type { ConceptState } from './conceptObserver.js';
export { ConceptObserver } from './conceptObserver.js';
export type { CoverBatchState } from './coverBatchObserver.js';
export { CoverBatchObserver, coverBatchPollIntervalMs, coverBatchPollLimit } from './coverBatchObserver.js';
export { CoverObserver, coverPollIntervalMs, coverPollLimit, isSettledCover } from './coverObserver.js';
export type { ResourceLoader, ResourceState } from './resourceObserver.js';
export { ResourceObserver } from './resourceObserver.js';
export type { RoadmapCacheOptions } from './roadmapCache.js';
export { RoadmapCache } from './roadmapCache.js';
export type {
  CancelTaskOptions,
  DeleteMeResponse,
  ExportedFile,
  GenerateRoadmapOptions,
  ListTasksOptions,
  RequestOptions,
  RoadmapClient,
  RoadmapClientOptions,
  RoadmapTransport,
} from './roadmapClient.js';
export { createRoadmapClient } from './roadmapClient.js';
export type { RoadmapListState } from './roadmapListObserver.js';
export { RoadmapListObserver } from './roadmapListObserver.js';
export type { LoadState } from './sharedObserver.js';
export { SharedObserver } from './sharedObserver.js';
export { KeyedStore, Store } from './store.js';
export type {
  DeleteTasksResult,
  TaskCounts,
  TaskListOptions,
  TaskListState,
  TaskRowState,
} from './taskListObserver.js';
export { TaskListObserver } from './taskListObserver.js';
export type { TaskState } from './taskObserver.js';
export { TaskObserver } from './taskObserver.js';
export { isCancellable } from './taskStatus.js';
export type {
  ConnectionState,
  EventSubscriptionOptions,
  TaskSubscriptionOptions,
  Unsubscribe,
} from './taskSubscription.js';
export { toApiError } from './toApiError.js';
export type * from './wireTypes.js';
