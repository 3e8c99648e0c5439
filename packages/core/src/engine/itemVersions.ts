import { assertOwner, type OwnerOptions } from '../domain/ownership.js';
import type { ContentKind } from '../domain/schemas.js';
import type { TaskRecord } from '../domain/task.js';
import { isoTime } from '../shared/clock.js';
import { RoadmapError } from '../shared/errors.js';
import type { ItemKey, ItemVersion } from '../storage/checkpointStore.js';
import { maxFeedbackLength, type TaskControlContext } from './taskControl.js';

/** Statuses in which a task's items may be regenerated or restored: finished ones (SPEC §7: 400 while active). */
const finishedStatuses = new Set(['completed', 'partial_failure', 'failed']);

/** One version as the API lists it: its number, when it was made, the feedback it was asked with, its content. */
export interface ItemVersionView {
  version: number;
  created_at: string;
  feedback: string | null;
  content: ItemVersion['content'];
  /** Whether the item shows this version now. */
  current: boolean;
}

/** What regenerating, listing and restoring need besides the control context: requeueing the roadmap's task. */
export interface ItemVersionContext extends TaskControlContext {
  requeue(task: TaskRecord, message: string): Promise<unknown>;
}

/** The item, checked: its roadmap exists and is the caller's, and the roadmap has it. */
async function ownedItem(control: ItemVersionContext, key: ItemKey, options: OwnerOptions) {
  const roadmap = await control.storage.getRoadmap(key.roadmapId);
  if (!roadmap) throw new RoadmapError('not_found', `Roadmap ${key.roadmapId} does not exist.`);
  assertOwner(roadmap.user_id, options, 'roadmap');
  const [item] = (await control.storage.listItems(key.roadmapId, key.conceptId)).filter(
    (entry) => entry.kind === key.kind,
  );
  if (!item) throw new RoadmapError('not_found', `Concept ${key.conceptId} does not exist in ${key.roadmapId}.`);
  return item;
}

/** The roadmap's task and the item, checked: the caller owns them, the task is finished, the item exists. */
async function finishedItem(control: ItemVersionContext, key: ItemKey, options: OwnerOptions) {
  const item = await ownedItem(control, key, options);
  const task = (await control.storage.listTasks({ roadmapId: key.roadmapId, limit: 1 })).tasks[0];
  if (!task) throw new RoadmapError('not_found', `No task generated ${key.roadmapId}.`);
  if (!finishedStatuses.has(task.status)) {
    throw new RoadmapError(
      'item_not_retryable',
      `The ${key.kind} of ${key.conceptId} can change once its task has finished (it is ${task.status}).`,
    );
  }
  return { item, task };
}

/**
 * Generates one completed item again with the user's `feedback` (SPEC §7): its current content is kept as a version
 * (version 1 when it has none yet), the next version is recorded as requested, the item is put back to `pending`
 * with its content kept, and the task is queued — only that item is asked again, with the previous content and the
 * feedback in its prompt; every other item and the cover stay as they are. Returns the version being made.
 */
export async function regenerateItem(
  control: ItemVersionContext,
  key: ItemKey,
  options: OwnerOptions & { feedback: string },
): Promise<{ taskId: string; version: number }> {
  // Whose item it is comes first: another user learns nothing from the answer, whatever they send.
  const { item, task } = await finishedItem(control, key, options);
  const feedback = options.feedback.trim();
  if (feedback.length === 0 || options.feedback.length > maxFeedbackLength) {
    throw new RoadmapError('invalid_input', 'The regeneration request is invalid.', {
      errors: [{ path: 'feedback', message: `must be a string of 1 to ${maxFeedbackLength} characters` }],
    });
  }
  const versions = await control.storage.listItemVersions(key);
  const last = versions.at(-1);
  // A completed item, or one whose regeneration failed (its requested version still has no content).
  const open = last !== undefined && last.content === null;
  if (item.status !== 'completed' && !(item.status === 'failed' && open)) {
    throw new RoadmapError(
      'item_not_retryable',
      `The ${key.kind} of ${key.conceptId} is ${item.status}, not completed.`,
    );
  }
  const base = { roadmap_id: key.roadmapId, concept_id: key.conceptId, kind: key.kind };
  if (versions.length === 0 && item.content !== null) {
    await control.storage.saveItemVersion({
      ...base,
      version: 1,
      created_at: item.updated_at,
      feedback: null,
      content: item.content,
    });
  }
  // Version 1 is the content as first generated (stored just above when there were no versions yet).
  const version = open ? last.version : (last?.version ?? 1) + 1;
  await control.storage.saveItemVersion({
    ...base,
    version,
    created_at: isoTime(control.clock.now()),
    feedback,
    content: null,
  });
  await control.storage.resetItems(key.roadmapId, {
    statuses: ['completed', 'failed'],
    conceptId: key.conceptId,
    kind: key.kind,
  });
  await control.requeue(task, `Regenerating the ${key.kind} of ${key.conceptId} (version ${version})`);
  return { taskId: task.task_id, version };
}

/** Every version of an item, oldest first, the one it shows now marked `current` (SPEC §7). */
export async function listItemVersions(
  control: ItemVersionContext,
  key: ItemKey,
  options: OwnerOptions = {},
): Promise<ItemVersionView[]> {
  const item = await ownedItem(control, key, options);
  const shown = item.status === 'completed' ? JSON.stringify(item.content) : undefined;
  const versions = await control.storage.listItemVersions(key);
  // The newest version with the shown content is current (a restored older one repeats an earlier content).
  const currentVersion = [...versions].reverse().find((entry) => JSON.stringify(entry.content) === shown)?.version;
  return versions.map((entry) => ({
    version: entry.version,
    created_at: entry.created_at,
    feedback: entry.feedback,
    content: entry.content,
    current: entry.version === currentVersion,
  }));
}

/**
 * Shows an earlier version of a finished task's item again (SPEC §7: versions can be restored). Every version is
 * kept; the task is not run. Emits `item_regenerated` with the restored version.
 */
export async function restoreItemVersion(
  control: ItemVersionContext,
  key: ItemKey,
  version: number,
  options: OwnerOptions = {},
): Promise<{ version: number }> {
  const { task } = await finishedItem(control, key, options);
  const found = (await control.storage.listItemVersions(key)).find((entry) => entry.version === version);
  if (!found || found.content === null) {
    throw new RoadmapError('not_found', `Version ${version} of the ${key.kind} of ${key.conceptId} does not exist.`);
  }
  if (!(await control.storage.restoreItemContent(key, found.content))) {
    throw new RoadmapError('item_not_retryable', `The ${key.kind} of ${key.conceptId} is not completed.`);
  }
  const event = control.eventFor('item_regenerated', () => ({
    concept_id: key.conceptId,
    content_type: key.kind as ContentKind,
    version,
  }))(task);
  control.emit(await control.storage.appendEvent(event));
  return { version };
}
