import type { ConnectionState, ContentKind, RoadmapApiError, RoadmapEvent, Task } from '@roadmap/core/client';
import { useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseTaskResult {
  /** The full task, kept live; `undefined` until loaded. */
  task: Task | undefined;
  /** The task's events in `seq` order: its retained log, then live ones. */
  events: RoadmapEvent[];
  /** State of the live stream; `closed` once the task ended and the server closed the stream. */
  connection: ConnectionState;
  /** True once `deleteTask` deleted the task. */
  deleted: boolean;
  isLoading: boolean;
  /** The last failed load or action. */
  error: RoadmapApiError | null;
  /** Loads the task again. */
  refresh: () => Promise<void>;
  /** Cancels the task (`pending`/`processing` only); rejects with the server's error. */
  cancel: (reason?: string) => Promise<void>;
  /** Retries a failed, partially failed or cancelled task and follows it again. */
  retry: () => Promise<void>;
  /**
   * Deletes the task with its roadmap, content and cover (SPEC §9; an active task is cancelled first): `deleted`
   * turns true. Rejects with the server's error.
   */
  deleteTask: () => Promise<void>;
  /** Pauses the task (`pending`/`processing`); `abortInFlight` aborts its calls in flight instead of storing them. */
  pause: (options?: { abortInFlight?: boolean }) => Promise<void>;
  /** Resumes a paused task; `budgetUsd` sets its budget with the resume (for a task paused on budget). */
  resume: (options?: { budgetUsd?: number }) => Promise<void>;
  /** Answers a human review: approve, or request changes with `feedback`. */
  review: (approved: boolean, feedback?: string) => Promise<void>;
  /** Generates one content item of a concept again. */
  retryItem: (conceptId: string, kind: ContentKind) => Promise<void>;
}

/**
 * One task, live over its WebSocket stream with replay from the start of its log; the stream closes when the task
 * ends and opens again after a retry. Components watching the same task share one request and one stream.
 *
 * @example
 * const { task, events, cancel } = useTask(taskId);
 */
export function useTask(taskId: string): UseTaskResult {
  const cache = useRoadmapCache();
  const observer = useMemo(() => cache.task(taskId), [cache, taskId]);
  const state = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  return {
    ...state,
    refresh: observer.refresh,
    cancel: observer.cancel,
    retry: observer.retry,
    deleteTask: observer.delete,
    pause: observer.pause,
    resume: observer.resume,
    review: observer.review,
    retryItem: observer.retryItem,
  };
}
