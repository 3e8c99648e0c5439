// The wire format, declared once: the bodies of the REST API (SPEC §3) and the messages of the WebSocket protocol
// (SPEC §4). The engine returns these shapes, `@roadmap/express` sends them (its builders are typed with them and a
// type test ties each route to its body) and `@roadmap/core/client` reads them. Types only: nothing here reaches a
// bundle.
import type { CancelReceipt, RoadmapEvent } from './events.js';
import type { ContentKind, Cover, GenerateRequestInput, Quiz, Resources, Roadmap, Tutorial } from './schemas.js';
import type { CurrentStep, Progress, TaskStatus } from './task.js';
import type { UsageReport } from './usage.js';

export type { CancelReceipt, RoadmapEvent, RoadmapEventType, UsageReport } from './events.js';
export type { ConceptDetail, ContentKind, Cover, CoverStatus, PartialTutorial, Roadmap } from './schemas.js';
export type { CurrentStep, Progress, Task, TaskStatus } from './task.js';

// ---------------------------------------------------------------------------------------------------------------
// REST (SPEC §3)
// ---------------------------------------------------------------------------------------------------------------

/** Body of `POST /roadmaps/generate`: defaults (hours, level) are applied by the server. */
export type GenerateRoadmapBody = GenerateRequestInput;

/** `202` of `POST /roadmaps/generate`. */
export interface GenerateRoadmapResponse {
  task_id: string;
  roadmap_id: string;
  status: TaskStatus;
  message: string;
}

/** One row of `GET /roadmaps/tasks`. */
export interface TaskSummary {
  task_id: string;
  roadmap_id: string;
  title: string;
  status: TaskStatus;
  current_step: CurrentStep;
  progress: Progress;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  error_message: string | null;
  /** Calls, tokens and cost so far (SPEC §7). */
  usage: UsageReport;
}

/** `200` of `GET /roadmaps/tasks`: the caller's tasks and counts per status. */
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

/** `200` of `GET /roadmaps/{task_id}/status` (the original's path). */
export interface TaskStatusResponse {
  task_id: string;
  status: TaskStatus;
  current_step: CurrentStep;
  roadmap_id: string;
  created_at: string;
  updated_at: string;
  error_message: string | null;
}

/** `200` of `POST /roadmaps/tasks/{task_id}/cancel`. */
export interface CancelTaskResponse extends CancelReceipt {
  success: true;
  task_id: string;
  message: string;
  previous_status: TaskStatus;
}

/** Body of `POST /roadmaps/tasks/{task_id}/pause` (SPEC §7). */
export interface PauseTaskBody {
  /** Abort the calls in flight instead of letting them finish and be stored. Default: false. */
  abort_in_flight?: boolean;
}

/** `200` of `POST /roadmaps/tasks/{task_id}/pause`. */
export interface PauseTaskResponse {
  task_id: string;
  status: 'paused';
  previous_status: TaskStatus;
}

/** Body of `POST /roadmaps/tasks/{task_id}/resume` (optional). */
export interface ResumeTaskBody {
  /**
   * The task's new budget in US dollars, set with the resume: how a task paused on its budget
   * (`pause_reason: "budget"`) is given more. Omit to keep it.
   */
  budget_usd?: number;
}

/** `202` of `POST /roadmaps/tasks/{task_id}/resume`. */
export interface ResumeTaskResponse {
  task_id: string;
  status: 'pending';
}

/** Body of `POST /roadmaps/tasks/{task_id}/review` (SPEC §7). */
export interface ReviewTaskBody {
  approved: boolean;
  /** What to change (1–2,000 characters): required when not approved. */
  feedback?: string;
}

/** `202` of `POST /roadmaps/tasks/{task_id}/review`. */
export interface ReviewTaskResponse {
  task_id: string;
  status: TaskStatus;
}

/**
 * `200` of `GET /roadmaps/tasks/{task_id}/review` (an addition to SPEC §7): what a task in `human_review_pending`
 * proposes — its review round and the framework as the roadmap it would become (ids assigned, nothing generated).
 */
export interface ReviewProposalResponse {
  task_id: string;
  round: number;
  max_rounds: number;
  proposal: Roadmap;
}

/** `202` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/regenerate` (SPEC §7). */
export interface RegenerateItemResponse {
  success: true;
  concept_id: string;
  content_type: ContentKind;
  task_id: string;
  /** The version being generated. */
  version: number;
  message: string;
}

/** One version of a content item in `GET …/{kind}/versions` (SPEC §7). */
export interface ItemVersionEntry {
  version: number;
  created_at: string;
  /** What the version was asked to change; `null` for version 1. */
  feedback: string | null;
  /** `null` while the version is being generated. */
  content: Tutorial | Resources | Quiz | null;
  /** Whether the item shows this version now (an addition to SPEC §7). */
  current: boolean;
}

/** `200` of `GET /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/versions`. */
export interface ItemVersionsResponse {
  versions: ItemVersionEntry[];
}

/**
 * `200` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{kind}/versions/{version}/restore` (an addition to
 * SPEC §7: versions can be restored).
 */
export interface RestoreItemResponse {
  concept_id: string;
  content_type: ContentKind;
  version: number;
}

/** `200` of `POST /roadmaps/tasks/cancel` (batch cancel, SPEC §7): each selected id under its outcome. */
export interface BatchCancelResponse {
  /** Cancelled by this call. */
  cancelled: string[];
  /** The caller's tasks that were already finished or cancelled. */
  not_cancellable: string[];
  /** Unknown ids and other users' tasks. */
  not_found: string[];
}

