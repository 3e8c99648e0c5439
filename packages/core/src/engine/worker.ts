import type { BudgetPeriod } from '../domain/budgetPeriod.js';
import type { NewRoadmapEvent, RoadmapEvent, RoadmapEventPayloads, RoadmapEventType } from '../domain/events.js';
import type { ModelPrices } from '../domain/modelPrices.js';
import type { Roadmap } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import type { UsageReport } from '../domain/usage.js';
import type { LanguageModel, ModelOperation, ModelUsage } from '../model/languageModel.js';
import type { RetryPolicy } from '../model/retry.js';
import type { Queue, QueueJob } from '../queue/queue.js';
import { type Clock, isoTime, sleep } from '../shared/clock.js';
import { errorMessage, isInfrastructureFault, RoadmapError } from '../shared/errors.js';
import type { BudgetRefused } from '../storage/budgetStore.js';
import type { Storage } from '../storage/storage.js';
import { isUserAtLimit, type LeaseFence } from '../storage/taskStore.js';
import { budgetedModel } from './budgetedModel.js';
import { type BudgetPause, budgetPauseCheckpointKey } from './budgetPause.js';
import { CallBudget, defaultMaxOutputTokens } from './callBudget.js';
import { runPipeline } from './pipeline.js';
import { allowManyListeners, RunAbort, runAbortKind } from './runAbort.js';
import type { RunContext } from './runContext.js';
import { RunSuspended } from './runSuspended.js';
import { initialUsage, UsageMeter } from './usageMeter.js';

/** Pause after a failed claim before the next one. */
const claimRetryDelayMs = 1000;
/** Tries of the writes that give a task back after a fault (the fault may still be passing), and the first pause. */
const giveBackTries = 3;
const giveBackRetryDelayMs = 100;

/** How long a task given back after an infrastructure fault waits before it is claimed again. */
export interface FaultBackoff {
  /** Wait after the first start that met a fault; doubled for each further start. Default: 1000 ms. */
  minDelayMs: number;
  /** Upper bound of the wait. Default: 60 000 ms. */
  maxDelayMs: number;
}

export const defaultFaultBackoff: FaultBackoff = { minDelayMs: 1_000, maxDelayMs: 60_000 };

/** Wait before the task is claimed again, after its `attempts`-th start met an infrastructure fault. */
export function faultDelay(attempts: number, backoff: FaultBackoff): number {
  return Math.min(backoff.maxDelayMs, backoff.minDelayMs * 2 ** Math.max(0, attempts - 1));
}

export interface WorkerSettings {
  storage: Storage;
  queue: Queue;
  model: LanguageModel;
  clock: Clock;
  workerId: string;
  leaseMs: number;
  heartbeatMs: number;
  taskConcurrency: number;
  concurrency: number;
  maxEditRounds: number;
  maxAttempts: number;
  failureThreshold: number;
  retryPolicy: RetryPolicy;
  /** Wait before a task given back after an infrastructure fault is claimed again. */
  faultBackoff: FaultBackoff;
  /** Appends an event (fenced when `fence` is given) and delivers it to the engine's listeners. */
  publish<Type extends RoadmapEventType>(
    task: Pick<TaskRecord, 'task_id' | 'user_id'>,
    type: Type,
    payload: RoadmapEventPayloads[Type],
    fence?: LeaseFence,
  ): Promise<void>;
  /** The event of `type` as a builder a status change stores in its own transaction (`StatusChange.event`). */
  eventFor<Type extends RoadmapEventType>(
    type: Type,
    payload: (task: TaskRecord) => RoadmapEventPayloads[Type],
  ): (task: TaskRecord) => NewRoadmapEvent;
  /** Delivers an event stored with a status change to the engine's listeners. */
  emit(event: RoadmapEvent | null): void;
  /** Told once a run has the roadmap's framework stored (just now, or found on resume); must not throw. */
  onRoadmapStored?(task: TaskRecord, roadmap: Roadmap): void;
  /** Reports errors that have no caller to go to (heartbeat failures, listener errors). */
  onError(error: unknown): void;
  /** Creates the random part of a roadmap id the pipeline moves a task to. */
  generateId(): string;
  /** Prices of the models, for the cost in `task.usage`. */
  prices: ModelPrices;
  /** At most one `usage_updated` (and write of `task.usage`) per this many ms while calls report usage. */
  usageEventIntervalMs: number;
  /** At most this many tasks of one user processing at once, across every worker; `undefined`: no limit. */
  userConcurrency?: number;
  /** How soon a task whose user is at `userConcurrency` is offered to the workers again. */
  userBusyRetryMs: number;
  /** Told the usage of every answered call (for the engine's estimates); must not throw. */
  onCallUsage?(operation: ModelOperation, usage: ModelUsage): void;
  /** The user's budget per `budgetPeriod` in US dollars, `null` for none (SPEC §7 budgets); read before each call. */
  userBudgetUsd(userId: string): number | null | Promise<number | null>;
  budgetPeriod: BudgetPeriod;
}

