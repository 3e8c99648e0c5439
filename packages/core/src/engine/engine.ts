import { EventEmitter } from 'eventemitter3';
import type { BlobStore, DefaultBlobStoreSource } from '../covers/blobStore.js';
import { CoverService, type CoverServiceOptions } from '../covers/coverService.js';
import type { ImageProvider, ImageUsage } from '../covers/imageProvider.js';
import { createMemoryBlobStore } from '../covers/memoryBlobStore.js';
import { createOfflineImageProvider } from '../covers/offlineImageProvider.js';
import { type BudgetPeriod, periodAt } from '../domain/budgetPeriod.js';
import type { ExportedDocument, RoadmapExport, RoadmapExportFormat, UserExport } from '../domain/dataExport.js';
import type {
  CancelReceipt,
  NewRoadmapEvent,
  RoadmapEvent,
  RoadmapEventPayloads,
  RoadmapEventType,
} from '../domain/events.js';
import { randomId, roadmapIdFor } from '../domain/ids.js';
import { defaultModelPrices, imageCallUsage, type ModelPrices, modelPricesSchema } from '../domain/modelPrices.js';
import { assertOwner, type OwnerOptions } from '../domain/ownership.js';
import {
  type ConceptDetail,
  type ContentKind,
  type GenerateRequest,
  type GenerateRequestInput,
  generateRequestSchema,
  type PartialTutorial,
  type Roadmap,
} from '../domain/schemas.js';
import {
  cancellableStatuses,
  emptyProgress,
  retryableStatuses,
  type Task,
  type TaskRecord,
  type TaskStatus,
  toPublicTask,
} from '../domain/task.js';
import { emptyUsage, type UsageReport } from '../domain/usage.js';
import type { EstimateResponse, RoadmapListResponse, UsageResponse } from '../domain/wire.js';
import type { LanguageModel } from '../model/languageModel.js';
import { defaultRetryPolicy, type RetryPolicy } from '../model/retry.js';
import { describeIssues } from '../model/structuredGeneration.js';
import type { Queue } from '../queue/queue.js';
import { type Clock, isoTime, systemClock } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import { budgetToleranceUsd } from '../storage/budgetStore.js';
import type { EventQuery } from '../storage/eventStore.js';
import type { Storage } from '../storage/storage.js';
import type { CreatedTask, LeaseFence } from '../storage/taskStore.js';
import { assertAdapterVersions } from './adapterVersion.js';
import {
  type BatchCancelResult,
  type BatchCancelSelection,
  cancelByStatus,
  cancelEach,
  checkBatchCancelSelection,
  statusesOf,
} from './batchCancel.js';
import { BudgetSweep } from './budgetSweep.js';
import { pruneFinishedCheckpoints } from './checkpointPruning.js';
import { keepPartialTutorials, partialTextKey } from './contentStream.js';
import { demoEstimateProfile, estimateGeneration, typicalEstimateProfile, UsageAverages } from './costEstimate.js';
import {
  type DataDeletionContext,
  type DeletedUserData,
  deleteQueuedBlobs,
  deleteTask,
  deleteUser,
} from './dataDeletion.js';
import { conceptDetailFrom, conceptsOf, exportDocument } from './dataExport.js';
import { EventRetention } from './eventRetention.js';
import {
  type ItemVersionContext,
  type ItemVersionView,
  listItemVersions,
  regenerateItem,
  restoreItemVersion,
} from './itemVersions.js';
import { RecoverySweep } from './recoverySweep.js';
import { decodeRoadmapCursor, encodeRoadmapCursor } from './roadmapCursor.js';
import { runSideEffect } from './sideEffectRetry.js';
import {
  onTaskBroadcast,
  type PauseResult,
  pauseTask,
  type ReviewProposal,
  resumeTask,
  reviewProposal,
  submitReview,
  type TaskControlContext,
} from './taskControl.js';
import { defaultFaultBackoff, type FaultBackoff, TaskWorker } from './worker.js';

/** Steps in which a processing task has (at most) one design call in flight. */
const designSteps = new Set(['intent_analysis', 'curriculum_design', 'structure_validation', 'roadmap_edit']);

/** Roadmap ids drawn for one task before `generate` gives up (each collision needs the same slug and suffix). */
const maxRoadmapIdAttempts = 5;

