import { type Clock, isoTime, sleep } from '../shared/clock.js';

/** Pause after a failed claim before the next one. */
const claimRetryDelayMs = 1000;

import type { RoadmapEventPayloads, RoadmapEventType } from '../domain/events.js';
import type { Roadmap } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import type { LanguageModel } from '../model/languageModel.js';
import type { RetryPolicy } from '../model/retry.js';
import type { Queue, QueueJob } from '../queue/queue.js';
import { errorMessage, RoadmapError } from '../shared/errors.js';
import type { LeaseFence, Storage } from '../storage/storage.js';
import { runPipeline } from './pipeline.js';
import { allowManyListeners, RunAbort, runAbortKind } from './runAbort.js';
import type { RunContext } from './runContext.js';
import { UsageMeter, usageFrom } from './usageMeter.js';

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
  /** Appends an event (fenced when `fence` is given) and delivers it to the engine's listeners. */
  publish<Type extends RoadmapEventType>(
    task: Pick<TaskRecord, 'task_id' | 'user_id'>,
    type: Type,
    payload: RoadmapEventPayloads[Type],
    fence?: LeaseFence,
  ): Promise<void>;
  /** Told once a run has the roadmap's framework stored (just now, or found on resume); must not throw. */
  onRoadmapStored?(task: TaskRecord, roadmap: Roadmap): void;
  /** Reports errors that have no caller to go to (heartbeat failures, listener errors). */
  onError(error: unknown): void;
}

interface ActiveRun {
  controller: AbortController;
  job: QueueJob;
  done: Promise<void>;
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

  /** Ids of the tasks this worker is running now. */
  activeTaskIds(): string[] {
    return [...this.runs.keys()];
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
      if (!job) continue;
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
    const run: ActiveRun = { controller, job, done: Promise.resolve() };
    this.runs.set(job.taskId, run);
    run.done = this.execute(job, controller)
      .catch((error) => this.settings.onError(error))
      .finally(() => {
        if (this.runs.get(job.taskId) === run) this.runs.delete(job.taskId);
      });
    return run.done;
  }

  private async execute(job: QueueJob, controller: AbortController): Promise<void> {
    const { storage, queue, clock, leaseMs } = this.settings;
    const now = clock.now();
    const acquired = await storage.acquireLease(job.taskId, {
      token: job.token,
      now,
      expiresAt: now + leaseMs,
      updatedAt: isoTime(now),
    });
    if (!acquired) {
      // Cancelled or finished meanwhile, or held by a live lease elsewhere (a duplicate delivery).
      await queue.release(job);
      return;
    }
    const task = acquired.task;
    const fence: LeaseFence = { taskId: task.task_id, leaseToken: job.token };
    if (task.attempts > this.settings.maxAttempts) {
      await this.fail(task, fence, new RoadmapError('too_many_attempts', `Gave up after ${task.attempts - 1} starts.`));
      await queue.release(job);
      return;
    }
    const usage = new UsageMeter(usageFrom(await storage.getCheckpoints(task.task_id)));
    const stopHeartbeat = this.heartbeat(job, fence, controller, usage);
    let outcome: 'release' | 'requeue' | 'keep' = 'release';
    try {
      if (controller.signal.aborted) throw controller.signal.reason;
      if (acquired.recovered) {
        await this.settings.publish(task, 'task_recovering', { current_step: task.current_step }, fence);
      }
      const context = this.context(task, fence, controller, usage);
      const result = await runPipeline(context);
      await usage.flush(storage, fence);
      await this.finish(task, fence, result);
    } catch (error) {
      const kind = runAbortKind(controller.signal);
      if (kind !== 'crashed') await usage.flush(storage, fence).catch(() => false);
      if (kind === 'stopping') {
        outcome = 'requeue';
        // A graceful stop gives the start back: only crashes count towards `maxAttempts`.
        await storage.updateTask(fence, { attempts: Math.max(0, task.attempts - 1) });
        await storage.releaseLease(fence);
      } else if (kind === 'crashed') {
        outcome = 'keep';
      } else if (kind === undefined && !(RoadmapError.isInstance(error) && error.code === 'lease_lost')) {
        await this.fail(task, fence, error);
      }
    } finally {
      stopHeartbeat();
    }
    if (outcome === 'requeue') await queue.release(job, { requeue: true });
    else if (outcome === 'release') await queue.release(job);
  }

  private context(task: TaskRecord, fence: LeaseFence, controller: AbortController, usage: UsageMeter): RunContext {
    const settings = this.settings;
    return {
      task,
      fence,
      storage: settings.storage,
      model: settings.model,
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
      onRoadmapStored: (roadmap) => settings.onRoadmapStored?.(task, roadmap),
      onUsage: (reported) => usage.add(reported),
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
        if (renewed) await usage.flush(storage, fence);
        if (!renewed && !controller.signal.aborted) {
          const current = await storage.getTask(fence.taskId);
          controller.abort(new RunAbort(current?.status === 'cancelled' ? 'cancelled' : 'lease_lost'));
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
    const won = await this.settings.storage.transitionTask(task.task_id, {
      from: ['processing'],
      to: outcome.status,
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
    });
    if (!won) return;
    if (outcome.status === 'failed') {
      await this.settings.publish(won, 'failed', {
        error: won.error_message ?? 'Content generation failed',
        step: 'content_generation',
        progress,
      });
    } else {
      await this.settings.publish(won, 'completed', {
        roadmap_id: won.roadmap_id,
        status: outcome.status,
        tutorials_count: outcome.completedTutorials,
        failed_count: failedItems,
        progress,
      });
    }
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
    });
    if (!won) return;
    await this.settings.storage.resetItems(won.roadmap_id, { statuses: ['generating'] });
    await this.settings.publish(won, 'failed', { error: message, step, progress: won.progress });
  }
}
