import { z } from 'zod';
import type { GenerateRequest } from './schemas.js';

export const taskStatusSchema = z.enum([
  'pending',
  'processing',
  'completed',
  'failed',
  'partial_failure',
  'cancelled',
]);
export type TaskStatus = z.infer<typeof taskStatusSchema>;
export const taskStatuses: readonly TaskStatus[] = taskStatusSchema.options;

export const currentStepSchema = z.enum([
  'queued',
  'intent_analysis',
  'curriculum_design',
  'structure_validation',
  'roadmap_edit',
  'content_generation',
  'completed',
  'failed',
  'cancelled',
]);
export type CurrentStep = z.infer<typeof currentStepSchema>;

/** Statuses a task only leaves through an explicit retry. */
export const terminalStatuses: readonly TaskStatus[] = ['completed', 'failed', 'partial_failure', 'cancelled'];
/** Statuses from which `cancel` is accepted. */
export const cancellableStatuses: readonly TaskStatus[] = ['pending', 'processing'];
/** Statuses from which `retry` is accepted. */
export const retryableStatuses: readonly TaskStatus[] = ['failed', 'partial_failure', 'cancelled'];

/** Every legal status change (SPEC §2). Storage adapters enforce them with compare-and-set. */
export const allowedTransitions: Readonly<Record<TaskStatus, readonly TaskStatus[]>> = {
  pending: ['processing', 'cancelled'],
  // `→ pending`: given back after an infrastructure fault (SPEC §2), to be claimed again after a backoff.
  processing: ['completed', 'partial_failure', 'failed', 'cancelled', 'pending'],
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
  const { request: _request, idempotency_key: _key, lease_token: _token, lease_expires_at: _expires, ...task } = record;
  return task;
}
