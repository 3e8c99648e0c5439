import type { NewRoadmapEvent, RoadmapEvent, RoadmapEventPayloads, RoadmapEventType } from '../domain/events.js';
import type { Roadmap } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import type { LanguageModel, ModelOperation, ModelUsage } from '../model/languageModel.js';
import type { RetryPolicy } from '../model/retry.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import type { LeaseFence } from '../storage/taskStore.js';
import { RunSuspended } from './runSuspended.js';

/** Everything one run of a task needs: the adapters, the lease it holds, and its abort signal. */
export interface RunContext {
  /** The task as claimed; the pipeline keeps `title` and `roadmap_id` in step with what it writes. */
  task: TaskRecord;
  fence: LeaseFence;
  storage: Storage;
  model: LanguageModel;
  clock: Clock;
  retryPolicy: RetryPolicy;
  /** Aborted on cancel, lost lease or stop: every model call receives it. */
  abortSignal: AbortSignal;
  /**
   * True once the task was paused: no model call starts after that (calls in flight finish and are stored, unless
   * the pause aborted them).
   */
  isPaused(): boolean;
  /** Concepts generated at once. */
  concurrency: number;
  maxEditRounds: number;
  failureThreshold: number;
  /** Aborts the whole run (siblings included) after a fatal error such as a lost lease. */
  abortRun(reason: unknown): void;
  /** Appends a fenced event to the log and delivers it to listeners. */
  publish<Type extends RoadmapEventType>(type: Type, payload: RoadmapEventPayloads[Type]): Promise<void>;
  /** The event of `type` for this task, stamped now, for a write that stores it in its own transaction. */
  eventOf<Type extends RoadmapEventType>(type: Type, payload: RoadmapEventPayloads[Type]): NewRoadmapEvent;
  /** Delivers an event a write stored (its `seq` assigned) to listeners. */
  emit(stored: RoadmapEvent): void;
  onUsage?: (usage: ModelUsage, operation: ModelOperation) => void;
  /** Creates the random part of a new roadmap id when the task's is held by another task or user. */
  generateId(): string;
  /** Reports a problem the run survives (a checkpoint that no longer parses), like the engine's `onError`. */
  onError(error: unknown): void;
  /** Told once the roadmap's framework is stored (or found stored on resume), e.g. to start its cover; never throws. */
  onRoadmapStored?: (roadmap: Roadmap) => void;
}

/** Throws `lease_lost` when a fenced write was rejected: another worker holds the task, or it was cancelled. */
export function assertFenced(accepted: boolean | object | null, context: RunContext, what: string): void {
  if (accepted === false || accepted === null) {
    throw new RoadmapError('lease_lost', `Task ${context.fence.taskId} is no longer held by this worker (${what}).`);
  }
}

/** Throws {@link RunSuspended} (`paused`) when the task was paused: called before every model call starts. */
export function assertNotPaused(context: Pick<RunContext, 'isPaused'>): void {
  if (context.isPaused()) throw new RunSuspended('paused');
}

export function nowIso(context: { clock: Clock }): string {
  return isoTime(context.clock.now());
}
