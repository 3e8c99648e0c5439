export { assertValidBlobKey } from './covers/blobKey.js';
export type { BlobStore } from './covers/blobStore.js';
export { coverBlobKey, coverPrompt } from './covers/coverGenerator.js';
export type {
  BatchGenerateResult,
  CoverNotFound,
  CoverServiceOptions,
  CoverServiceSettings,
} from './covers/coverService.js';
export { CoverService, maxCoverBatchSize, maxCoverUploadBytes } from './covers/coverService.js';
export type { ImageAttribution, ImageProvider, ImageRequest, ImageResult } from './covers/imageProvider.js';
export type { ImageType } from './covers/imageType.js';
export { detectImageType, imageExtensions } from './covers/imageType.js';
export type { MemoryBlobStoreOptions } from './covers/memoryBlobStore.js';
export { createMemoryBlobStore } from './covers/memoryBlobStore.js';
export type { OfflineImageProviderOptions } from './covers/offlineImageProvider.js';
export { createOfflineImageProvider } from './covers/offlineImageProvider.js';
export type { PngEncodeOptions, PngImage } from './covers/png.js';
export { encodePng } from './covers/png.js';
export type { UnsplashImageProviderOptions } from './covers/unsplashImageProvider.js';
export { createUnsplashImageProvider } from './covers/unsplashImageProvider.js';
export type { WebhookImageProviderOptions } from './covers/webhookImageProvider.js';
export { createWebhookImageProvider } from './covers/webhookImageProvider.js';
export type { DemoModelOptions, DemoOutputs, DemoResponseOptions } from './demo/demoModel.js';
export { createDemoModel, demoResponse } from './demo/demoModel.js';
export type { CoverChange, CoverPatch, CoverProvider, CoverRecord } from './domain/coverRecord.js';
export { toPublicCover } from './domain/coverRecord.js';
export type {
  NewRoadmapEvent,
  RoadmapEvent,
  RoadmapEventBase,
  RoadmapEventPayloads,
  RoadmapEventType,
} from './domain/events.js';
export { isTerminalEvent, terminalEventTypes } from './domain/events.js';
export { hex8, randomId, roadmapIdFor, slugify } from './domain/ids.js';
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
  conceptSchema,
  contentKindSchema,
  contentKinds,
  coverSchema,
  coverStatusSchema,
  currentLevelSchema,
  curriculumSchema,
  difficultySchema,
  generateRequestSchema,
  intentSchema,
  itemStatusSchema,
  moduleSchema,
  preferencesSchema,
  quizQuestionSchema,
  quizSchema,
  resourceSchema,
  resourcesSchema,
  resourceTypeSchema,
  reviewIssueSchema,
  roadmapSchema,
  stageSchema,
  structureReviewSchema,
  tutorialSchema,
} from './domain/schemas.js';
export { checkStructure, toRoadmap } from './domain/structure.js';
export type { CurrentStep, Progress, Task, TaskRecord, TaskStatus } from './domain/task.js';
export {
  allowedTransitions,
  cancellableStatuses,
  computeProgress,
  currentStepSchema,
  emptyProgress,
  isAllowedTransition,
  isTerminalStatus,
  retryableStatuses,
  taskStatuses,
  taskStatusSchema,
  terminalStatuses,
  toPublicTask,
} from './domain/task.js';
export type {
  GenerateOptions,
  ListTasksOptions,
  OwnerOptions,
  RoadmapEngineOptions,
  RoadmapSummary,
} from './engine/engine.js';
export { RoadmapEngine } from './engine/engine.js';
export type { RunAbortKind } from './engine/runAbort.js';
export { RunAbort } from './engine/runAbort.js';
export type { TaskUsage } from './engine/usageMeter.js';
export { emptyUsage, UsageMeter, usageCheckpointKey, usageFrom } from './engine/usageMeter.js';
export type {
  ConceptContext,
  LanguageModel,
  ModelInput,
  ModelOperation,
  ModelRequest,
  ModelResult,
  ModelUsage,
} from './model/languageModel.js';
export type { RetryPolicy } from './model/retry.js';
export { defaultRetryPolicy, isRetryableError, retryDelay, withRetry } from './model/retry.js';
export { describeIssues, generateStructured } from './model/structuredGeneration.js';
export type { MemoryQueueOptions } from './queue/memoryQueue.js';
export { createMemoryQueue } from './queue/memoryQueue.js';
export type { ClaimOptions, Queue, QueueJob } from './queue/queue.js';
export type { Clock } from './shared/clock.js';
export { isoTime, sleep, systemClock } from './shared/clock.js';
export type { RoadmapErrorCode, RoadmapErrorOptions } from './shared/errors.js';
export { abortError, errorMessage, isAbortError, RoadmapError } from './shared/errors.js';
export { parseRetryAfter } from './shared/retryAfter.js';
export type { MemoryStorageOptions } from './storage/memoryStorage.js';
export { createMemoryStorage } from './storage/memoryStorage.js';
export type {
  AcquireLeaseResult,
  ContentValue,
  EventQuery,
  LeaseFence,
  StatusChange,
  Storage,
  TaskListQuery,
  TaskListResult,
  TaskPatch,
} from './storage/storage.js';