export interface RoadmapEngineOptions {
  /** Where tasks, roadmaps, content and events live. */
  storage: Storage;
  /** How tasks reach workers; share one between engines (or processes) to spread work and cancels. */
  queue: Queue;
  /** The model behind every pipeline step. */
  model: LanguageModel;
  /** Time source. Default: the system clock. */
  clock?: Clock;
  /** Creates task ids (UUID v4) and the random part of roadmap ids. Default: `crypto.randomUUID`. */
  generateId?: () => string;
  /** Concepts generated at once within one task; the three kinds of a concept always run in parallel. Default: 5. */
  concurrency?: number;
  /** Tasks this engine's worker runs at once. Default: 4 (twice the default `userConcurrency`, so one user never fills a worker). */
  taskConcurrency?: number;
  /** Lease of a running task; a worker that misses heartbeats this long loses it. Default: 30 000 ms. */
  leaseMs?: number;
  /** Heartbeat period. Default: a third of `leaseMs`. */
  heartbeatMs?: number;
  /** Failed share of content items at or above which a task ends `failed` instead of `partial_failure`. Default: 0.5. */
  failureThreshold?: number;
  /** Edit rounds after a failed structure validation. Default: 3. */
  maxEditRounds?: number;
  /**
   * Starts of a task (the first run plus resumes after a crash, a lost lease or an infrastructure fault) before it
   * is failed: as poison, or with the last fault's error. A graceful `stop()` gives its start back, and `retry`
   * starts the count afresh. Default: 5.
   */
  maxAttempts?: number;
  /** Retries of transient model errors. Default: 3 retries, 500 ms doubling to 8 s, `retry-after` honoured. */
  retry?: Partial<RetryPolicy>;
  /**
   * Wait before a task is claimed again after an infrastructure fault (a storage or queue error, a model call that
   * timed out on its own) gave it back to `pending`; each such start counts toward `maxAttempts`. Default: 1 s
   * doubling per attempt, at most 60 s.
   */
  faultBackoff?: Partial<FaultBackoff>;
  /** Whether `start()` runs a worker in this engine (false for an API-only process). Default: true. */
  worker?: boolean;
  /**
   * How often orphaned tasks (expired leases) and pending tasks untouched this long are requeued. Default:
   * `leaseMs`.
   */
  recoveryIntervalMs?: number;
  /**
   * Whether this engine runs recovery: a sweep at `start()` and the periodic sweep, which runs in one process at a
   * time (a lease in storage). Default: `worker` — an API-only process (`worker: false`) leaves recovery to the
   * workers unless this asks for it.
   */
  recovery?: boolean;
  /** Names this worker in queue claims. Default: a random id. */
  workerId?: string;
  /** Creates cover images. Default: `createOfflineImageProvider()` (generated artwork, no network). */
  imageProvider?: ImageProvider;
  /**
   * Keeps cover images the kit stores itself. Default: the storage's `defaultBlobStore()` when it has one (SQLite on
   * a file: a `cover-images` folder beside the database, so covers survive restarts), else `createMemoryBlobStore()`
   * (lost with the process; a cover whose image is gone is generated again when read).
   */
  blobStore?: BlobStore;
  /** Cover-image generation: concurrency, automatic retries, the sweeper. Defaults: see {@link CoverServiceOptions}. */
  covers?: CoverServiceOptions;
  /**
   * How long the event log keeps the events of finished tasks (`completed`, `failed`, `partial_failure`,
   * `cancelled`): once started, the engine deletes older ones in the background (every quarter of this, at most
   * hourly; `pruneEvents()` runs a sweep now), and `eventLogStart()` tells live streams where the complete log
   * starts, so a client resuming from an older `seq` gets `resync` (SPEC §4). Events of tasks still running are
   * never deleted. Give every process on the same storage the same value. Default: none — the log is kept forever
   * (the reference server sets 7 days, `ROADMAP_EVENT_RETENTION`).
   */
  eventRetentionMs?: number;
  /**
   * Prices of models in US dollars per million tokens, for `task.usage.cost_usd`; merged over
   * `defaultModelPrices` (common OpenAI models and the demo model). A model without a price counts tokens with
   * `cost_usd: null`. The reference server reads `ROADMAP_PRICES`.
   */
  prices?: ModelPrices;
  /**
   * The budget period of `getUserUsage` (`GET /usage`): the current UTC `day` or `month`. Default: `month`
   * (`ROADMAP_BUDGET_PERIOD`).
   */
  budgetPeriod?: BudgetPeriod;
  /**
   * What each user may spend per budget period, in US dollars (SPEC §7 budgets): a number for every user, or a
   * function answering per user (`null`: no limit), e.g. from the user's plan — read before each model call, so a
   * raise counts at once. Before each call the worst case (prompt tokens + the model's `maxOutputTokens` at its
   * price) is reserved atomically in storage and settled with the reported usage after; a call that would exceed a
   * budget is not made and the task pauses (`pause_reason: "budget"`) until the budget has room again (checked with
   * each recovery sweep). `generate` refuses with `budget_exceeded` (HTTP 402) once nothing is left. Calls of a model
   * without a price are not limited. Default: no limit (`ROADMAP_USER_BUDGET_USD`).
   */
  userBudgetUsd?: number | ((userId: string) => number | null | Promise<number | null>);
  /**
   * Fair scheduling (SPEC §7): at most this many tasks of one user are `processing` at once, across every worker
   * on the storage (checked atomically with each claim). A task over it waits `pending` and is offered again within
   * a second, while other users' tasks take the free slots. Default: 2 (`ROADMAP_USER_CONCURRENCY`); `Infinity` for
   * no limit. Keep `taskConcurrency` (per worker) above it, or one user can fill a worker.
   */
  userConcurrency?: number;
  /**
   * Receives errors that have no caller: heartbeat, recovery, cover generation and listener failures.
   * Default: `console.error`.
   */
  onError?: (error: unknown) => void;
}

/** The engine's `userBudgetUsd` option as a function of the user (`null`: no limit), a number checked. */
function userBudgetOf(
  option: RoadmapEngineOptions['userBudgetUsd'],
): (userId: string) => number | null | Promise<number | null> {
  if (typeof option === 'function') return option;
  if (option === undefined) return () => null;
  if (!(option >= 0))
    throw new RoadmapError('invalid_input', 'userBudgetUsd must be a number of US dollars, 0 or more.');
  return () => option;
}

/** The engine's `prices` option, checked: every entry a pair of non-negative numbers. */
function checkedPrices(prices: ModelPrices | undefined): ModelPrices {
  const parsed = modelPricesSchema.safeParse(prices ?? {});
  if (parsed.success) return parsed.data;
  throw new RoadmapError('invalid_input', `prices: ${describeIssues(parsed.error)}`);
}

export interface GenerateOptions {
  /** Owner of the task. */
  userId: string;
  /** Preferences and context; validated (and defaulted) with `generateRequestSchema`. */
  request: GenerateRequestInput;
  /** Repeating a call with the same key (per user) returns the first task instead of creating another. */
  idempotencyKey?: string;
}

export interface ListTasksOptions {
  userId?: string;
  statuses?: readonly TaskStatus[];
  /** Page size, 1–100. Default: 50. */
  limit?: number;
  offset?: number;
}

/** The listener arguments of each event type for {@link RoadmapEngine.on}: the event of that type. */
export type EngineEvents = { [Type in RoadmapEventType]: [Extract<RoadmapEvent, { type: Type }>] } & {
  event: [RoadmapEvent];
};

/**
 * The facade of Roadmap Kit: creates tasks, runs them on a worker, and cancels, retries and reads them. Building
 * one checks every adapter's `specificationVersion` and throws `RoadmapError('unsupported_adapter_version')`, naming
 * the adapter and the version it declares, for one made for another version of the contracts.
 *
 * @example
 * ```ts
 * const engine = new RoadmapEngine({ storage: createMemoryStorage(), queue: createMemoryQueue(), model: createDemoModel() });
 * engine.start();
 * const { task } = await engine.generate({ userId: 'u1', request: { preferences: { learning_goal: 'Learn Rust' } } });
 * engine.on('completed', (event) => console.log('done', event.roadmap_id));
 * ```
 */
export class RoadmapEngine {
  readonly storage: Storage;
  readonly queue: Queue;
  readonly model: LanguageModel;
  readonly clock: Clock;
  readonly imageProvider: ImageProvider;
  readonly blobStore: BlobStore;
  /** Cover images of roadmaps: get, batch get, (batch) generate, upload. */
  readonly covers: CoverService;
  private readonly generateId: () => string;
  private readonly emitter = new EventEmitter<EngineEvents>();
  private readonly settings: {
    concurrency: number;
    taskConcurrency: number;
    leaseMs: number;
    heartbeatMs: number;
    failureThreshold: number;
    maxEditRounds: number;
    maxAttempts: number;
    retryPolicy: RetryPolicy;
    faultBackoff: FaultBackoff;
    worker: boolean;
    recovery: boolean;
    recoveryIntervalMs: number;
    workerId: string;
    prices: ModelPrices;
    budgetPeriod: BudgetPeriod;
    userBudgetUsd: (userId: string) => number | null | Promise<number | null>;
    userConcurrency: number;
  };
  private readonly onError: (error: unknown) => void;
  private readonly worker: TaskWorker;
  private readonly unsubscribeCancel: () => void;
  private readonly recovery: RecoverySweep;
  /** Resumes tasks paused on budget once their budget has room (with each recovery sweep). */
  private readonly budgetSweep: BudgetSweep;
  private readonly eventRetention: EventRetention | undefined;
  /** What this engine's model really used, for {@link RoadmapEngine.estimate}. */
  private readonly usageAverages = new UsageAverages();
  private state: 'idle' | 'running' | 'stopped' = 'idle';