interface ActiveRun {
  controller: AbortController;
  job: QueueJob;
  done: Promise<void>;
  /** Set when the task was paused: no model call starts any more. */
  paused: boolean;
  /** Set when the run stopped for its user (a review, a pause), who may answer before the run is gone. */
  handedToUser: boolean;
  /** The run's usage count, once the lease is taken. */
  usage?: UsageMeter;
  /** The pause on budget under way, once a call was refused (the first refusal pauses; the others wait for it). */
  budgetPause?: Promise<void>;
}

/**
 * Claims tasks from the queue and runs them, `taskConcurrency` at a time: takes the storage lease with the
 * job's token, heartbeats every `heartbeatMs`, and gives the task up when its lease is lost, it is cancelled,
 * or the worker stops.
 */
export class TaskWorker {
  private readonly runs = new Map<string, ActiveRun>();
  private readonly stopController = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(private readonly settings: WorkerSettings) {}

  /** Starts the claim loops. */
  start(): void {
    for (let lane = 0; lane < this.settings.taskConcurrency; lane += 1) this.loops.push(this.loop());
  }

  /** The usage of the task's run here, counted to this moment (ahead of what it last wrote); `undefined` if none. */
  liveUsage(taskId: string): UsageReport | undefined {
    return this.runs.get(taskId)?.usage?.snapshot();
  }

  /**
   * Counts `report` (an image call of the task's cover) in the usage of the task's run here, written with its next
   * flush; false when no run of the task is here.
   */
  addUsage(taskId: string, report: UsageReport): boolean {
    const usage = this.runs.get(taskId)?.usage;
    if (!usage) return false;
    usage.addReport(report);
    usage.flushSoon();
    return true;
  }

  /** Ids of the tasks this worker is running now. */
  activeTaskIds(): string[] {
    return [...this.runs.keys()];
  }

  /**
   * The task was paused: the local run of `taskId`, if any, starts no model call from now on (synchronously). With
   * `drain` its calls in flight finish and are stored before it gives the task up; with `abort` they are aborted.
   */
  pauseTask(taskId: string, mode: 'drain' | 'abort'): boolean {
    const run = this.runs.get(taskId);
    if (!run || run.controller.signal.aborted) return false;
    run.paused = true;
    if (mode === 'abort') run.controller.abort(new RunAbort('paused'));
    return true;
  }

  /** Resolves once no run of `taskId` is left in this worker (at once when there is none). */
  async whenStopped(taskId: string): Promise<void> {
    for (let run = this.runs.get(taskId); run; run = this.runs.get(taskId)) await run.done;
  }

  /** Aborts the local run of `taskId`, if any, synchronously. */
  abortTask(taskId: string, kind: RunAbort['kind']): boolean {
    const run = this.runs.get(taskId);
    if (!run || run.controller.signal.aborted) return false;
    run.controller.abort(new RunAbort(kind));
    return true;
  }

