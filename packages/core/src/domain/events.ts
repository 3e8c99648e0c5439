import type { ContentKind, CoverStatus } from './schemas.js';
import type { CurrentStep, PauseReason, Progress, TaskStatus } from './task.js';
import type { UsageReport } from './usage.js';

export type { UsageReport } from './usage.js';

/**
 * What a cancel stopped and kept (SPEC §7 cancel receipt), in its answer and its `cancelled` event: the model calls
 * it aborted (content items in flight, plus the design step's call when it was designing), the content items kept,
 * and what the task used until then.
 */
export interface CancelReceipt {
  aborted_calls: number;
  kept_items: number;
  usage: UsageReport;
}

/** Payload of each event type (SPEC §4), keyed by `type`. */
export interface RoadmapEventPayloads {
  /** A step started or the task's status changed (also sent when a task is queued or retried). */
  progress: { step: CurrentStep; status: TaskStatus; message: string; progress: Progress };
  concept_start: { concept_id: string; concept_name: string; content_type: ContentKind };
  concept_complete: { concept_id: string; concept_name: string; content_type: ContentKind; progress: Progress };
  concept_failed: {
    concept_id: string;
    concept_name: string;
    content_type: ContentKind;
    error?: string;
    progress: Progress;
  };
  /** Terminal: sent for `completed` and for `partial_failure` (then `failed_count > 0`). */
  completed: {
    roadmap_id: string;
    status: 'completed' | 'partial_failure';
    tutorials_count: number;
    failed_count: number;
    progress: Progress;
  };
  /** Terminal. */
  failed: { error: string; step: CurrentStep; progress: Progress };
  /** Terminal. */
  cancelled: { reason: string | null; previous_status: TaskStatus; progress: Progress } & CancelReceipt;
  /** A worker picked up a task whose previous holder's lease ran out. */
  task_recovering: { current_step: CurrentStep };
  cover_updated: { roadmap_id: string; status: CoverStatus; cover_image_url: string | null };
  /** The task waits in `human_review_pending` for its user to approve the proposed framework of review `round`. */
  review_requested: { roadmap_id: string; round: number };
  /** The user answered review `round`: approved (content generation starts) or not, with feedback to apply. */
  review_submitted: { approved: boolean; feedback: string | null; round: number };
  /** The task was paused: by its user (`user`) or because a budget has nothing left (`budget`). */
  paused: { reason: PauseReason; previous_status: TaskStatus; abort_in_flight: boolean };
  /** A paused task was resumed: queued again, repeating nothing stored. */
  resumed: { previous_status: TaskStatus };
  /** One content item has a new version (regenerated with feedback), or an earlier version was restored. */
  item_regenerated: { concept_id: string; content_type: ContentKind; version: number };
  /** The task's usage so far (at most about once a second while it runs, and when a run ends). */
  usage_updated: { usage: UsageReport };
  /**
   * Text of a tutorial while it streams in (SPEC §7 streaming): `text` goes at `offset` of the tutorial's Markdown
   * `content` (offsets in UTF-16 code units, i.e. JavaScript string length). Deltas of one item come in order, at
   * most about 10 a second; a delta at offset 0 after text was sent starts the text again (the call was retried):
   * replace what was shown. A delta beyond what a client holds means it missed some: read the concept again
   * (`partial_tutorial`). The full tutorial follows with `concept_complete`. `roadmap_id` (beyond SPEC §7's fields)
   * tells which roadmap's concept it is: concept ids repeat across roadmaps.
   */
  content_delta: { roadmap_id: string; concept_id: string; content_type: ContentKind; offset: number; text: string };
  /**
   * The task was deleted with its roadmap, content, checkpoints, events and cover (SPEC §9): the only trace it
   * leaves, on the user-wide stream (the task's own stream has nothing to replay any more). Remove the task and its
   * roadmap from what is shown.
   */
  deleted: { roadmap_id: string };
}

export type RoadmapEventType = keyof RoadmapEventPayloads;

/** Fields every stored event has. `seq` is strictly increasing across the whole log. */
export interface RoadmapEventBase<Type extends RoadmapEventType = RoadmapEventType> {
  type: Type;
  seq: number;
  task_id: string;
  user_id: string;
  /** ISO-8601 UTC. */
  timestamp: string;
}

/** An event as stored in the durable log and delivered to listeners: a discriminated union on `type`. */
export type RoadmapEvent = {
  [Type in RoadmapEventType]: RoadmapEventBase<Type> & RoadmapEventPayloads[Type];
}[RoadmapEventType];

/** An event before storage assigned its `seq`. */
export type NewRoadmapEvent = {
  [Type in RoadmapEventType]: Omit<RoadmapEventBase<Type>, 'seq'> & RoadmapEventPayloads[Type];
}[RoadmapEventType];

/** Events after which a task's status no longer changes (until a retry). */
export const terminalEventTypes: readonly RoadmapEventType[] = ['completed', 'failed', 'cancelled'];

export function isTerminalEvent(event: { type: RoadmapEventType }): boolean {
  return terminalEventTypes.includes(event.type);
}