  constructor(options: RoadmapEngineOptions) {
    this.storage = options.storage;
    this.queue = options.queue;
    this.model = options.model;
    this.clock = options.clock ?? systemClock;
    this.generateId = options.generateId ?? randomId;
    this.onError = options.onError ?? ((error) => console.error('[roadmap]', error));
    this.imageProvider = options.imageProvider ?? createOfflineImageProvider();
    // Covers last as long as the data: a file-backed storage keeps them beside its files unless told otherwise.
    const fileBacked = options.storage as Storage & Partial<DefaultBlobStoreSource>;
    this.blobStore = options.blobStore ?? fileBacked.defaultBlobStore?.() ?? createMemoryBlobStore();
    assertAdapterVersions({
      storage: this.storage,
      queue: this.queue,
      model: this.model,
      imageProvider: this.imageProvider,
      blobStore: this.blobStore,
      clock: this.clock,
    });
    this.covers = new CoverService({
      ...options.covers,
      storage: this.storage,
      imageProvider: this.imageProvider,
      blobStore: this.blobStore,
      clock: this.clock,
      publish: (task, type, payload) => this.publish(task, type, payload),
      onError: this.onError,
      onImageUsage: (taskId, usage) => {
        this.recordImageUsage(taskId, usage).catch(this.onError);
      },
    });
    const leaseMs = options.leaseMs ?? 30_000;
    this.settings = {
      concurrency: Math.max(1, options.concurrency ?? 5),
      taskConcurrency: Math.max(1, options.taskConcurrency ?? 4),
      leaseMs,
      heartbeatMs: options.heartbeatMs ?? Math.floor(leaseMs / 3),
      failureThreshold: options.failureThreshold ?? 0.5,
      maxEditRounds: options.maxEditRounds ?? 3,
      maxAttempts: options.maxAttempts ?? 5,
      retryPolicy: { ...defaultRetryPolicy, ...options.retry },
      faultBackoff: { ...defaultFaultBackoff, ...options.faultBackoff },
      worker: options.worker ?? true,
      recovery: options.recovery ?? options.worker ?? true,
      recoveryIntervalMs: options.recoveryIntervalMs ?? leaseMs,
      workerId: options.workerId ?? randomId(),
      prices: { ...defaultModelPrices, ...checkedPrices(options.prices) },
      budgetPeriod: options.budgetPeriod ?? 'month',
      userBudgetUsd: userBudgetOf(options.userBudgetUsd),
      userConcurrency: options.userConcurrency ?? 2,
    };
    if (!(this.settings.userConcurrency >= 1)) {
      throw new RoadmapError('invalid_input', 'userConcurrency must be 1 or more (Infinity for no limit).');
    }
    this.worker = new TaskWorker({
      storage: this.storage,
      queue: this.queue,
      model: this.model,
      clock: this.clock,
      workerId: this.settings.workerId,
      leaseMs,
      heartbeatMs: this.settings.heartbeatMs,
      taskConcurrency: this.settings.taskConcurrency,
      concurrency: this.settings.concurrency,
      maxEditRounds: this.settings.maxEditRounds,
      maxAttempts: this.settings.maxAttempts,
      failureThreshold: this.settings.failureThreshold,
      retryPolicy: this.settings.retryPolicy,
      faultBackoff: this.settings.faultBackoff,
      publish: (task, type, payload, fence) => this.publish(task, type, payload, fence),
      eventFor: (type, payload) => this.eventFor(type, payload),
      emit: (event) => this.emit(event),
      onRoadmapStored: (task, roadmap) => {
        this.usageAverages.observeCurriculum(roadmap, task.request.preferences);
        this.covers.onRoadmapStored(roadmap, task.task_id);
      },
      onError: this.onError,
      generateId: this.generateId,
      prices: this.settings.prices,
      usageEventIntervalMs: 1_000,
      ...(Number.isFinite(this.settings.userConcurrency) ? { userConcurrency: this.settings.userConcurrency } : {}),
      userBusyRetryMs: 500,
      onCallUsage: (operation, usage) => this.usageAverages.observeCall(operation, usage),
      userBudgetUsd: this.settings.userBudgetUsd,
      budgetPeriod: this.settings.budgetPeriod,
    });
    this.budgetSweep = new BudgetSweep({
      storage: this.storage,
      clock: this.clock,
      budgetPeriod: this.settings.budgetPeriod,
      userBudgetUsd: this.settings.userBudgetUsd,
      resume: (taskId) => this.resume(taskId),
    });
    this.recovery = new RecoverySweep({
      storage: this.storage,
      queue: this.queue,
      clock: this.clock,
      intervalMs: this.settings.recoveryIntervalMs,
      holder: `${this.settings.workerId}:${randomId()}`,
      onError: this.onError,
      afterSweep: async () => {
        await this.budgetSweep.sweep();
        await this.sweepDataLifecycle();
      },
    });
    if (options.eventRetentionMs !== undefined) {
      if (!(options.eventRetentionMs > 0)) {
        throw new RoadmapError('invalid_input', 'eventRetentionMs must be a positive number of milliseconds.');
      }
      this.eventRetention = new EventRetention({
        storage: this.storage,
        clock: this.clock,
        retentionMs: options.eventRetentionMs,
        onError: this.onError,
      });
    }
    // A cancel or a pause accepted in another process: the task's status says which.
    this.unsubscribeCancel = this.queue.onCancel((taskId) => {
      onTaskBroadcast({ ...this.control(), abortCover: (id) => this.covers.abortTask(id) }, taskId).catch(this.onError);
    });
  }

  // ------------------------------------------------------------------------------------------------------------
  // Lifecycle
  // ------------------------------------------------------------------------------------------------------------