  /**
   * Stops claiming and aborts every run. With `release` (graceful) the tasks' leases are given up and the jobs
   * requeued at once; without it nothing more is written, as if the process had died.
   */
  async stop(release: boolean): Promise<void> {
    this.stopController.abort();
    for (const taskId of this.runs.keys()) this.abortTask(taskId, release ? 'stopping' : 'crashed');
    await Promise.all([...this.runs.values()].map((run) => run.done));
    await Promise.all(this.loops);
  }

  private async loop(): Promise<void> {
    const { queue, leaseMs, workerId } = this.settings;
    while (!this.stopController.signal.aborted) {
      let job: QueueJob | null;
      try {
        job = await queue.claim({ leaseMs, workerId, abortSignal: this.stopController.signal });
      } catch (error) {
        // The queue is unreachable (a broker restart, a dropped connection): wait a little before trying again.
        this.settings.onError(error);
        await sleep(this.settings.clock, claimRetryDelayMs, this.stopController.signal).catch(() => undefined);
        continue;
      }
      if (!job) {
        // `null` without our stop: the queue was closed under us. Do not spin on it.
        if (!this.stopController.signal.aborted) {
          await sleep(this.settings.clock, claimRetryDelayMs, this.stopController.signal).catch(() => undefined);
        }
        continue;
      }
      if (this.stopController.signal.aborted) {
        // Stopped while the claim was being answered: hand the job back untouched.
        await queue.release(job, { requeue: true }).catch(this.settings.onError);
        break;
      }
      await this.run(job);
    }
  }

  private run(job: QueueJob): Promise<void> {
    if (this.runs.has(job.taskId)) {
      // A second delivery of a task this worker still runs (its queue lease lapsed during a stall while the storage
      // lease held): the running one keeps the task; drop the duplicate. The recovery sweep requeues the task if the
      // running one dies later.
      return this.settings.queue.release(job).catch(this.settings.onError);
    }
    const controller = new AbortController();
    allowManyListeners(controller.signal);
    // Registered before the lease is taken, so a cancel broadcast that arrives meanwhile is not missed.
    const run: ActiveRun = { controller, job, done: Promise.resolve(), paused: false, handedToUser: false };
    this.runs.set(job.taskId, run);
    run.done = this.execute(job, run)
      .catch((error) => this.settings.onError(error))
      .finally(async () => {
        if (this.runs.get(job.taskId) === run) this.runs.delete(job.taskId);
        // A delivery of an answer that came while this run still stood was dropped as a duplicate: queue it again.
        if (run.handedToUser) await this.requeueIfAnswered(job.taskId);
      });
    return run.done;
  }

