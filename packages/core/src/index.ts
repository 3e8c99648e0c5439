export { RoadmapEngine } from './engine.js';
export type {
  GenerateOptions,
  ListTasksOptions,
  OwnerOptions,
  RoadmapEngineOptions,
  RoadmapSummary,
} from './engine.js';

export { RoadmapError, abortError, errorMessage, isAbortError } from './errors.js';
export type { RoadmapErrorCode, RoadmapErrorOptions } from './errors.js';

export { isoTime, sleep, systemClock } from './clock.js';
export type { Clock } from './clock.js';

export { createMemoryStorage } from './memoryStorage.js';
export type { MemoryStorageOptions } from './memoryStorage.js';
export { createMemoryQueue } from './memoryQueue.js';
export type { MemoryQueueOptions } from './memoryQueue.js';
export { createDemoModel } from './demoModel.js';

export { defaultRetryPolicy, isRetryableError, retryDelay, withRetry } from './retry.js';
export type { RetryPolicy } from './retry.js';
export { describeIssues, generateStructured } from './structuredGeneration.js';
export { checkStructure, toRoadmap } from './structure.js';
export { hex8, randomId, roadmapIdFor, slugify } from './ids.js';
export { RunAbort } from './runAbort.js';
export type { RunAbortKind } from './runAbort.js';

export {
  allowedTransitions,
  cancellableStatuses,
  computeProgress,
  currentStepSchema,
  emptyProgress,
  isAllowedTransition,
  isTerminalStatus,
  retryableStatuses,
  taskStatusSchema,
  taskStatuses,
  terminalStatuses,
  toPublicTask,
} from './task.js';
export type { CurrentStep, Progress, Task, TaskRecord, TaskStatus } from './task.js';

export { isTerminalEvent, terminalEventTypes } from './events.js';
export type {
  NewRoadmapEvent,
  RoadmapEvent,
  RoadmapEventBase,
  RoadmapEventPayloads,
  RoadmapEventType,
} from './events.js';

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
  resourceTypeSchema,
  resourcesSchema,
  reviewIssueSchema,
  roadmapSchema,
  stageSchema,
  structureReviewSchema,
  tutorialSchema,
} from './schemas.js';
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
export type { ClaimOptions, Queue, QueueJob } from './queue.js';
export type {
  ConceptContext,
  LanguageModel,
  ModelInput,
  ModelOperation,
  ModelRequest,
  ModelResult,
  ModelUsage,
} from './languageModel.js';
export type { ImageAttribution, ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';
export type { BlobStore } from './blobStore.js';
