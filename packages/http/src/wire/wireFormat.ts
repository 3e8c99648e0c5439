// What the router and the WebSocket send, built from the engine's records. The shapes themselves are declared once,
// in `@roadmap/core` (the wire format the browser client reads too); each builder here returns one of them, and
// wireFormat.test-d.ts ties every route's body to its wire type.
import type {
  BatchCancelResponse,
  BatchCancelResult,
  CancelReceipt,
  CancelTaskResponse,
  ConnectedMessage,
  ContentKind,
  CurrentStatusMessage,
  GenerateRoadmapResponse,
  PauseTaskResponse,
  RegenerateItemResponse,
  ResumeTaskResponse,
  RetryConceptContentResponse,
  RetryTaskResponse,
  ReviewTaskResponse,
  RoadmapListResponse,
  RoadmapSummary,
  Task,
  TaskListResponse,
  TaskStatus,
  TaskStatusResponse,
  TaskSummary,
} from '@roadmap/core';

/** `202` of `POST /roadmaps/generate`; `created` is false when the `Idempotency-Key` found an earlier task. */
export function toGenerateRoadmapResponse(task: Task, created: boolean): GenerateRoadmapResponse {
  return {
    task_id: task.task_id,
    roadmap_id: task.roadmap_id,
    status: task.status,
    message: created ? 'Roadmap generation started.' : 'A task with this Idempotency-Key already exists.',
  };
}

/** A row of `GET /roadmaps/tasks`. */
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
    usage: task.usage,
  };
}

/** `200` of `GET /roadmaps/tasks`: `failed_count` counts `failed` and `partial_failure` tasks together. */
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

/** `200` of `GET /roadmaps/{task_id}/status`. */
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

/** `200` of `POST /roadmaps/tasks/{task_id}/cancel`. */
export function toCancelTaskResponse(
  task: Task,
  previousStatus: TaskStatus,
  receipt: CancelReceipt,
): CancelTaskResponse {
  return {
    success: true,
    task_id: task.task_id,
    message: 'Task cancelled.',
    previous_status: previousStatus,
    ...receipt,
  };
}

/** `200` of `POST /roadmaps/tasks/{task_id}/pause`. */
export function toPauseTaskResponse(task: Task, previousStatus: TaskStatus): PauseTaskResponse {
  return { task_id: task.task_id, status: 'paused', previous_status: previousStatus };
}

/** `202` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/regenerate`. */
export function toRegenerateItemResponse(
  conceptId: string,
  kind: ContentKind,
  taskId: string,
  version: number,
): RegenerateItemResponse {
  return {
    success: true,
    concept_id: conceptId,
    content_type: kind,
    task_id: taskId,
    version,
    message: `Generating version ${version} of the ${kind}.`,
  };
}

/** `202` of `POST /roadmaps/tasks/{task_id}/resume`. */
export function toResumeTaskResponse(task: Task): ResumeTaskResponse {
  return { task_id: task.task_id, status: 'pending' };
}

/** `202` of `POST /roadmaps/tasks/{task_id}/review`. */
export function toReviewTaskResponse(task: Task): ReviewTaskResponse {
  return { task_id: task.task_id, status: task.status };
}

/** `200` of `POST /roadmaps/tasks/cancel`. */
export function toBatchCancelResponse(result: BatchCancelResult): BatchCancelResponse {
  return { cancelled: result.cancelled, not_cancellable: result.notCancellable, not_found: result.notFound };
}

/** `202` of `POST /roadmaps/tasks/{task_id}/retry`. */
export function toRetryTaskResponse(task: Task, itemsToRetry: number): RetryTaskResponse {
  return {
    task_id: task.task_id,
    status: 'pending',
    items_to_retry: itemsToRetry,
    message: `Task queued again: ${itemsToRetry} content items to generate.`,
  };
}

/** `200` of `GET /roadmaps?limit=&cursor=`: one page and the cursor of the next (`null` on the last page). */
export function toRoadmapListResponse(roadmaps: RoadmapSummary[], nextCursor: string | null): RoadmapListResponse {
  return { roadmaps, next_cursor: nextCursor };
}

/** `202` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry`. */
export function toRetryConceptContentResponse(
  conceptId: string,
  kind: ContentKind,
  task: Task,
): RetryConceptContentResponse {
  return {
    success: true,
    concept_id: conceptId,
    content_type: kind,
    task_id: task.task_id,
    message: `The ${kind} of ${conceptId} is generated again.`,
  };
}

/** The fields every control message of a connection carries (SPEC §4). */
export type ControlFields = Omit<ConnectedMessage, 'type'>;

/** `current_status` of `task`: its own `task_id`, also on the user-wide endpoint. */
export function toCurrentStatusMessage(task: Task, fields: ControlFields): CurrentStatusMessage {
  return {
    type: 'current_status',
    ...fields,
    task_id: task.task_id,
    status: task.status,
    current_step: task.current_step,
    roadmap_id: task.roadmap_id,
    progress: task.progress,
  };
}