  private async execute(job: QueueJob, run: ActiveRun): Promise<void> {
    const { storage, queue, clock, leaseMs } = this.settings;
    const { controller } = run;
    const now = clock.now();
    let acquired: Awaited<ReturnType<Storage['acquireLease']>>;
    try {
      acquired = await storage.acquireLease(job.taskId, {
        token: job.token,
        now,
        expiresAt: now + leaseMs,
        updatedAt: isoTime(now),
        ...(this.settings.userConcurrency === undefined ? {} : { userLimit: this.settings.userConcurrency }),
      });
    } catch (error) {
      // Storage could not be reached: nothing was taken (no attempt counted). Hand the job back for later.
      this.settings.onError(error);
      await this.requeueLater(job, faultDelay(1, this.settings.faultBackoff));
      return;
    }
    if (!acquired) {
      // Cancelled or finished meanwhile, or held by a live lease elsewhere (a duplicate delivery).
      await queue.release(job);
      return;
    }
    if (isUserAtLimit(acquired)) {
      // Its user has `userConcurrency` tasks processing (here or elsewhere): it waits `pending` behind the queue
      // while other users' tasks take the slot, and is offered again shortly.
      await this.requeueLater(job, this.settings.userBusyRetryMs);
      return;
    }
    const task = acquired.task;
    const fence: LeaseFence = { taskId: task.task_id, leaseToken: job.token };
    if (task.attempts > this.settings.maxAttempts) {
      await this.fail(task, fence, new RoadmapError('too_many_attempts', `Gave up after ${task.attempts - 1} starts.`));
      await queue.release(job);
      return;
    }
    let usage: UsageMeter | undefined;
    let stopHeartbeat = () => {};
    let outcome: 'release' | 'requeue' | 'keep' | { delayMs: number } = 'release';
    try {
      usage = this.usageMeter(task, fence, await storage.getCheckpoints(task.task_id));
      run.usage = usage;
      stopHeartbeat = this.heartbeat(job, fence, controller, usage);
      if (controller.signal.aborted) throw controller.signal.reason;
      // A reviewed task is taken up again from `processing` without a lease: that is no recovery.
      if (acquired.recovered && task.current_step !== 'human_review') {
        await this.settings.publish(task, 'task_recovering', { current_step: task.current_step }, fence);
      }
      const budget = await this.callBudget(task, fence, run);
      const context = this.context(task, fence, run, usage, budget);
      const result = await runPipeline(context);
      await usage.flush();
      await this.finish(task, fence, result);
    } catch (error) {
      const kind = runAbortKind(controller.signal);
      if (kind === 'crashed') {
        outcome = 'keep';
      } else if (RunSuspended.isInstance(error) && error.reason === 'review') {
        // The task waits in `human_review_pending`, given up with its status change: nothing more to write.
        run.handedToUser = true;
        await usage?.flush().catch(() => false);
      } else if (kind === 'paused' || run.paused) {
        run.handedToUser = true;
        try {
          await this.afterPause(task, fence, usage);
        } catch (writeError) {
          this.settings.onError(writeError);
        }
      } else {
        try {
          outcome = await this.afterError(task, fence, error, kind, controller.signal, usage);
        } catch (writeError) {
          // Storage failed again: the lease expires and the recovery sweep requeues the task.
          this.settings.onError(writeError);
        }
      }
    } finally {
      stopHeartbeat();
    }
    if (outcome === 'requeue') await queue.release(job, { requeue: true });
    else if (outcome === 'release') await queue.release(job);
    else if (typeof outcome === 'object') await this.requeueLater(job, outcome.delayMs);
  }

  /**
   * A review answered or a pause resumed while this run was stopping queued the task while the run still stood (the
   * queue kept the old job, or its delivery here was dropped as a duplicate): queue the task again if it waits.
   */
  private async requeueIfAnswered(taskId: string): Promise<void> {
    try {
      const current = await this.settings.storage.getTask(taskId);
      const waiting =
        current?.status === 'pending' || (current?.status === 'processing' && current.lease_token === null);
      if (waiting) await this.settings.queue.enqueue(taskId);
    } catch (error) {
      // The recovery sweep finds the task later.
      this.settings.onError(error);
    }
  }

  /**
   * A paused run stopped (its calls in flight stored, or aborted): items left `generating` show as not started, and
   * the lease is given up, so the paused task holds no worker; its resume queues it again.
   */
  private async afterPause(task: TaskRecord, fence: LeaseFence, usage: UsageMeter | undefined): Promise<void> {
    const { storage } = this.settings;
    await usage?.flush().catch(() => false);
    const current = await storage.getTask(task.task_id);
    // Resumed, cancelled or taken over meanwhile: the other side decides.
    if (current?.status !== 'paused') return;
    await storage.resetItems(current.roadmap_id, { statuses: ['generating'] });
    // Fenced: a no-op when the pause already cleared the lease (its calls were aborted).
    await storage.releaseLease(fence);
  }

