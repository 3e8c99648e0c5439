import type { NewRoadmapEvent, RoadmapEvent, RoadmapEventPayloads, RoadmapEventType } from '../domain/events.js';
import type { OwnerOptions } from '../domain/ownership.js';
import type { Curriculum, Roadmap } from '../domain/schemas.js';
import { pausableStatuses, type Task, type TaskRecord, type TaskStatus, toPublicTask } from '../domain/task.js';
import type { Queue } from '../queue/queue.js';
import { type Clock, isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import { checkpointKeys, readCheckpoints } from './checkpoints.js';
import { maxReviewRounds } from './humanReview.js';
import { roadmapFor } from './ownRoadmap.js';
import type { TaskWorker } from './worker.js';

/** What the control commands need from the engine. */
export interface TaskControlContext {
  storage: Storage;
  queue: Queue;
  clock: Clock;
  worker: TaskWorker;
  requireTask(taskId: string, options: OwnerOptions | undefined): Promise<TaskRecord>;
  eventFor<Type extends RoadmapEventType>(
    type: Type,
    payload: (task: TaskRecord) => RoadmapEventPayloads[Type],
  ): (task: TaskRecord) => NewRoadmapEvent;
  emit(stored: RoadmapEvent | null): void;
  /** Aborts the task's cover generation here and puts the cover back to `not_started` (as a cancel does). */
  stopCover(task: TaskRecord): Promise<void>;
  /** Runs a side effect after a stored state change, retried; its failure never undoes the change. */
  afterStateChange(what: string, work: () => Promise<unknown>): Promise<void>;
  onError(error: unknown): void;
}

/** Longest feedback accepted, of a review or of a regeneration (SPEC §7). */
export const maxFeedbackLength = 2000;

/** The answer to a pause: the task and the status it was paused from. */
export interface PauseResult {
  task: Task;
  previousStatus: TaskStatus;
}

/**
 * Pauses a `pending` or `processing` task (SPEC §7): compare-and-set to `paused` with its `paused` event, then no
 * model call of it starts any more — here at once, in other processes through the queue's broadcast. Calls in
 * flight finish and are stored (default), or are aborted with `abortInFlight` (the lease is cleared with the status,
 * so their results cannot be stored). The worker then gives the task up: a paused task holds no lease or worker
 * slot. Pausing a paused task answers as the first pause did, writing nothing.
 */
export async function pauseTask(
  control: TaskControlContext,
  taskId: string,
  options: OwnerOptions & { abortInFlight?: boolean } = {},
): Promise<PauseResult> {
  const abortInFlight = options.abortInFlight ?? false;
  let current = await control.requireTask(taskId, options);
  for (;;) {
    if (current.status === 'paused') return { task: toPublicTask(current), previousStatus: 'paused' };
    if (!pausableStatuses.includes(current.status)) {
      throw new RoadmapError('task_not_pausable', `A ${current.status} task cannot be paused.`);
    }
    const previousStatus = current.status;
    const clearLease = abortInFlight || previousStatus === 'pending';
    const transition = await control.storage.transitionTask(taskId, {
      from: [previousStatus],
      to: 'paused',
      patch: {
        pause_reason: 'user',
        updated_at: isoTime(control.clock.now()),
        ...(clearLease ? { lease_token: null, lease_expires_at: null } : {}),
      },
      event: control.eventFor('paused', () => ({
        reason: 'user',
        previous_status: previousStatus,
        abort_in_flight: abortInFlight,
      })),
    });
    if (transition) {
      control.worker.pauseTask(taskId, abortInFlight ? 'abort' : 'drain');
      control.emit(transition.event);
      // The cover's image call too, when the pause aborts what is in flight; the resumed run starts it again.
      if (abortInFlight) await control.stopCover(transition.task);
      // Other processes: the broadcast (the same one a cancel sends: a worker reads the task's status on it).
      await control.afterStateChange(`Broadcasting the pause of ${taskId}`, () =>
        control.queue.broadcastCancel(taskId),
      );
      return { task: toPublicTask(transition.task), previousStatus };
    }
    current = await control.requireTask(taskId, options);
  }
}

/**
 * Resumes a paused task (SPEC §7): compare-and-set `paused → pending` with its `resumed` event, then it is queued; a
 * worker continues from what is stored, repeating none of it. `budgetUsd` sets the task's budget in the same write
 * (raising it for a task paused on budget; a budget that still has no room pauses it again at its next call). A worker still storing its calls of before the pause
 * loses its lease here and writes nothing more; items it had in flight are generated again.
 */
export async function resumeTask(
  control: TaskControlContext,
  taskId: string,
  options: OwnerOptions & { budgetUsd?: number } = {},
): Promise<{ task: Task }> {
  if (options.budgetUsd !== undefined && !(options.budgetUsd > 0 && options.budgetUsd <= 1_000_000)) {
    throw new RoadmapError('invalid_input', 'budget_usd is a number of US dollars above 0 (at most 1,000,000).', {
      errors: [{ path: 'budget_usd', message: 'Expected a number above 0 and at most 1000000' }],
    });
  }
  const current = await control.requireTask(taskId, options);
  if (current.status !== 'paused') {
    throw new RoadmapError('task_not_paused', `A ${current.status} task cannot be resumed: only a paused one can.`);
  }
  const transition = await control.storage.transitionTask(taskId, {
    from: ['paused'],
    to: 'pending',
    patch: {
      pause_reason: null,
      current_step: 'queued',
      updated_at: isoTime(control.clock.now()),
      lease_token: null,
      lease_expires_at: null,
      attempts: 0,
      // Raised with the resume (SPEC §7: a task paused on budget resumes when its budget is raised).
      ...(options.budgetUsd === undefined ? {} : { budget_usd: options.budgetUsd }),
    },
    event: control.eventFor('resumed', () => ({ previous_status: 'paused' })),
  });
  if (!transition) {
    throw new RoadmapError('task_not_paused', 'The task was resumed or cancelled meanwhile; reload and try again.');
  }
  control.emit(transition.event);
  await control.afterStateChange(`Enqueueing task ${taskId}`, () => control.queue.enqueue(taskId));
  return { task: toPublicTask(transition.task) };
}

/**
 * Answers the human review of a task in `human_review_pending` (SPEC §7): approved, content generation starts;
 * not approved, the model edits the framework with `feedback` and the user reviews again (at most
 * {@link maxReviewRounds} rounds; changes asked in the last are applied without another). The answer is stored as
 * the `review_submitted` event in one transaction with `human_review_pending → processing`, and the task is queued.
 */
export async function submitReview(
  control: TaskControlContext,
  taskId: string,
  options: OwnerOptions & { approved: boolean; feedback?: string | null },
): Promise<{ task: Task }> {
  const feedback = options.feedback?.trim() ? options.feedback.trim() : null;
  if (feedback !== null && feedback.length > maxFeedbackLength) {
    throw new RoadmapError('invalid_input', `Feedback has at most ${maxFeedbackLength} characters.`);
  }
  if (!options.approved && feedback === null) {
    throw new RoadmapError('invalid_input', 'Say what to change: feedback is required to request changes.');
  }
  const current = await control.requireTask(taskId, options);
  if (current.status !== 'human_review_pending') {
    throw new RoadmapError('task_not_in_review', `A ${current.status} task is not waiting for a review.`);
  }
  const round = current.review_round;
  const transition = await control.storage.transitionTask(taskId, {
    from: ['human_review_pending'],
    to: 'processing',
    patch: {
      current_step: 'human_review',
      updated_at: isoTime(control.clock.now()),
      lease_token: null,
      lease_expires_at: null,
      // A new start, as after a retry or a resume: `maxAttempts` counts the starts of one unattended stretch.
      attempts: 0,
    },
    event: control.eventFor('review_submitted', () => ({ approved: options.approved, feedback, round })),
  });
  if (!transition) {
    throw new RoadmapError('task_not_in_review', 'The review was answered or the task cancelled meanwhile.');
  }
  control.emit(transition.event);
  await control.afterStateChange(`Enqueueing task ${taskId}`, () => control.queue.enqueue(taskId));
  return { task: toPublicTask(transition.task) };
}

/** What a task in review shows its user: the round, and the proposed framework as a roadmap. */
export interface ReviewProposal {
  task_id: string;
  round: number;
  max_rounds: number;
  proposal: Roadmap;
}

/** The proposal of a task waiting in `human_review_pending` (`task_not_in_review` otherwise). */
export async function reviewProposal(
  control: TaskControlContext,
  taskId: string,
  options: OwnerOptions = {},
): Promise<ReviewProposal> {
  const task = await control.requireTask(taskId, options);
  if (task.status !== 'human_review_pending') {
    throw new RoadmapError('task_not_in_review', `A ${task.status} task is not waiting for a review.`);
  }
  const saved = await readCheckpoints({ storage: control.storage, task, onError: control.onError });
  const curriculum = saved[checkpointKeys.reviewProposal(task.review_round)];
  if (!curriculum) {
    throw new RoadmapError('storage_error', `The proposal of review round ${task.review_round} is missing.`);
  }
  return {
    task_id: task.task_id,
    round: task.review_round,
    max_rounds: maxReviewRounds,
    proposal: roadmapFor(task, curriculum as Curriculum),
  };
}

/**
 * A broadcast about `taskId` reached this process (a cancel or a pause in another one): reads the task and stops
 * what runs here — a cancelled task's run and cover call are aborted; a paused task's run starts no more calls
 * (and aborts those in flight when the pause cleared the lease).
 */
export async function onTaskBroadcast(
  control: TaskControlContext & { abortCover(taskId: string): void },
  taskId: string,
): Promise<void> {
  const task = await control.storage.getTask(taskId);
  if (task?.status === 'paused') {
    const abort = task.lease_token === null;
    control.worker.pauseTask(taskId, abort ? 'abort' : 'drain');
    if (abort) control.abortCover(taskId);
    return;
  }
  if (task === null || task.status === 'cancelled') {
    control.worker.abortTask(taskId, 'cancelled');
    control.abortCover(taskId);
  }
}