  /**
   * Requeues tasks left behind by dead workers (pending, or processing with an expired lease), then starts the
   * worker (unless `worker: false`), the periodic recovery sweep (unless `recovery: false`) and the cover sweeper
   * (due retries, abandoned covers). Resolves once the first sweeps are done. A first recovery sweep that fails (a
   * broker down) goes to `onError` and does not stop the start: the periodic sweep requeues those tasks later.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') throw new RoadmapError('engine_stopped', 'The engine was already started.');
    this.state = 'running';
    if (this.settings.recovery) await this.recovery.sweep(true).catch(this.onError);
    if (this.settings.worker) this.worker.start();
    if (this.settings.recovery) this.recovery.start();
    this.eventRetention?.start();
    await this.covers.start();
  }

  /**
   * Stops the worker. By default (graceful) every claimed task's lease is released and its job requeued at once,
   * so another worker continues it without waiting for the lease to expire. `{ releaseTasks: false }` stops
   * without writing anything more — what a crash leaves behind, for tests and hard shutdowns. Cover generations in
   * flight are aborted the same way: back to `pending` (graceful) or left as they are (crash), for a sweeper.
   */
  async stop(options: { releaseTasks?: boolean } = {}): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const release = options.releaseTasks ?? true;
    const recoveryStopped = this.recovery.stop({ releaseLease: release });
    this.eventRetention?.stop();
    this.unsubscribeCancel();
    await this.worker.stop(release);
    await this.covers.stop({ release });
    await recoveryStopped;
  }

  /**
   * Enqueues orphaned tasks (processing, lease expired or released) and pending tasks that have waited longer than
   * `recoveryIntervalMs` (their job may have been lost with a broker that keeps nothing on disk); with
   * `includeAllPending`, every pending task. Runs now, whoever holds the periodic sweep's lease. Enqueueing is
   * idempotent, so a task already queued is not delivered twice. Returns how many.
   */
  recover(includeAllPending = false): Promise<number> {
    return this.recovery.sweep(includeAllPending);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Events
  // ------------------------------------------------------------------------------------------------------------

  /** Listens to one event type; returns the unsubscribe function. */
  on<Type extends RoadmapEventType>(type: Type, listener: (event: EngineEvents[Type][0]) => void): () => void {
    const safe = (event: EngineEvents[Type][0]) => {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    };
    this.emitter.on(type, safe as never);
    return () => {
      this.emitter.off(type, safe as never);
    };
  }

  /** Listens to every event; returns the unsubscribe function. */
  subscribe(listener: (event: RoadmapEvent) => void): () => void {
    const safe = (event: RoadmapEvent) => {
      try {
        listener(event);
      } catch (error) {
        this.onError(error);
      }
    };
    this.emitter.on('event', safe);
    return () => {
      this.emitter.off('event', safe);
    };
  }

  /**
   * Deletes the events of finished tasks older than `eventRetentionMs` now (what the background sweep does).
   * Resolves with how many; 0 without `eventRetentionMs`.
   */
  async pruneEvents(): Promise<number> {
    return (await this.eventRetention?.sweep()) ?? 0;
  }

  /**
   * The `seq` from which the event log is complete under `eventRetentionMs`: a stream whose `since` is lower than
   * this minus one may have missed pruned events (`resync`). `null` without `eventRetentionMs` (nothing is pruned).
   */
  async eventLogStart(): Promise<number | null> {
    return (await this.eventRetention?.logStart()) ?? null;
  }

  /**
   * Deletes now what the background sweep (with each recovery sweep) deletes: the checkpoints of finished tasks
   * whose roadmap is stored (a bounded number of batches) and the blobs queued by deletions that did not finish
   * them. Resolves with how many checkpoints and blobs went.
   */
  async sweepDataLifecycle(): Promise<{ checkpoints: number; blobs: number }> {
    const checkpoints = await pruneFinishedCheckpoints(this.storage);
    const blobs = await deleteQueuedBlobs(this.deletion());
    return { checkpoints, blobs };
  }

  /** Events from the durable log, in `seq` order (replay after `after`). */
  listEvents(query: EventQuery): Promise<RoadmapEvent[]> {
    return this.storage.listEvents(query);
  }

  private async publish<Type extends RoadmapEventType>(
    task: Pick<TaskRecord, 'task_id' | 'user_id'>,
    type: Type,
    payload: RoadmapEventPayloads[Type],
    fence?: LeaseFence,
  ): Promise<void> {
    this.emit(await this.storage.appendEvent(this.eventFor(type, () => payload)(task), fence));
  }

  /**
   * The event of `type` for a task, stamped with the clock's time, as a builder a status change stores in its own
   * transaction (`StatusChange.event`): the payload is read from the task as changed.
   */
  private eventFor<Type extends RoadmapEventType>(
    type: Type,
    payload: (task: TaskRecord) => RoadmapEventPayloads[Type],
  ): (task: Pick<TaskRecord, 'task_id' | 'user_id'>) => NewRoadmapEvent {
    return (task) => {
      const fields: RoadmapEventPayloads[Type] = payload(task as TaskRecord);
      return {
        type,
        task_id: task.task_id,
        user_id: task.user_id,
        timestamp: isoTime(this.clock.now()),
        ...fields,
      } as NewRoadmapEvent;
    };
  }

  /** Delivers a stored event to this engine's listeners (nothing when it was not stored). */
  private emit(stored: RoadmapEvent | null): void {
    if (!stored) return;
    this.emitter.emit(stored.type, stored as never);
    this.emitter.emit('event', stored);
  }

  /** {@link runSideEffect} with this engine's clock and error hook: retried in the background, never thrown. */
  private async afterStateChange(what: string, work: () => Promise<unknown>): Promise<void> {
    await runSideEffect(
      { clock: this.clock, onError: this.onError, stopped: () => this.state === 'stopped' },
      what,
      work,
    );
  }

  // ------------------------------------------------------------------------------------------------------------
  // Commands
  // ------------------------------------------------------------------------------------------------------------

  /** The request validated (and defaulted) with `generateRequestSchema`; `invalid_input` with every issue. */
  private parseRequest(input: GenerateRequestInput): GenerateRequest {
    const parsed = generateRequestSchema.safeParse(input);
    if (!parsed.success) {
      throw new RoadmapError('invalid_input', 'The roadmap request is invalid.', {
        errors: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })),
      });
    }
    return parsed.data;
  }

  /** Creates a task (or returns the one with the same idempotency key) and queues it. */
  async generate(options: GenerateOptions): Promise<{ task: Task; created: boolean }> {
    const request = this.parseRequest(options.request);
    if (
      options.idempotencyKey !== undefined &&
      (options.idempotencyKey.length === 0 || options.idempotencyKey.length > 200)
    ) {
      throw new RoadmapError('invalid_input', 'An idempotency key has 1 to 200 characters.');
    }
    await this.assertBudgetLeft(options.userId);
    const at = isoTime(this.clock.now());
    const taskId = this.generateId();
    const record: TaskRecord = {
      task_id: taskId,
      user_id: options.userId,
      roadmap_id: roadmapIdFor(request.preferences.learning_goal, this.generateId()),
      title: request.preferences.learning_goal,
      status: 'pending',
      current_step: 'queued',
      progress: emptyProgress,
      error_message: null,
      failed_concepts: { count: 0, concept_ids: [] },
      cancel_reason: null,
      pause_reason: null,
      review_round: 0,
      usage: { ...emptyUsage },
      budget_usd: request.budget_usd ?? null,
      attempts: 0,
      created_at: at,
      updated_at: at,
      completed_at: null,
      request,
      idempotency_key: options.idempotencyKey ?? null,
      lease_token: null,
      lease_expires_at: null,
    };
    const { task, created, event } = await this.createWithUniqueRoadmapId(record);
    if (created) {
      this.emit(event);
      await this.afterStateChange(`Enqueueing task ${task.task_id}`, () => this.queue.enqueue(task.task_id));
    }
    return { task: toPublicTask(task), created };
  }

  /**
   * Counts an image call of a task's cover in the task's usage (SPEC §7: every model and image call), priced by the
   * image provider's `modelId`: through the task's run when it runs here (its next usage write carries it), else
   * added in storage at once (one atomic step) and announced with `usage_updated`. A run of the task in another
   * process writes its own count over it: such an image is then not counted (covers are made where the run is).
   */
  private async recordImageUsage(taskId: string, usage: ImageUsage): Promise<void> {
    const report = imageCallUsage(
      this.settings.prices,
      this.imageProvider.modelId ?? this.imageProvider.provider,
      usage,
    );
    if (this.worker.addUsage(taskId, report)) return;
    const task = await this.storage.addTaskUsage(taskId, report);
    if (task) await this.publish(task, 'usage_updated', { usage: task.usage });
  }

  /**
   * Refuses a new task with `budget_exceeded` (HTTP 402) when the user's budget of the current period has nothing
   * left: everything is spent or held by reservations of calls under way.
   */
  private async assertBudgetLeft(userId: string): Promise<void> {
    const budget = await this.settings.userBudgetUsd(userId);
    if (budget === null) return;
    const { startMs, endMs } = periodAt(this.clock.now(), this.settings.budgetPeriod);
    const charge = await this.storage.userBudgetCharge(userId, isoTime(startMs));
    if (charge.spent_usd + charge.reserved_usd + budgetToleranceUsd < budget) return;
    throw new RoadmapError(
      'budget_exceeded',
      `Your budget of $${budget} for this ${this.settings.budgetPeriod} has nothing left; it renews at ${isoTime(endMs)}.`,
    );
  }

  /**
   * Stores the task with its `queued` event (one transaction). Roadmap ids are unique: when the id is taken (a
   * suffix collision), a new suffix is drawn, a few times at most.
   */
  private async createWithUniqueRoadmapId(record: TaskRecord): Promise<CreatedTask> {
    const queued = this.eventFor('progress', (task) => ({
      step: 'queued',
      status: 'pending',
      message: 'Queued',
      progress: task.progress,
    }));
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.storage.createTask(record, queued);
      } catch (error) {
        if (!RoadmapError.isInstance(error) || error.code !== 'roadmap_id_taken' || attempt >= maxRoadmapIdAttempts) {
          throw error;
        }
        record.roadmap_id = roadmapIdFor(record.request.preferences.learning_goal, this.generateId());
      }
    }
  }

  /**
   * Cancels a `pending` or `processing` task: compare-and-set to `cancelled`, then every in-flight model and image
   * call of the task is aborted — here at once, in other processes through the queue's broadcast — its cover goes
   * back to `not_started`, and one `cancelled` event is emitted. What was generated stays. Resolves after the local abort and the broadcast.
   */
  async cancel(
    taskId: string,
    options: OwnerOptions & { reason?: string } = {},
  ): Promise<{ task: Task; previousStatus: TaskStatus; receipt: CancelReceipt }> {
    let current = await this.requireTask(taskId, options);
    for (;;) {
      if (!cancellableStatuses.includes(current.status)) {
        throw new RoadmapError('task_not_cancellable', `A ${current.status} task cannot be cancelled.`);
      }
      const at = isoTime(this.clock.now());
      const previousStatus = current.status;
      const receipt = await this.cancelReceipt(current);
      const transition = await this.storage.transitionTask(taskId, {
        from: [previousStatus],
        to: 'cancelled',
        patch: {
          current_step: 'cancelled',
          cancel_reason: options.reason ?? null,
          completed_at: at,
          updated_at: at,
          lease_token: null,
          lease_expires_at: null,
          // The run here counted ahead of what it last wrote; its later writes are fenced out.
          usage: receipt.usage,
        },
        // Stored with the status: a cancel that was accepted always has its event.
        event: this.eventFor('cancelled', (task) => ({
          reason: task.cancel_reason,
          previous_status: previousStatus,
          progress: task.progress,
          ...receipt,
        })),
      });
      if (transition) {
        const cancelled = transition.task;
        this.worker.abortTask(taskId, 'cancelled');
        // The cover's image call too (here at once, elsewhere through the broadcast); never throws.
        const coverStopped = this.covers.onTaskCancelled(cancelled);
        this.emit(transition.event);
        // Other processes: the broadcast, retried; a worker that misses it still finds `cancelled` in storage.
        await this.afterStateChange(`Broadcasting the cancel of ${taskId}`, () => this.queue.broadcastCancel(taskId));
        await coverStopped;
        // Items that were in flight were aborted; the holder can no longer write, so show them as not started.
        // Tutorials that streamed part of their text keep it, marked (failed); a retry generates them again.
        await this.afterStateChange(`Resetting the interrupted items of ${taskId}`, async () => {
          await keepPartialTutorials(this.storage, cancelled);
          await this.storage.resetItems(cancelled.roadmap_id, { statuses: ['generating'] });
          // Finished: its step checkpoints served only a resume (SPEC §9); partial tutorial texts are kept.
          await this.storage.pruneCheckpoints([taskId]);
        });
        return { task: toPublicTask(cancelled), previousStatus, receipt };
      }
      current = await this.requireTask(taskId, options);
    }
  }

  /**
   * The receipt of a cancel of `task` (SPEC §7), read just before the cancel: its content items in flight (each a
   * call the cancel aborts) plus the design step's call when it was designing, the items kept, and its usage.
   */
  private async cancelReceipt(task: TaskRecord): Promise<CancelReceipt> {
    const items = await this.storage.listItems(task.roadmap_id);
    const designing = task.status === 'processing' && designSteps.has(task.current_step);
    const usage = this.worker.liveUsage(task.task_id) ?? task.usage;
    return {
      aborted_calls:
        task.status === 'processing'
          ? items.filter((item) => item.status === 'generating').length + (designing ? 1 : 0)
          : 0,
      kept_items: items.filter((item) => item.status === 'completed').length,
      usage,
    };
  }

  /**
   * Cancels several of the caller's tasks in one call (SPEC §7): the named ids (1–100), or every task in a status
   * (`pending`, `processing`, or `active` for both). Each is cancelled as {@link cancel} would (compare-and-set, one
   * `cancelled` event, in-flight calls aborted), 8 at a time. Ids of other users' tasks are reported `notFound`,
   * like unknown ones. Throws `invalid_input` for a bad selection.
   */
  async cancelTasks(
    selection: BatchCancelSelection,
    options: { userId: string; reason?: string },
  ): Promise<BatchCancelResult> {
    const checked = checkBatchCancelSelection(selection);
    const cancelOne = (taskId: string) =>
      this.cancel(taskId, {
        userId: options.userId,
        ...(options.reason === undefined ? {} : { reason: options.reason }),
      });
    if ('taskIds' in checked) return cancelEach(checked.taskIds, cancelOne);
    const statuses = statusesOf(checked.status);
    return cancelByStatus(async (limit) => {
      const page = await this.storage.listTasks({ userId: options.userId, statuses, limit, offset: 0 });
      return page.tasks.map((task) => task.task_id);
    }, cancelOne);
  }

  /**
   * Resumes a `failed`, `partial_failure` or `cancelled` task: failed and interrupted items go back to pending,
   * the task to `pending`, and a worker continues from the checkpoints — nothing already stored is generated
   * again. Returns how many content items remain to generate (0 when the framework is not designed yet).
   */
  async retry(taskId: string, options: OwnerOptions = {}): Promise<{ task: Task; itemsToRetry: number }> {
    const current = await this.requireTask(taskId, options);
    if (!retryableStatuses.includes(current.status)) {
      throw new RoadmapError('task_not_retryable', `A ${current.status} task cannot be retried.`);
    }
    await this.storage.resetItems(current.roadmap_id, { statuses: ['failed', 'generating'] });
    const task = await this.requeue(current, `Retrying`);
    const items = await this.storage.listItems(current.roadmap_id);
    return { task, itemsToRetry: items.filter((item) => item.status !== 'completed').length };
  }

  /**
   * Regenerates one failed content item (concept × kind) of a finished task (`failed` or `partial_failure`):
   * only that item is asked of the model again.
   */
  async retryItem(
    roadmapId: string,
    conceptId: string,
    kind: ContentKind,
    options: OwnerOptions = {},
  ): Promise<{ task: Task }> {
    const roadmap = await this.storage.getRoadmap(roadmapId);
    if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
    assertOwner(roadmap.user_id, options, 'roadmap');
    const [item] = (await this.storage.listItems(roadmapId, conceptId)).filter((entry) => entry.kind === kind);
    if (!item) throw new RoadmapError('not_found', `Concept ${conceptId} does not exist in ${roadmapId}.`);
    const task = (await this.storage.listTasks({ roadmapId, limit: 1 })).tasks[0];
    if (!task) throw new RoadmapError('not_found', `No task generated ${roadmapId}.`);
    if (task.status !== 'failed' && task.status !== 'partial_failure') {
      throw new RoadmapError(
        'item_not_retryable',
        task.status === 'cancelled'
          ? 'The task was cancelled: retry the whole task to resume it.'
          : `Items can be retried once the task has finished with failures (it is ${task.status}).`,
      );
    }
    if (item.status !== 'failed') {
      throw new RoadmapError('item_not_retryable', `The ${kind} of ${conceptId} is ${item.status}, not failed.`);
    }
    await this.storage.resetItems(roadmapId, { statuses: ['failed'], conceptId, kind });
    return { task: await this.requeue(task, `Retrying the ${kind} of ${conceptId}`) };
  }

  /**
   * Pauses a `pending` or `processing` task (SPEC §7): no model call of it starts after this resolves; calls in
   * flight finish and are stored, or are aborted with `abortInFlight`. The task then holds no lease or worker slot
   * until {@link resume}. See `taskControl.ts`.
   */
  pause(taskId: string, options: OwnerOptions & { abortInFlight?: boolean } = {}): Promise<PauseResult> {
    return pauseTask(this.control(), taskId, options);
  }

  /**
   * Resumes a paused task: queued again, continuing from what is stored (nothing is generated twice). `budgetUsd`
   * sets the task's own budget in the same write: how a task paused on its budget is given more.
   */
  resume(taskId: string, options: OwnerOptions & { budgetUsd?: number } = {}): Promise<{ task: Task }> {
    return resumeTask(this.control(), taskId, options);
  }

  /**
   * Resumes now every task paused on budget whose budget has room again for the call it paused on (what each
   * recovery sweep does). Resolves with how many.
   */
  resumeBudgetPaused(): Promise<number> {
    return this.budgetSweep.sweep();
  }

  /**
   * Answers the human review of a task in `human_review_pending`: `approved` starts content generation; otherwise
   * the model edits the framework with `feedback` and the task comes back for review (at most 5 rounds).
   */
  review(
    taskId: string,
    options: OwnerOptions & { approved: boolean; feedback?: string | null },
  ): Promise<{ task: Task }> {
    return submitReview(this.control(), taskId, options);
  }

  /** The framework a task in `human_review_pending` proposes, as a roadmap, with its review round. */
  getReview(taskId: string, options: OwnerOptions = {}): Promise<ReviewProposal> {
    return reviewProposal(this.control(), taskId, options);
  }

  /**
   * Generates one completed tutorial, resource list or quiz of a finished task again with `feedback` (SPEC §7):
   * only that item is asked, with its previous content and the feedback; the previous version is kept (see
   * {@link listItemVersions}, {@link restoreItemVersion}); every other item and the cover are untouched.
   */
  regenerateItem(
    roadmapId: string,
    conceptId: string,
    kind: ContentKind,
    options: OwnerOptions & { feedback: string },
  ): Promise<{ taskId: string; version: number }> {
    return regenerateItem(this.versionControl(), { roadmapId, conceptId, kind }, options);
  }

  /** Every version of a content item, oldest first, the one shown now marked `current`. */
  listItemVersions(
    roadmapId: string,
    conceptId: string,
    kind: ContentKind,
    options: OwnerOptions = {},
  ): Promise<ItemVersionView[]> {
    return listItemVersions(this.versionControl(), { roadmapId, conceptId, kind }, options);
  }

  /** Shows an earlier version of a finished task's content item again; every version is kept. */
  restoreItemVersion(
    roadmapId: string,
    conceptId: string,
    kind: ContentKind,
    version: number,
    options: OwnerOptions = {},
  ): Promise<{ version: number }> {
    return restoreItemVersion(this.versionControl(), { roadmapId, conceptId, kind }, version, options);
  }

  /**
   * Deletes a task of `userId` with everything stored for it (SPEC §9 `DELETE /roadmaps/tasks/{id}`): an active task
   * is cancelled first (its in-flight calls aborted) and its run here awaited; then its task, roadmap, content items
   * and versions, checkpoints, events, budget reservations and cover go in one storage transaction, which stores one
   * `deleted { task_id, roadmap_id }` event — the only trace, on the user's stream — and the cover's image goes from
   * the blob store (a sweep finishes it when that fails). `not_found` / `forbidden` (another user's) as for
   * {@link cancel}. `abortSignal` stops waiting for the run to stop, before anything is deleted. See
   * `dataDeletion.ts`.
   */
  deleteTask(userId: string, taskId: string, options: { abortSignal?: AbortSignal } = {}): Promise<void> {
    return deleteTask(this.deletion(), userId, taskId, options);
  }

  /**
   * Erases everything stored for a user (SPEC §9 `DELETE /me`): every task as {@link deleteTask} deletes it (without
   * `deleted` events), then every other row of the user (events, covers, budget reservations) and every cover image
   * in the blob store. Idempotent (a second call returns zeros) and resumable: a call that failed midway is finished
   * by the next one. Resolves with what it deleted. Tasks the user creates while it runs may survive it.
   */
  deleteUser(userId: string): Promise<DeletedUserData> {
    return deleteUser(this.deletion(), userId);
  }

  private deletion(): DataDeletionContext {
    return {
      storage: this.storage,
      blobStore: this.blobStore,
      requireTask: (taskId, options) => this.requireTask(taskId, options),
      cancel: (taskId, reason) => this.cancel(taskId, { reason }),
      whenStopped: (taskId) => this.worker.whenStopped(taskId),
      abortCover: (taskId) => this.covers.abortTask(taskId),
      eventFor: (type, payload) => this.eventFor(type, payload),
      emit: (stored) => this.emit(stored),
      onError: this.onError,
    };
  }

  private versionControl(): ItemVersionContext {
    return { ...this.control(), requeue: (task, message) => this.requeue(task, message) };
  }

  private control(): TaskControlContext {
    return {
      storage: this.storage,
      queue: this.queue,
      clock: this.clock,
      worker: this.worker,
      requireTask: (taskId, options) => this.requireTask(taskId, options),
      eventFor: (type, payload) => this.eventFor(type, payload),
      emit: (stored) => this.emit(stored),
      stopCover: (task) => this.covers.onTaskCancelled(task),
      afterStateChange: (what, work) => this.afterStateChange(what, work),
      onError: this.onError,
    };
  }

  private async requeue(current: TaskRecord, message: string): Promise<Task> {
    const at = isoTime(this.clock.now());
    const transition = await this.storage.transitionTask(current.task_id, {
      from: [current.status],
      to: 'pending',
      patch: {
        current_step: 'queued',
        error_message: null,
        cancel_reason: null,
        failed_concepts: { count: 0, concept_ids: [] },
        completed_at: null,
        updated_at: at,
        attempts: 0,
      },
      event: this.eventFor('progress', (task) => ({
        step: 'queued',
        status: 'pending',
        message,
        progress: task.progress,
      })),
    });
    if (!transition) throw new RoadmapError('task_not_retryable', 'The task changed meanwhile; reload and try again.');
    const { task } = transition;
    this.emit(transition.event);
    await this.afterStateChange(`Enqueueing task ${task.task_id}`, () => this.queue.enqueue(task.task_id));
    return toPublicTask(task);
  }

  // ------------------------------------------------------------------------------------------------------------
  // Queries
  // ------------------------------------------------------------------------------------------------------------

  private async requireTask(taskId: string, options: OwnerOptions | undefined): Promise<TaskRecord> {
    const task = await this.storage.getTask(taskId);
    if (!task) throw new RoadmapError('not_found', `Task ${taskId} does not exist.`);
    assertOwner(task.user_id, options, 'task');
    return task;
  }

  /** A task, or `null` when it does not exist; throws `forbidden` for another user's task. */
  async getTask(taskId: string, options?: OwnerOptions): Promise<Task | null> {
    const task = await this.storage.getTask(taskId);
    if (!task) return null;
    assertOwner(task.user_id, options, 'task');
    return toPublicTask(task);
  }

  /** A page of tasks, newest first, with the total and per-status counts (counts ignore the status filter). */
  async listTasks(
    options: ListTasksOptions = {},
  ): Promise<{ tasks: Task[]; total: number; counts: Record<TaskStatus, number> }> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new RoadmapError('invalid_input', 'limit is a whole number from 1 to 100.');
    }
    const offset = options.offset ?? 0;
    if (!Number.isInteger(offset) || offset < 0)
      throw new RoadmapError('invalid_input', 'offset is a whole number ≥ 0.');
    const result = await this.storage.listTasks({
      ...(options.userId !== undefined ? { userId: options.userId } : {}),
      ...(options.statuses ? { statuses: options.statuses } : {}),
      limit,
      offset,
    });
    return { tasks: result.tasks.map(toPublicTask), total: result.total, counts: result.counts };
  }

  /** A roadmap with each concept's content statuses, or `null`; throws `forbidden` for another user's. */
  async getRoadmap(roadmapId: string, options?: OwnerOptions): Promise<Roadmap | null> {
    const roadmap = await this.storage.getRoadmap(roadmapId);
    if (!roadmap) return null;
    assertOwner(roadmap.user_id, options, 'roadmap');
    return roadmap;
  }

  /**
   * One page of a user's roadmaps, newest first, with concept counts and the task that generated each: one storage
   * query per page (keyset on `created_at`, `roadmap_id`). `next_cursor` is `null` on the last page.
   */
  async listRoadmaps(
    userId: string,
    options: {
      /** Page size, 1–100. Default: 50. */
      limit?: number;
      /** A `next_cursor` of the previous page; omitted for the first page. */
      cursor?: string;
    } = {},
  ): Promise<RoadmapListResponse> {
    const limit = options.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new RoadmapError('invalid_input', 'limit is a whole number from 1 to 100.');
    }
    const after = options.cursor === undefined ? undefined : decodeRoadmapCursor(options.cursor);
    // One row more than the page tells whether another page follows, without a second query.
    const rows = await this.storage.listRoadmapSummaries({ userId, limit: limit + 1, ...(after ? { after } : {}) });
    const roadmaps = rows.slice(0, limit);
    const last = roadmaps.at(-1);
    return {
      roadmaps,
      next_cursor: rows.length > limit && last ? encodeRoadmapCursor(last) : null,
    };
  }

  /**
   * Calls, tokens and cost of the task's model calls so far, as providers reported them (zeros for providers that do
   * not): counted to this moment when the task runs in this process, else as last written (about a second behind).
   */
  async getUsage(taskId: string, options?: OwnerOptions): Promise<UsageReport> {
    const task = await this.requireTask(taskId, options);
    return this.worker.liveUsage(taskId) ?? task.usage;
  }

  /**
   * What generating a roadmap with this request is expected to use (SPEC §7 `POST /roadmaps/estimate`), without any
   * model call: the pipeline's shape (3 framework calls, the expected edit rounds, 3 content calls per planned
   * concept) times tokens per call — measured from this engine's own calls once it has made a few, the model's
   * known profile before that — priced by the price table. Throws `invalid_input` like `generate`.
   */
  estimate(requestInput: GenerateRequestInput): EstimateResponse {
    const request = this.parseRequest(requestInput);
    const fallback = this.model.provider === 'demo' ? demoEstimateProfile : typicalEstimateProfile;
    return estimateGeneration(
      this.usageAverages.concepts(request.preferences),
      this.usageAverages.profile(fallback),
      this.settings.prices,
      this.model.modelId,
    );
  }

  /**
   * What the user used in the current budget period (`budgetPeriod`, UTC) and the period's budget (`userBudgetUsd`):
   * `GET /usage` (SPEC §7). Tokens and calls are those of the user's tasks created in the period (one query). With a
   * budget, `spent_usd` and `reserved_usd` are what the budget is enforced on: the budget ledger's calls made in the
   * period, settled and still open; without one, `spent_usd` is the cost of the period's tasks and nothing is
   * reserved.
   */
  async getUserUsage(userId: string): Promise<UsageResponse> {
    const { startMs, endMs } = periodAt(this.clock.now(), this.settings.budgetPeriod);
    const periodStart = isoTime(startMs);
    const periodEnd = isoTime(endMs);
    const budget = await this.settings.userBudgetUsd(userId);
    const [totals, charge] = await Promise.all([
      this.storage.sumUsage({ userId, createdFrom: periodStart, createdBefore: periodEnd }),
      budget === null ? undefined : this.storage.userBudgetCharge(userId, periodStart),
    ]);
    return {
      period_start: periodStart,
      period_end: periodEnd,
      spent_usd: charge ? charge.spent_usd : totals.cost_usd,
      reserved_usd: charge ? charge.reserved_usd : 0,
      budget_usd: budget,
      input_tokens: totals.input_tokens,
      output_tokens: totals.output_tokens,
      calls: totals.calls,
    };
  }

  /** One concept with its tutorial, resources and quiz (each `null` until generated), or `null`. */
  async getConcept(roadmapId: string, conceptId: string, options?: OwnerOptions): Promise<ConceptDetail | null> {
    const roadmap = await this.getRoadmap(roadmapId, options);
    if (!roadmap) return null;
    const concept = roadmap.stages
      .flatMap((stage) => stage.modules.flatMap((module) => module.concepts))
      .find((entry) => entry.concept_id === conceptId);
    if (!concept) return null;
    const items = await this.storage.listItems(roadmapId, conceptId);
    const detail = conceptDetailFrom(concept, items);
    if (detail.tutorial) return detail;
    return { ...detail, partial_tutorial: await this.partialTutorial(roadmapId, conceptId, items) };
  }

  /**
   * A roadmap with everything generated for it, as one document to download (SPEC §9): `md`, Markdown with a
   * heading per stage, module and concept, each tutorial, resources as links and the quizzes, answers at the end;
   * or `json` ({@link RoadmapExport}: the roadmap, every concept's items, the cover). `not_found` / `forbidden` as
   * for `getRoadmap`.
   */
  async exportRoadmap(
    roadmapId: string,
    options: OwnerOptions & {
      /** `md` or `json`. Default: `json`. */
      format?: RoadmapExportFormat;
    } = {},
  ): Promise<ExportedDocument> {
    const roadmap = await this.getRoadmap(roadmapId, options);
    if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${roadmapId} does not exist.`);
    return exportDocument(await this.roadmapExport(roadmap), options.format ?? 'json');
  }

  /**
   * Everything stored for a user, for data portability (SPEC §9, `GET /me/export`): every task with its usage,
   * every roadmap with its generated content and its cover's status and URL, and the current period's usage.
   */
  async exportUser(userId: string): Promise<UserExport> {
    const tasks: Task[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.listTasks({ userId, limit: 100, offset });
      tasks.push(...page.tasks);
      if (page.tasks.length < 100) break;
    }
    const roadmaps: RoadmapExport[] = [];
    let cursor: string | null = null;
    do {
      const page: RoadmapListResponse = await this.listRoadmaps(userId, {
        limit: 100,
        ...(cursor === null ? {} : { cursor }),
      });
      for (const summary of page.roadmaps) {
        const roadmap = await this.storage.getRoadmap(summary.roadmap_id);
        if (roadmap && roadmap.user_id === userId) roadmaps.push(await this.roadmapExport(roadmap));
      }
      cursor = page.next_cursor;
    } while (cursor !== null);
    return {
      user_id: userId,
      exported_at: isoTime(this.clock.now()),
      tasks,
      roadmaps,
      usage: await this.getUserUsage(userId),
    };
  }

  /** A stored roadmap with its items (one read for all of them) and its cover. */
  private async roadmapExport(roadmap: Roadmap): Promise<RoadmapExport> {
    const items = await this.storage.listItems(roadmap.roadmap_id);
    return {
      roadmap,
      concepts: conceptsOf(roadmap).map((concept) => conceptDetailFrom(concept, items)),
      cover: await this.covers.get(roadmap.roadmap_id),
    };
  }

  /**
   * The tutorial text a stream stored for a concept whose tutorial is not complete: `generating` while its item
   * is, `failed` once its generation stopped (`null` when nothing streamed).
   */
  private async partialTutorial(
    roadmapId: string,
    conceptId: string,
    items: readonly { kind: ContentKind; status: string }[],
  ): Promise<PartialTutorial | null> {
    const holder = (await this.storage.listTasks({ roadmapId, limit: 1 })).tasks[0];
    if (!holder) return null;
    const text = (await this.storage.getCheckpoints(holder.task_id))[partialTextKey(conceptId)];
    if (typeof text !== 'string' || text === '') return null;
    const generating = items.some((item) => item.kind === 'tutorial' && item.status === 'generating');
    return { content: text, status: generating && holder.status === 'processing' ? 'generating' : 'failed' };
  }
}