  /**
   * What a run that ended with `error` leaves behind (a crash writes nothing and never gets here): a graceful stop
   * gives the task and its start back; a cancel or a lost lease leaves it to the other side; an infrastructure fault
   * gives the task back for later (until `maxAttempts` starts met one); anything else fails it.
   */
  private async afterError(
    task: TaskRecord,
    fence: LeaseFence,
    error: unknown,
    kind: RunAbort['kind'] | undefined,
    signal: AbortSignal,
    usage: UsageMeter | undefined,
  ): Promise<'release' | 'requeue' | { delayMs: number }> {
    const { storage } = this.settings;
    await usage?.flush().catch(() => false);
    if (kind === 'stopping') {
      // A graceful stop gives the start back: only crashes and faults count towards `maxAttempts`.
      await storage.updateTask(fence, { attempts: Math.max(0, task.attempts - 1) });
      await storage.releaseLease(fence);
      return 'requeue';
    }
    if (kind !== undefined || (RoadmapError.isInstance(error) && error.code === 'lease_lost')) return 'release';
    // The run's own first fatal error (the calls it stopped reject with aborts).
    const cause: unknown = signal.aborted ? signal.reason : error;
    if (isInfrastructureFault(cause) && task.attempts < this.settings.maxAttempts) {
      return this.giveBack(task, fence, cause);
    }
    await this.fail(task, fence, cause);
    return 'release';
  }

  /**
   * After an infrastructure fault: the task goes back to `pending` (fenced by the run's token) with the error as its
   * message, and is claimed again after a backoff that grows with its `attempts`. When storage cannot take even this
   * write, the lease is left to expire and the recovery sweep requeues the task.
   */
  private async giveBack(
    task: TaskRecord,
    fence: LeaseFence,
    fault: unknown,
  ): Promise<'release' | { delayMs: number }> {
    const { storage, clock, faultBackoff } = this.settings;
    const delayMs = faultDelay(task.attempts, faultBackoff);
    const message = errorMessage(fault);
    try {
      const released = await this.retryFaults(async () => {
        const at = isoTime(clock.now());
        // Items of the aborted calls show as not started again (still under the lease, before giving it up).
        await storage.resetItems(task.roadmap_id, { statuses: ['generating'] });
        return storage.transitionTask(task.task_id, {
          from: ['processing'],
          to: 'pending',
          leaseToken: fence.leaseToken,
          patch: {
            current_step: 'queued',
            error_message: message,
            updated_at: at,
            lease_token: null,
            lease_expires_at: null,
          },
          event: this.settings.eventFor('progress', (released) => ({
            step: 'queued',
            status: 'pending',
            message: `Interrupted by an infrastructure fault (${message}); trying again in ${Math.ceil(delayMs / 1000)} s`,
            progress: released.progress,
          })),
        });
      });
      // Cancelled or taken over meanwhile: the other side decides.
      if (!released) return 'release';
      this.settings.emit(released.event);
    } catch (error) {
      this.settings.onError(error);
      return 'release';
    }
    return { delayMs };
  }

