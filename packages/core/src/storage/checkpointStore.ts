import type { NewRoadmapEvent, RoadmapEvent } from '../domain/events.js';
import type { ContentItem, ContentKind, ItemStatus, Quiz, Resources, Roadmap, Tutorial } from '../domain/schemas.js';
import type { RoadmapSummary } from '../domain/wire.js';
import type { LeaseFence, TaskPatch } from './taskStore.js';

/** The content of one generated item. */
export type ContentValue = Tutorial | Resources | Quiz;

/** Names one content item (concept × kind) of a roadmap. */
export interface ItemKey {
  roadmapId: string;
  conceptId: string;
  kind: ContentKind;
}

/**
 * One version of a content item's content (SPEC §7, regenerate with feedback). Version 1 is what was generated
 * first; each regeneration adds the next, asked with its `feedback`. `content` is `null` while the version is asked
 * for and not generated yet.
 */
export interface ItemVersion {
  roadmap_id: string;
  concept_id: string;
  kind: ContentKind;
  version: number;
  created_at: string;
  /** What the user asked to change; `null` for version 1. */
  feedback: string | null;
  content: ContentValue | null;
}

/**
 * What an item write did: `false` when nothing was written (a failed fence, an unknown item); the stored event
 * (with its `seq`) when the write carried one; `true` otherwise.
 */
export type ItemWritten = boolean | RoadmapEvent;

/**
 * What a running task keeps so a resumed run repeats no work: step checkpoints, the roadmap's framework, and its
 * content items (one per concept × kind, planned by `planItems` from `@roadmap/core/internal`).
 *
 * Atomicity (checked by `runCheckpointStoreConformance` from `@roadmap/core/testing`):
 * - every write but `resetItems` is fenced ({@link LeaseFence}): the lease check and the write are one atomic step;
 * - `saveRoadmap` stores the framework and plans the missing items in one transaction; items already planned keep
 *   their status, content and place;
 * - `setItemStatus` and `saveItem` write the item, apply `taskPatch` to the task and append `event` to the event
 *   log in one transaction: all or nothing (an unknown item, or a failed fence, changes nothing);
 * - `getRoadmap` and `listRoadmaps` read the framework and the items from one snapshot. Concept `*_status` fields
 *   are never stored: they are derived from the items (`withConceptStatuses` from `@roadmap/core/internal`).
 *
 * Left out on purpose: deleting roadmaps, items or checkpoints here — a roadmap lives as long as its task, and goes
 * with it (`DataLifecycleStore`).
 */
export interface CheckpointStore {
  /** Stores a step's result under `key` (fenced), replacing an earlier value of the same key. */
  saveCheckpoint(fence: LeaseFence, key: string, value: unknown): Promise<boolean>;
  getCheckpoints(taskId: string): Promise<Record<string, unknown>>;

  /**
   * Stores the roadmap's framework (fenced) and plans one `pending` content item per concept × kind that does
   * not exist yet. Concept `*_status` fields of the argument are ignored: they are derived from the items.
   */
  saveRoadmap(fence: LeaseFence, roadmap: Roadmap): Promise<boolean>;
  /** The roadmap with each concept's `*_status` read from its content items. */
  getRoadmap(roadmapId: string): Promise<Roadmap | null>;
  /** A user's roadmaps, newest first. */
  listRoadmaps(userId: string): Promise<Roadmap[]>;
  /**
   * One page of a user's roadmap summaries, newest first (`created_at` descending, then `roadmap_id` descending),
   * at most `limit` of them, starting after the position `after` (the last row of the previous page) when given.
   * Concept counts come from the content items (a concept is completed when all its items are); `task_id` and
   * `task_status` are those of the task holding the roadmap id (`null` when none does). One query per page on SQL.
   */
  listRoadmapSummaries(query: {
    userId: string;
    /** Most rows returned (≥ 1). */
    limit: number;
    /** Keyset position: the page starts strictly after this row. */
    after?: { created_at: string; roadmap_id: string };
  }): Promise<RoadmapSummary[]>;

  /**
   * Marks an item `generating` or `failed` (fenced); a failed item keeps `error` (`'failed'` when none is given),
   * a generating one clears it. `taskPatch` (e.g. the new progress) is applied to the task, and `event` appended to
   * the event log, in the same atomic write. Resolves `false` when nothing was written; otherwise with the stored
   * event (with its `seq`) when `event` was given, else `true`.
   */
  setItemStatus(
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: ContentKind },
    status: 'generating' | 'failed',
    error?: string,
    taskPatch?: TaskPatch,
    event?: NewRoadmapEvent,
  ): Promise<ItemWritten>;
  /**
   * Stores a finished item as `completed` (fenced), applying `taskPatch` to the task and appending `event` in the
   * same atomic write; resolves like {@link CheckpointStore.setItemStatus}.
   */
  saveItem(
    fence: LeaseFence,
    item: { roadmapId: string; conceptId: string; kind: ContentKind; content: ContentValue },
    taskPatch?: TaskPatch,
    event?: NewRoadmapEvent,
  ): Promise<ItemWritten>;
  /**
   * Puts items back to `pending` for a retry: those of the roadmap in `statuses`, optionally only one concept
   * and kind. With `outcome`, they become `failed` with `outcome.error` instead (an interrupted item whose partial
   * text is kept). Returns how many changed. Not fenced: callers first move the task out of `processing` or own it.
   */
  resetItems(
    roadmapId: string,
    filter: { statuses: readonly ItemStatus[]; conceptId?: string; kind?: ContentKind },
    outcome?: { status: 'failed'; error: string },
  ): Promise<number>;
  /**
   * Items of a roadmap (optionally one concept), ordered by concept then kind as planned. Each item is the caller's;
   * its `content` may be frozen (content is replaced, never edited, once stored): writing to it throws or changes
   * nothing stored.
   */
  listItems(roadmapId: string, conceptId?: string): Promise<ContentItem[]>;

  /**
   * Stores one version of an item's content, replacing a stored one of the same number (SPEC §7). Not fenced: the
   * engine writes versions while no run holds the task, and the worker of a regeneration with its run.
   */
  saveItemVersion(version: ItemVersion): Promise<void>;
  /** Every stored version of the item, oldest first. */
  listItemVersions(item: ItemKey): Promise<ItemVersion[]>;
  /**
   * Sets a completed item's content to an earlier version's (a restore). Not fenced (the engine restores only while
   * the task is finished); `false` when the item is missing or not completed.
   */
  restoreItemContent(item: ItemKey, content: ContentValue): Promise<boolean>;
}
