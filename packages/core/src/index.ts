/**
 * `@roadmap/core`: what an integrator uses — the engine, the adapter contracts and the adapters in the box, errors,
 * the schemas of the data, events and the wire format. Helpers the adapter packages share live in
 * `@roadmap/core/internal`; packages/core/README.md ("Public API") lists what is public and why.
 */

export type { BlobStore, DefaultBlobStoreSource } from './covers/blobStore.js';
export type { CoverService, CoverServiceOptions } from './covers/coverService.js';
export type { ImageAttribution, ImageProvider, ImageRequest, ImageResult, ImageUsage } from './covers/imageProvider.js';
export type { MemoryBlobStoreOptions } from './covers/memoryBlobStore.js';
export { createMemoryBlobStore } from './covers/memoryBlobStore.js';
export type { OfflineImageProviderOptions } from './covers/offlineImageProvider.js';
export { createOfflineImageProvider } from './covers/offlineImageProvider.js';
export type { UnsplashImageProviderOptions } from './covers/unsplashImageProvider.js';
export { createUnsplashImageProvider } from './covers/unsplashImageProvider.js';
export type { WebhookImageProviderOptions } from './covers/webhookImageProvider.js';
export { createWebhookImageProvider } from './covers/webhookImageProvider.js';
export type { DemoModelOptions, DemoOutputs, DemoResponseOptions } from './demo/demoModel.js';
export { createDemoModel, demoResponse } from './demo/demoModel.js';
export { type BudgetPeriod, budgetPeriods, periodAt } from './domain/budgetPeriod.js';
export type { CoverChange, CoverPatch, CoverProvider, CoverRecord } from './domain/coverRecord.js';
export type {
  ExportedDocument,
  RoadmapExport,
  RoadmapExportFormat,
  UserExport,
} from './domain/dataExport.js';
export type {
  NewRoadmapEvent,
  RoadmapEvent,
  RoadmapEventBase,
  RoadmapEventPayloads,
  RoadmapEventType,
} from './domain/events.js';
export { isTerminalEvent, terminalEventTypes } from './domain/events.js';
export {
  callUsage,
  defaultModelPrices,
  type ImageCallTokens,
  imageCallUsage,
  type ModelPrice,
  type ModelPrices,
  modelPriceSchema,
  modelPricesSchema,
  priceOf,
} from './domain/modelPrices.js';
export type { OwnerOptions } from './domain/ownership.js';
export type { RoadmapMarkdownInput } from './domain/roadmapMarkdown.js';
export { roadmapToMarkdown } from './domain/roadmapMarkdown.js';
export type {
  Concept,
  ConceptDetail,
  ContentItem,
  ContentKind,
  Cover,
  CoverStatus,
  CurrentLevel,
  Curriculum,
  Difficulty,
  GenerateRequest,
  GenerateRequestInput,
  Intent,
  ItemStatus,
  Module,
  PartialTutorial,
  Preferences,
  PreferencesInput,
  Quiz,
  QuizQuestion,
  Resource,
  Resources,
  ReviewIssue,
  Roadmap,
  Stage,
  StructureReview,
  Tutorial,
} from './domain/schemas.js';
export {
  contentKindSchema,
  contentKinds,
  coverSchema,
  curriculumSchema,
  generateRequestSchema,
  intentSchema,
  preferencesSchema,
  quizSchema,
  resourcesSchema,
  roadmapSchema,
  structureReviewSchema,
  tutorialSchema,
} from './domain/schemas.js';
export type { CurrentStep, PauseReason, Progress, Task, TaskRecord, TaskStatus } from './domain/task.js';
export { isTerminalStatus, taskStatuses, taskStatusSchema, terminalStatuses } from './domain/task.js';
export { addUsage, emptyUsage, roundUsd, usageOf } from './domain/usage.js';
export type {
  ApiErrorBody,
  ApiFieldError,
  BatchCancelResponse,
  BatchCover,
  BatchGenerateCoversResponse,
  CancelReceipt,
  CancelTaskResponse,
  ClientMessage,
  ClosingMessage,
  ClosingReason,
  ConnectedMessage,
  ControlMessage,
  ControlMessageBase,
  CoverImageType,
  CoverNotFound,
  CurrentStatusMessage,
  EstimateResponse,
  GenerateRoadmapBody,
  GenerateRoadmapResponse,
  ItemVersionEntry,
  ItemVersionsResponse,
  PauseTaskBody,
  PauseTaskResponse,
  PongMessage,
  RegenerateItemResponse,
  RestoreItemResponse,
  ResumeTaskBody,
  ResumeTaskResponse,
  ResyncMessage,
  ResyncReason,
  RetryConceptContentResponse,
  RetryTaskResponse,
  ReviewProposalResponse,
  ReviewTaskBody,
  ReviewTaskResponse,
  RoadmapListResponse,
  RoadmapSummary,
  ServerMessage,
  TaskListResponse,
  TaskStatusResponse,
  TaskSummary,
  UsageReport,
  UsageResponse,
} from './domain/wire.js';
export type { BatchCancelResult, BatchCancelSelection, BatchCancelStatus } from './engine/batchCancel.js';
export {
  demoEstimateProfile,
  type EstimateProfile,
  estimateGeneration,
  type OperationTokens,
  plannedConcepts,
  typicalEstimateProfile,
  UsageAverages,
} from './engine/costEstimate.js';
export type { DeletedUserData } from './engine/dataDeletion.js';
export type { EngineEvents, GenerateOptions, ListTasksOptions, RoadmapEngineOptions } from './engine/engine.js';
export { RoadmapEngine } from './engine/engine.js';
export type { ItemVersionView } from './engine/itemVersions.js';
export type { PauseResult, ReviewProposal } from './engine/taskControl.js';
export type { FaultBackoff } from './engine/worker.js';
export type {
  ConceptContext,
  LanguageModel,
  ModelInput,
  ModelOperation,
  ModelRequest,
  ModelResult,
  ModelStreamPart,
  ModelUsage,
} from './model/languageModel.js';
export type { RetryPolicy } from './model/retry.js';
export type { MemoryQueueOptions } from './queue/memoryQueue.js';
export { createMemoryQueue } from './queue/memoryQueue.js';
export type { ClaimOptions, Queue, QueueJob } from './queue/queue.js';
export type { Clock } from './shared/clock.js';
export { systemClock } from './shared/clock.js';
export type { RoadmapErrorCode, RoadmapErrorOptions } from './shared/errors.js';
export { isAbortError, RoadmapError } from './shared/errors.js';
export {
  type BudgetCharge,
  type BudgetLimits,
  type BudgetRefused,
  type BudgetReservation,
  type BudgetReserved,
  type BudgetStore,
  budgetToleranceUsd,
} from './storage/budgetStore.js';
export type { CheckpointStore, ContentValue, ItemKey, ItemVersion, ItemWritten } from './storage/checkpointStore.js';
export type { CoverStore } from './storage/coverStore.js';
export type {
  BlobDeletion,
  DataLifecycleStore,
  DeletedRemains,
  DeletedRows,
  DeletedTask,
} from './storage/dataLifecycleStore.js';
export type { EventPruneOptions, EventQuery, EventStore } from './storage/eventStore.js';
export type { MemoryStorageOptions } from './storage/memoryStorage.js';
export { createMemoryStorage } from './storage/memoryStorage.js';
export type { Storage } from './storage/storage.js';
export type {
  AcquireLeaseResult,
  CreatedTask,
  LeaseClaim,
  LeaseFence,
  PausedTaskQuery,
  RecoverableTaskQuery,
  StatusChange,
  SweepLease,
  TaskListQuery,
  TaskListResult,
  TaskPatch,
  TaskStore,
  TaskTransition,
  UsageSumQuery,
  UsageTotals,
  UserAtLimit,
} from './storage/taskStore.js';
export { isUserAtLimit } from './storage/taskStore.js';