  /**
   * Runs `write` (fenced or idempotent), trying again after a short pause while it meets infrastructure faults, at
   * most `giveBackTries` times and not once the worker stops.
   */
  private async retryFaults<Result>(write: () => Promise<Result>): Promise<Result> {
    const stopping = this.stopController.signal;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= giveBackTries || !isInfrastructureFault(error) || stopping.aborted) throw error;
        this.settings.onError(error);
        await sleep(this.settings.clock, giveBackRetryDelayMs * 2 ** (attempt - 1), stopping);
      }
    }
  }

  /** Removes the job and enqueues its task again after `delayMs`; a queue that fails leaves it to the sweep. */
  private async requeueLater(job: QueueJob, delayMs: number): Promise<void> {
    try {
      await this.settings.queue.release(job);
      await this.settings.queue.enqueue(job.taskId, { delayMs });
    } catch (error) {
      this.settings.onError(error);
    }
  }

  /** The run's usage count: written to the task with the lease and announced by `usage_updated`. */
  private usageMeter(task: TaskRecord, fence: LeaseFence, checkpoints: Record<string, unknown>): UsageMeter {
    const settings = this.settings;
    return new UsageMeter(initialUsage(task, checkpoints, settings.prices, settings.model.modelId), {
      prices: settings.prices,
      modelId: settings.model.modelId,
      now: () => settings.clock.now(),
      intervalMs: settings.usageEventIntervalMs,
      onError: settings.onError,
      write: async (usage) => {
        const updated = await settings.storage.updateTask(fence, { usage });
        if (!updated) return false;
        await settings.publish(task, 'usage_updated', { usage }, fence);
        return true;
      },
    });
  }

  /**
   * The budgets of the run's calls when any applies to the task (its own `budget_usd`, or its user's), else
   * `undefined` (its calls reserve nothing). Reservations a dead run left open are closed first, at their worst case.
   */
  private async callBudget(task: TaskRecord, fence: LeaseFence, run: ActiveRun): Promise<CallBudget | undefined> {
    const settings = this.settings;
    const userBudget = () => settings.userBudgetUsd(task.user_id);
    if (task.budget_usd === null && (await userBudget()) === null) return undefined;
    await settings.storage.closeOpenReservations(task.task_id);
    return new CallBudget({
      storage: settings.storage,
      fence,
      task,
      userBudgetUsd: userBudget,
      budgetPeriod: settings.budgetPeriod,
      prices: settings.prices,
      modelId: settings.model.modelId,
      maxOutputTokens: settings.model.maxOutputTokens ?? defaultMaxOutputTokens,
      clock: settings.clock,
      onRefused: (refusal) => {
        run.paused = true;
        run.budgetPause ??= this.pauseOnBudget(task, fence, refusal);
        return run.budgetPause;
      },
    });
  }

  /**
   * A call did not fit a budget (SPEC §7): the task becomes `paused` with `pause_reason: "budget"` (and its `paused`
   * event, in one transaction, fenced by the run's lease), and what it needed is kept for the budget sweep that
   * resumes it. Calls in flight finish and are stored; none starts any more.
   */
  private async pauseOnBudget(
    task: TaskRecord,
    fence: LeaseFence,
    refusal: BudgetRefused & { needed_usd: number },
  ): Promise<void> {
    const { storage, clock } = this.settings;
    const transition = await storage.transitionTask(task.task_id, {
      from: ['processing'],
      to: 'paused',
      leaseToken: fence.leaseToken,
      patch: { pause_reason: 'budget', updated_at: isoTime(clock.now()) },
      event: this.settings.eventFor('paused', () => ({
        reason: 'budget',
        previous_status: 'processing',
        abort_in_flight: false,
      })),
    });
    if (!transition) return; // Cancelled or taken over meanwhile: the other side decides.
    this.settings.emit(transition.event);
    const pause: BudgetPause = { scope: refusal.scope, needed_usd: refusal.needed_usd };
    await storage.saveCheckpoint(fence, budgetPauseCheckpointKey, pause);
  }

  private context(
    task: TaskRecord,
    fence: LeaseFence,
    run: ActiveRun,
    usage: UsageMeter,
    budget: CallBudget | undefined,
  ): RunContext {
    const settings = this.settings;
    const { controller } = run;
    return {
      isPaused: () => run.paused,
      task,
      fence,
      storage: settings.storage,
      model: budget ? budgetedModel(settings.model, budget) : settings.model,
      clock: settings.clock,
      retryPolicy: settings.retryPolicy,
      abortSignal: controller.signal,
      concurrency: settings.concurrency,
      maxEditRounds: settings.maxEditRounds,
      failureThreshold: settings.failureThreshold,
      abortRun: (reason) => {
        if (!controller.signal.aborted) {
          controller.abort(
            RoadmapError.isInstance(reason) && reason.code === 'lease_lost' ? new RunAbort('lease_lost') : reason,
          );
        }
      },
      publish: (type, payload) => settings.publish(task, type, payload, fence),
      eventOf: (type, payload) => settings.eventFor(type, () => payload)(task),
      emit: (stored) => settings.emit(stored),
      onRoadmapStored: (roadmap) => settings.onRoadmapStored?.(task, roadmap),
      onUsage: (reported, operation) => {
        usage.add(reported);
        usage.flushSoon();
        settings.onCallUsage?.(operation, reported);
      },
      generateId: settings.generateId,
      onError: settings.onError,
    };
  }

  /** Renews the lease every `heartbeatMs`; a rejected renewal aborts the run (cancelled or taken over). */
  private heartbeat(job: QueueJob, fence: LeaseFence, controller: AbortController, usage: UsageMeter): () => void {
    const { storage, queue, clock, leaseMs, heartbeatMs } = this.settings;
    let cancelTimer: (() => void) | undefined;
    let stopped = false;
    const beat = async () => {
      try {
        const [renewed] = await Promise.all([
          storage.renewLease(fence, clock.now() + leaseMs),
          queue.heartbeat(job, leaseMs),
        ]);
        if (renewed) await usage.flush();
        if (!renewed && !controller.signal.aborted) {
          const current = await storage.getTask(fence.taskId);
          const kind =
            current?.status === 'cancelled' ? 'cancelled' : current?.status === 'paused' ? 'paused' : 'lease_lost';
          controller.abort(new RunAbort(kind));
          return;
        }
      } catch (error) {
        this.settings.onError(error);
      }
      if (!stopped) cancelTimer = clock.setTimeout(beat, heartbeatMs);
    };
    cancelTimer = clock.setTimeout(beat, heartbeatMs);
    return () => {
      stopped = true;
      cancelTimer?.();
    };
  }

  /** Compare-and-set to the outcome's terminal status; only the winner of a race emits the terminal event. */
  private async finish(
    task: TaskRecord,
    fence: LeaseFence,
    outcome: Awaited<ReturnType<typeof runPipeline>>,
  ): Promise<void> {
    const at = isoTime(this.settings.clock.now());
    const { progress } = outcome;
    const failedItems = progress.failed;
    const { status } = outcome;
    const won = await this.settings.storage.transitionTask(task.task_id, {
      from: ['processing'],
      to: status,
      leaseToken: fence.leaseToken,
      patch: {
        current_step: outcome.status === 'failed' ? 'failed' : 'completed',
        progress,
        failed_concepts: outcome.failedConcepts,
        error_message: failedItems === 0 ? null : `${failedItems} of ${progress.total} content items failed`,
        completed_at: at,
        updated_at: at,
        lease_token: null,
        lease_expires_at: null,
      },
      // The terminal event is stored with the terminal status: one cannot exist without the other.
      event:
        status === 'failed'
          ? this.settings.eventFor('failed', (finished) => ({
              error: finished.error_message ?? 'Content generation failed',
              step: 'content_generation',
              progress,
            }))
          : this.settings.eventFor('completed', (finished) => ({
              roadmap_id: finished.roadmap_id,
              status,
              tutorials_count: outcome.completedTutorials,
              failed_count: failedItems,
              progress,
            })),
    });
    if (won) {
      // Its checkpoints served only a resume (SPEC §9): pruned before the terminal event is announced.
      await this.settings.storage.pruneCheckpoints([task.task_id]).catch(this.settings.onError);
      this.settings.emit(won.event);
      return;
    }
    // Paused (or cancelled) just before the end: a paused task's lease is given up, so its resume finds it free.
    await this.settings.storage.releaseLease(fence);
  }

  private async fail(task: TaskRecord, fence: LeaseFence, error: unknown): Promise<void> {
    const at = isoTime(this.settings.clock.now());
    const current = await this.settings.storage.getTask(task.task_id);
    const step = current?.current_step ?? task.current_step;
    const message = errorMessage(error);
    const won = await this.settings.storage.transitionTask(task.task_id, {
      from: ['processing'],
      to: 'failed',
      leaseToken: fence.leaseToken,
      patch: {
        current_step: 'failed',
        error_message: message,
        completed_at: at,
        updated_at: at,
        lease_token: null,
        lease_expires_at: null,
      },
      event: this.settings.eventFor('failed', (failed) => ({ error: message, step, progress: failed.progress })),
    });
    if (!won) return;
    // A framework step's failure keeps them: the storage prunes only tasks whose roadmap is stored.
    await this.settings.storage.pruneCheckpoints([task.task_id]).catch(this.settings.onError);
    this.settings.emit(won.event);
    // Items of the aborted calls show as not started; a storage fault here leaves them for the next retry's reset.
    await this.settings.storage
      .resetItems(won.task.roadmap_id, { statuses: ['generating'] })
      .catch((error: unknown) => this.settings.onError(error));
  }
}