/** `202` of `POST /roadmaps/tasks/{task_id}/retry`. */
export interface RetryTaskResponse {
  task_id: string;
  status: 'pending';
  /** Content items that will be generated again (everything not yet completed). */
  items_to_retry: number;
  message: string;
}

/** One row of `GET /roadmaps`: a roadmap with its concept counts and the task that generated it. */
export interface RoadmapSummary {
  roadmap_id: string;
  title: string;
  total_concepts: number;
  /** Concepts whose tutorial, resources and quiz are all completed. */
  completed_concepts: number;
  task_id: string | null;
  task_status: TaskStatus | null;
  created_at: string;
}

/** `200` of `GET /roadmaps?limit=&cursor=`: one page, newest first. */
export interface RoadmapListResponse {
  roadmaps: RoadmapSummary[];
  /** Pass as `cursor` for the next page; `null` on the last page. Opaque to clients. */
  next_cursor: string | null;
}

/** `202` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry`. */
export interface RetryConceptContentResponse {
  success: boolean;
  concept_id: string;
  content_type: ContentKind;
  task_id: string;
  message: string;
}

/** A batch entry for a roadmap id that is unknown or not the caller's. */
export interface CoverNotFound {
  roadmap_id: string;
  status: 'not_found';
  cover_image_url: null;
}

/** One entry of `POST /cover-images/batch-get`, in request order. */
export type BatchCover = Cover | CoverNotFound;

/** `200` of `POST /cover-images/batch-generate`. */
export interface BatchGenerateCoversResponse {
  /** How many covers were moved to `pending`. */
  triggered: number;
  /** Covers left alone: already `success`, or `pending`/`generating`. */
  skipped: number;
  /** The triggered roadmap ids, in request order. */
  roadmap_ids: string[];
  /** Ids that are unknown or belong to another user. */
  not_found: string[];
  message: string;
}

/** Image types accepted by `PUT /roadmap/{roadmap_id}/cover-image`. */
export type CoverImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** Error body of every failed request. */
export interface ApiErrorBody {
  /** A message for people. */
  detail: string;
  /** A machine code (`invalid_input`, `not_found`, `unauthorized`, …). */
  code: string;
  /** Field-level problems, on validation errors only. */
  errors?: ApiFieldError[];
}

/** A field-level problem of invalid input. */
export interface ApiFieldError {
  /** Dotted path of the field, e.g. `preferences.learning_goal`. */
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// WebSocket (SPEC §4)
// ---------------------------------------------------------------------------------------------------------------

/** Fields of every control message; `seq` is the latest event delivered on this connection. */
export interface ControlMessageBase<Type extends string> {
  type: Type;
  /** `null` on the user-wide endpoint (except in `current_status`). */
  task_id: string | null;
  seq: number;
  timestamp: string;
}

/** Why a connection is being closed, sent in `closing { reason }`. */
export type ClosingReason =
  | 'task_completed'
  | 'task_partial_failure'
  | 'task_failed'
  | 'task_cancelled'
  /** The task was deleted (SPEC §9): its `deleted` event came just before. */
  | 'task_deleted'
  | 'server_shutdown'
  /** The credential the connection was opened with expired: reconnect with a fresh one. */
  | 'token_expired';

/** Why a `resync` was sent: the `since` is older than the retained log, or ahead of it. */
export type ResyncReason = 'since_before_retained_log' | 'since_ahead_of_log';

export type ConnectedMessage = ControlMessageBase<'connected'>;
export type PongMessage = ControlMessageBase<'pong'>;
export interface ResyncMessage extends ControlMessageBase<'resync'> {
  reason?: ResyncReason;
}
export interface ClosingMessage extends ControlMessageBase<'closing'> {
  reason: ClosingReason;
}
/** A task's current state: sent on connect (task endpoint), after `resync`, and on `get_status`. */
export interface CurrentStatusMessage extends ControlMessageBase<'current_status'> {
  task_id: string;
  status: TaskStatus;
  current_step: CurrentStep;
  roadmap_id: string;
  progress: Progress;
}

export type ControlMessage = ConnectedMessage | PongMessage | ResyncMessage | ClosingMessage | CurrentStatusMessage;

/** Anything the server sends: a stored event or a control message. */
export type ServerMessage = RoadmapEvent | ControlMessage;

/** What a client may send: a keep-alive `ping` (answered with `pong`) or `get_status` (a fresh `current_status`). */
export type ClientMessage = { type: 'ping' } | { type: 'get_status' };

/**
 * `200` of `GET /usage` (SPEC §7): what the caller's tasks created in the current budget period (a UTC day or month)
 * used, and the budget of that period.
 */
export interface UsageResponse {
  /** Start of the period (inclusive), ISO-8601 UTC. */
  period_start: string;
  /** End of the period (exclusive), ISO-8601 UTC. */
  period_end: string;
  /** Dollars spent in the period (calls of a model without a price count as 0 here). */
  spent_usd: number;
  /** Dollars held for calls under way (budgets); 0 when no budget applies. */
  reserved_usd: number;
  /** The user's budget for the period; `null`: no limit. */
  budget_usd: number | null;
  input_tokens: number;
  output_tokens: number;
  calls: number;
}

/**
 * `200` of `POST /roadmaps/estimate` (SPEC §7): what generating a roadmap with this body is expected to use,
 * predicted without any model call.
 */
export interface EstimateResponse {
  estimated_calls: number;
  estimated_input_tokens: number;
  estimated_output_tokens: number;
  /** `null` when the server's model has no price. */
  estimated_cost_usd: number | null;
}
