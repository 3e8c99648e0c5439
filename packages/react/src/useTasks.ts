import type {
  RoadmapApiError,
  TaskCounts,
  TaskListObserver,
  TaskListOptions,
  TaskRowState,
  TaskSummary,
} from '@roadmap/core/client';
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { useRoadmapCache } from './provider.js';

export interface UseTasksResult {
  /** The listed tasks, newest first, kept live by the user's event stream. */
  tasks: TaskSummary[];
  /** Tasks per status (all of the caller's tasks, not only the listed page). */
  counts: TaskCounts;
  isLoading: boolean;
  error: RoadmapApiError | null;
  /** Loads the list again. */
  refresh: () => Promise<void>;
  /** Cancels at once on screen; rolls back, records the row's error and rejects if the server refuses. */
  cancelTask: (taskId: string) => Promise<void>;
  /** Retries a failed, partially failed or cancelled task; records the row's error and rejects on failure. */
  retryTask: (taskId: string) => Promise<void>;
  /**
   * Deletes a task (SPEC §9): it leaves the list at once; if the server refuses, it comes back in place with the row's
   * error and the promise rejects.
   */
  deleteTask: (taskId: string) => Promise<void>;
}

/**
 * @internal The cache's observer of the list for these options (one per filter and page size, shared). It loads and
 * follows the user's stream while someone subscribes to it (`observer.subscribe`).
 */
export function useTaskListObserver({ status, limit }: TaskListOptions): TaskListObserver {
  const cache = useRoadmapCache();
  return useMemo(() => cache.taskList({ status, limit }), [cache, status, limit]);
}

/** @internal One row, re-rendered only when that task changes. */
export function useTaskRow(observer: TaskListObserver, taskId: string): TaskRowState | undefined {
  const subscribe = useCallback(
    (listener: () => void) => observer.rows.subscribe(taskId, listener),
    [observer, taskId],
  );
  const read = () => observer.rows.get(taskId);
  return useSyncExternalStore(subscribe, read, read);
}

/**
 * The caller's tasks with counts, live over the user's WebSocket stream.
 *
 * @example
 * const { tasks, counts, cancelTask } = useTasks({ status: 'processing' });
 */
export function useTasks(options: TaskListOptions = {}): UseTasksResult {
  const observer = useTaskListObserver(options);
  const list = useSyncExternalStore(observer.subscribe, observer.getSnapshot, observer.getSnapshot);
  const counts = useSyncExternalStore(
    observer.counts.subscribe,
    observer.counts.getSnapshot,
    observer.counts.getSnapshot,
  );
  const tasks = useSyncExternalStore(observer.subscribeTasks, observer.getTasks, observer.getTasks);
  return {
    tasks,
    counts,
    isLoading: list.isLoading,
    error: list.error,
    refresh: observer.refresh,
    cancelTask: observer.cancelTask,
    retryTask: observer.retryTask,
    deleteTask: observer.deleteTask,
  };
}
