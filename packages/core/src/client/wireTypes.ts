// Wire types of the REST API (SPEC §3) and the WebSocket protocol (SPEC §4), as `@roadmap/core/client` sees them.
// Type-only imports: nothing here reaches the browser bundle.
import type { RoadmapEvent } from '../domain/events.js';
import type { ContentKind, Cover, GenerateRequestInput } from '../domain/schemas.js';
import type { CurrentStep, Progress, TaskStatus } from '../domain/task.js';

export type { RoadmapEvent, RoadmapEventType } from '../domain/events.js';
export type { ConceptDetail, ContentKind, Cover, CoverStatus, Roadmap } from '../domain/schemas.js';
export type { CurrentStep, Progress, Task, TaskStatus } from '../domain/task.js';

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
}

/** `200` of `GET /roadmaps/tasks`: the caller's tasks and counts per status. */
export interface TaskListResponse {
  tasks: TaskSummary[];
  total: number;
  pending_count: number;
  processing_count: number;
  completed_count: number;
  failed_count: number;
  cancelled_count: number;
}

/** `200` of `GET /roadmaps/{task_id}/status`. */
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
export interface CancelTaskResponse {
  success: true;
  task_id: string;
  message: string;
  previous_status: TaskStatus;
}

/** `202` of `POST /roadmaps/tasks/{task_id}/retry`. */
export interface RetryTaskResponse {
  task_id: string;
  status: 'pending';
  /** Content items that will be generated again (everything not yet completed). */
  items_to_retry: number;
  message: string;
}

/** One row of `GET /roadmaps`. */
export interface RoadmapSummary {
  roadmap_id: string;
  title: string;
  total_concepts: number;
  completed_concepts: number;
  task_id: string | null;
  task_status: TaskStatus | null;
  created_at: string;
}

/** `200` of `GET /roadmaps`. */
export interface RoadmapListResponse {
  roadmaps: RoadmapSummary[];
}

/** `202` of `POST /roadmaps/{roadmap_id}/concepts/{concept_id}/{content_type}/retry`. */
export interface RetryConceptContentResponse {
  success: boolean;
  concept_id: string;
  content_type: ContentKind;
  task_id: string;
  message: string;
}

/** A batch entry for an id that is unknown or not the caller's. */
export interface CoverNotFound {
  roadmap_id: string;
  status: 'not_found';
  cover_image_url: null;
}

/** One entry of `POST /cover-images/batch-get`, in request order. */
export type BatchCover = Cover | CoverNotFound;

/** `200` of `POST /cover-images/batch-generate`. */
export interface BatchGenerateCoversResponse {
  triggered: number;
  skipped: number;
  /** The triggered ids. */
  roadmap_ids: string[];
  not_found: string[];
  message: string;
}

/** Image types accepted by `PUT /roadmap/{roadmap_id}/cover-image`. */
export type CoverImageType = 'image/png' | 'image/jpeg' | 'image/webp';

/** Error body of every failed request. */
export interface ApiErrorBody {
  detail: string;
  code: string;
  errors?: ApiFieldError[];
}

export interface ApiFieldError {
  /** Dotted path of the field, e.g. `preferences.learning_goal`. */
  path: string;
  message: string;
}

// ---------------------------------------------------------------------------------------------------------------
// WebSocket (SPEC §4)
// ---------------------------------------------------------------------------------------------------------------

/** Fields of every control message; `seq` is the latest event delivered on this connection. */
interface ControlBase<Type extends string> {
  type: Type;
  /** `null` on the user-wide endpoint (except in `current_status`). */
  task_id: string | null;
  seq: number;
  timestamp: string;
}

export type ConnectedMessage = ControlBase<'connected'>;
export type PongMessage = ControlBase<'pong'>;
export interface ResyncMessage extends ControlBase<'resync'> {
  reason?: string;
}
export interface ClosingMessage extends ControlBase<'closing'> {
  /** e.g. `task_completed`, `task_failed`, `task_cancelled`, `task_partial_failure`, `server_shutdown`. */
  reason: string;
}
/** A task's current state: sent on connect (task endpoint), after `resync`, and on `get_status`. */
export interface CurrentStatusMessage extends ControlBase<'current_status'> {
  task_id: string;
  status: TaskStatus;
  current_step: CurrentStep;
  roadmap_id: string;
  progress: Progress;
}

export type ControlMessage = ConnectedMessage | PongMessage | ResyncMessage | ClosingMessage | CurrentStatusMessage;

/** Anything the server sends: a stored event or a control message. */
export type ServerMessage = RoadmapEvent | ControlMessage;
