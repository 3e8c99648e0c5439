export { assertValidBlobKey } from './blobKey.js';
export type { BlobStore } from './blobStore.js';
export type { Clock } from './clock.js';
export { isoTime, sleep, systemClock } from './clock.js';
export { coverBlobKey, coverPrompt } from './coverGenerator.js';
export type { CoverChange, CoverPatch, CoverProvider, CoverRecord } from './coverRecord.js';
export { toPublicCover } from './coverRecord.js';
export type {
  BatchGenerateResult,
  CoverNotFound,
  CoverServiceOptions,
  CoverServiceSettings,
} from './coverService.js';
export { CoverService, maxCoverBatchSize, maxCoverUploadBytes } from './coverService.js';
export type { DemoModelOptions, DemoOutputs, DemoResponseOptions } from './demoModel.js';
export { createDemoModel, demoResponse } from './demoModel.js';
export type {
  GenerateOptions,
  ListTasksOptions,
  OwnerOptions,
  RoadmapEngineOptions,
  RoadmapSummary,
} from './engine.js';
export { RoadmapEngine } from './engine.js';
export type { RoadmapErrorCode, RoadmapErrorOptions } from './errors.js';
export { abortError, errorMessage, isAbortError, RoadmapError } from './errors.js';
export type {
  NewRoadmapEvent,
  RoadmapEvent,
  RoadmapEventBase,
  RoadmapEventPayloads,
  RoadmapEventType,
} from './events.js';
export { isTerminalEvent, terminalEventTypes } from './events.js';
export { hex8, randomId, roadmapIdFor, slugify } from './ids.js';
export type { ImageAttribution, ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';
export type { ImageType } from './imageType.js';
export { detectImageType, imageExtensions } from './imageType.js';
export type {
  ConceptContext,
  LanguageModel,
  ModelInput,
  ModelOperation,
  ModelRequest,
  ModelResult,
  ModelUsage,
} from './languageModel.js';
export type { MemoryBlobStoreOptions } from './memoryBlobStore.js';
export { createMemoryBlobStore } from './memoryBlobStore.js';
export type { MemoryQueueOptions } from './memoryQueue.js';
export { createMemoryQueue } from './memoryQueue.js';
export type { MemoryStorageOptions } from './memoryStorage.js';
export { createMemoryStorage } from './memoryStorage.js';
export type { OfflineImageProviderOptions } from './offlineImageProvider.js';
export { createOfflineImageProvider } from './offlineImageProvider.js';
export type { PngEncodeOptions, PngImage } from './png.js';
export { encodePng } from './png.js';
export { parseRetryAfter } from './providerHttp.js';
export type { ClaimOptions, Queue, QueueJob } from './queue.js';
export type { RetryPolicy } from './retry.js';
export { defaultRetryPolicy, isRetryableError, retryDelay, withRetry } from './retry.js';
export type { RunAbortKind } from './runAbort.js';
export { RunAbort } from './runAbort.js';
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
} from './schemas.js';
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
} from './schemas.js';
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
} from './storage.js';
export { checkStructure, toRoadmap } from './structure.js';
export { describeIssues, generateStructured } from './structuredGeneration.js';
export type { CurrentStep, Progress, Task, TaskRecord, TaskStatus } from './task.js';
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
} from './task.js';
export type { UnsplashImageProviderOptions } from './unsplashImageProvider.js';
export { createUnsplashImageProvider } from './unsplashImageProvider.js';
export type { TaskUsage } from './usageMeter.js';
export { emptyUsage, UsageMeter, usageCheckpointKey, usageFrom } from './usageMeter.js';
export type { WebhookImageProviderOptions } from './webhookImageProvider.js';
export { createWebhookImageProvider } from './webhookImageProvider.js';
