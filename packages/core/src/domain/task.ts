import { z } from 'zod';
import type { GenerateRequest } from './schemas.js';
import type { UsageReport } from './usage.js';

export const taskStatusSchema = z.enum([
  'pending',
  'processing',
  'completed',
  'failed',
  'partial_failure',
  'cancelled',
  'human_review_pending',
  'paused',
]);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const taskStatuses: readonly TaskStatus[] = taskStatusSchema.options;

export const currentStepSchema = z.enum([
  'queued',
  'intent_analysis',
  'curriculum_design',
  'structure_validation',
  'roadmap_edit',
  'human_review',
  'content_generation',
  'completed',
  'failed',
  'cancelled',
]);
export type CurrentStep = z.infer<typeof currentStepSchema>;

/** Statuses a task only leaves through an explicit retry. */
export const terminalStatuses: readonly TaskStatus[] = ['completed', 'failed', 'partial_failure', 'cancelled'];
/** Statuses from which `cancel` is accepted: every status that is not terminal. */
export const cancellableStatuses: readonly TaskStatus[] = ['pending', 'processing', 'human_review_pending', 'paused'];
/**
 * Statuses in which a lease holder's fenced writes are accepted (with its token): `processing`, and `paused`, whose
 * worker still stores the calls that were in flight when the pause came (SPEC §7) before it gives the task up.
 */
export const fencedStatuses: readonly TaskStatus[] = ['processing', 'paused'];
/** Statuses from which `pause` is accepted. */
export const pausableStatuses: readonly TaskStatus[] = ['pending', 'processing'];
/** Why a task is paused: by its user, or (SPEC §7) because a budget has nothing left. */
export type PauseReason = 'user' | 'budget';
/** Statuses from which `retry` is accepted. */
export const retryableStatuses: readonly TaskStatus[] = ['failed', 'partial_failure', 'cancelled'];

/** Every legal status change (SPEC §2). Storage adapters enforce them with compare-and-set. */
export const allowedTransitions: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['processing', 'cancelled', 'paused'],
  // `→ pending`: given back after an infrastructure fault (SPEC §2), to be claimed again after a backoff.
  processing: ['completed', 'partial_failure', 'failed', 'cancelled', 'pending', 'human_review_pending', 'paused'],
  // Reviewed (approved or with feedback): a worker takes it up again (SPEC §7).
  human_review_pending: ['processing', 'cancelled'],
  // Resumed: queued again, repeating nothing stored.
  paused: ['pending', 'cancelled'],
  completed: [],
  failed: ['pending'],
  partial_failure: ['pending'],
  cancelled: ['pending'],
};

export function isTerminalStatus(status: TaskStatus): boolean {
  return terminalStatuses.includes(status);
}

export function isAllowedTransition(from: TaskStatus, to: TaskStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** Content items (concept × kind) done, failed, and planned. */
export interface Progress {
  completed: number;
  failed: number;
  total: number;
  /** `round(100 × (completed + failed) / total)`, 0 while nothing is planned. */
  percentage: number;
}

export function computeProgress(completed: number, failed: number, total: number): Progress {
  const percentage = total === 0 ? 0 : Math.round((100 * (completed + failed)) / total);
  return { completed, failed, total, percentage };
}

export const emptyProgress: Progress = { completed: 0, failed: 0, total: 0, percentage: 0 };

/** A generation task as users see it (SPEC §2). */
export interface Task {
  task_id: string;
  user_id: string;
  roadmap_id: string;
  /** The roadmap's title once the curriculum is designed; the goal before that. */
  title: string;
  status: TaskStatus;
  current_step: CurrentStep;
  progress: Progress;
  error_message: string | null;
  failed_concepts: { count: number; concept_ids: string[] };
  cancel_reason: string | null;
  /** Why the task is paused (`user`, or `budget`); `null` unless it is `paused`. */
  pause_reason: PauseReason | null;
  /** The human review round the task is in or last went through (1–5); 0 until its first review. */
  review_round: number;
  /** Calls, tokens and cost of the task's model calls so far, over every run (SPEC §7). */
  usage: UsageReport;
  /** The most the task may spend, in US dollars; `null`: no limit of its own. */
  budget_usd: number | null;
  /** How many times a worker has started (or resumed after a crash) this task since it was created or retried. */
  attempts: number;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
}

/** What storage keeps for a task: the public fields plus the request, idempotency key and lease. */
export interface TaskRecord extends Task {
  request: GenerateRequest;
  idempotency_key: string | null;
  /** Token of the worker holding the task, `null` when nobody does. Every worker write is fenced by it. */
  lease_token: string | null;
  /** When the holder's lease runs out (ms since epoch), `null` when nobody holds the task. */
  lease_expires_at: number | null;
}

/** Strips storage-only fields. */
export function toPublicTask(record: TaskRecord): Task {
  // Field by field rather than an object rest (`{ request, ...task }`): V8 copies a rest through its slow generic
  // path, which made this the costliest step of a task listing (P6). The `Task` annotation keeps the list complete.
  const task: Task = {
    task_id: record.task_id,
    user_id: record.user_id,
    roadmap_id: record.roadmap_id,
    title: record.title,
    status: record.status,
    current_step: record.current_step,
    progress: record.progress,
    error_message: record.error_message,
    failed_concepts: record.failed_concepts,
    cancel_reason: record.cancel_reason,
    pause_reason: record.pause_reason,
    review_round: record.review_round,
    usage: record.usage,
    budget_usd: record.budget_usd,
    attempts: record.attempts,
    created_at: record.created_at,
    updated_at: record.updated_at,
    completed_at: record.completed_at,
  };
  return task;
}
