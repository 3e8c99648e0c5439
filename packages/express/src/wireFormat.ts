import type { Task, TaskStatus } from '@roadmap/core';

/** A row of `GET /roadmaps/tasks` (SPEC §3). */
export interface TaskSummary {
  task_id: string;
  roadmap_id: string;
  title: string;
  status: TaskStatus;
  current_step: Task['current_step'];
  progress: Task['progress'];
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  error_message: string | null;
}

/** `GET /roadmaps/tasks` (SPEC §3). */
export interface TaskListResponse {
  tasks: TaskSummary[];
  /** Tasks matching the status filter, ignoring limit and offset. */
  total: number;
  pending_count: number;
  processing_count: number;
  completed_count: number;
  /** `failed` plus `partial_failure` tasks: every task that ended with failures (the original's "Failed" filter). */
  failed_count: number;
  cancelled_count: number;
}

/** `GET /roadmaps/{task_id}/status` (SPEC §3, the original's path). */
export interface TaskStatusResponse {
  task_id: string;
  status: TaskStatus;
  current_step: Task['current_step'];
  roadmap_id: string;
  created_at: string;
  updated_at: string;
  error_message: string | null;
}

export function toTaskSummary(task: Task): TaskSummary {
  return {
    task_id: task.task_id,
    roadmap_id: task.roadmap_id,
    title: task.title,
    status: task.status,
    current_step: task.current_step,
    progress: task.progress,
    created_at: task.created_at,
    updated_at: task.updated_at,
    completed_at: task.completed_at,
    error_message: task.error_message,
  };
}

export function toTaskListResponse(result: {
  tasks: Task[];
  total: number;
  counts: Record<TaskStatus, number>;
}): TaskListResponse {
  const { counts } = result;
  return {
    tasks: result.tasks.map(toTaskSummary),
    total: result.total,
    pending_count: counts.pending ?? 0,
    processing_count: counts.processing ?? 0,
    completed_count: counts.completed ?? 0,
    failed_count: (counts.failed ?? 0) + (counts.partial_failure ?? 0),
    cancelled_count: counts.cancelled ?? 0,
  };
}

export function toTaskStatusResponse(task: Task): TaskStatusResponse {
  return {
    task_id: task.task_id,
    status: task.status,
    current_step: task.current_step,
    roadmap_id: task.roadmap_id,
    created_at: task.created_at,
    updated_at: task.updated_at,
    error_message: task.error_message,
  };
}
