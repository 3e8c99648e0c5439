import type { RoadmapApiError, RoadmapClient, RoadmapEvent, TaskStatus, TaskSummary } from '@roadmap/core/client';
import { isAbort, toApiError } from './errors.js';
import { KeyedStore, Store } from './store.js';

/** Task counts per status, as `GET /roadmaps/tasks` reports them. */
export interface TaskCounts {
  /** Every task of the caller, whatever the filter. */
  total: number;
  pending: number;
  processing: number;
  completed: number;
  /** Failed and partially failed tasks (the server's `failed_count`). */
  failed: number;
  cancelled: number;
}

/** One row of a task list: the task, and the error of the last action on it (cancel, retry). */
export interface TaskRowState {
  task: TaskSummary;
  /** Why the last cancel or retry of this row failed (the server's message); `null` otherwise. */
  error: { action: 'cancel' | 'retry'; message: string } | null;
}

export interface TaskListOptions {
  /**
   * Only tasks with this status. `failed` lists partially failed tasks too, as `counts.failed` counts them.
   * Default: all.
   */
  status?: TaskStatus;
  /** Page size, 1–100. Default: the server's (50). */
  limit?: number;
}

interface ListState {
  /** Task ids in display order (newest first). Replaced only when membership or order changes. */
  ids: string[];
  isLoading: boolean;
  error: RoadmapApiError | null;
}

const emptyCounts: TaskCounts = { total: 0, pending: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };

type LiveFields = Pick<
  TaskSummary,
  'status' | 'current_step' | 'progress' | 'updated_at' | 'completed_at' | 'error_message'
>;

/** Applies a live event to a task (a list row or a full task); the same object when the event changes nothing. */
export function applyTaskEvent<T extends LiveFields>(task: T, event: RoadmapEvent): T {
  const base = { ...task, updated_at: event.timestamp };
  switch (event.type) {
    case 'progress':
      return { ...base, status: event.status, current_step: event.step, progress: event.progress };
    case 'concept_complete':
    case 'concept_failed':
      return { ...base, progress: event.progress };
    case 'completed':
      return {
        ...base,
        status: event.status,
        current_step: 'completed',
        progress: event.progress,
        completed_at: event.timestamp,
      };
    case 'failed':
      return {
        ...base,
        status: 'failed',
        current_step: 'failed',
        progress: event.progress,
        error_message: event.error,
        completed_at: event.timestamp,
      };
    case 'cancelled':
      return {
        ...base,
        status: 'cancelled',
        current_step: 'cancelled',
        progress: event.progress,
        completed_at: event.timestamp,
      };
    case 'task_recovering':
      return { ...base, current_step: event.current_step };
    default:
      return task;
  }
}

/**
 * The state behind a task list: ids and counts in list stores, each row in a store keyed by task id, so a live
 * event for one task wakes only that task's row.
 */
export class TaskListObserver {
  readonly rows = new KeyedStore<TaskRowState>();
  readonly list = new Store<ListState>({ ids: [], isLoading: true, error: null });
  readonly counts = new Store<TaskCounts>(emptyCounts);
  readonly #client: RoadmapClient;
  #options: TaskListOptions = {};
  #controller: AbortController | undefined;
  #tasks: TaskSummary[] = [];
  #tasksStale = true;

  constructor(client: RoadmapClient) {
    this.#client = client;
    this.rows.subscribeAll(() => {
      this.#tasksStale = true;
    });
  }

  /** Starts the user's live event stream; returns its cleanup. */
  connect(): () => void {
    const unsubscribe = this.#client.subscribeEvents({ onEvent: (event) => this.#receive(event) });
    return unsubscribe;
  }

  /** Loads the list for these options; returns a cleanup that aborts the load. */
  load(options: TaskListOptions): () => void {
    this.#options = options;
    void this.refresh();
    return () => this.#controller?.abort();
  }

  readonly refresh = async (): Promise<void> => {
    this.#controller?.abort();
    const controller = new AbortController();
    this.#controller = controller;
    this.list.update({ isLoading: true });
    try {
      const options = { ...this.#options, signal: controller.signal };
      const [response, partial] = await Promise.all([
        this.#client.listTasks(options),
        // `failed` lists partially failed tasks too, as the server's `failed_count` counts them.
        options.status === 'failed' && this.#client.listTasks({ ...options, status: 'partial_failure' }),
      ]);
      if (controller.signal.aborted) return;
      const tasks = partial
        ? [...response.tasks, ...partial.tasks]
            .sort((a, b) => b.created_at.localeCompare(a.created_at))
            .slice(0, options.limit ?? 50)
        : response.tasks;
      for (const task of tasks) {
        const row = this.rows.get(task.task_id);
        if (!row || JSON.stringify(row.task) !== JSON.stringify(task))
          this.rows.set(task.task_id, { task, error: null });
      }
      const ids = tasks.map((task) => task.task_id);
      const current = this.list.getSnapshot().ids;
      const same = ids.length === current.length && ids.every((id, index) => id === current[index]);
      this.list.update({ ids: same ? current : ids, isLoading: false, error: null });
      const counts = {
        pending: response.pending_count,
        processing: response.processing_count,
        completed: response.completed_count,
        failed: response.failed_count,
        cancelled: response.cancelled_count,
      };
      // The server's `total` counts the filtered tasks only; "All" counts every task.
      this.counts.update({ ...counts, total: Object.values(counts).reduce((sum, count) => sum + count) });
    } catch (error) {
      if (controller.signal.aborted || isAbort(error)) return;
      this.list.update({ isLoading: false, error: toApiError(error) });
    }
  };

  /** Every row's task in display order; a new array only after a change. */
  readonly getTasks = (): TaskSummary[] => {
    if (this.#tasksStale) {
      this.#tasksStale = false;
      this.#tasks = this.list.getSnapshot().ids.flatMap((id) => {
        const row = this.rows.get(id);
        return row ? [row.task] : [];
      });
    }
    return this.#tasks;
  };

  readonly subscribeTasks = (listener: () => void): (() => void) => {
    const stopRows = this.rows.subscribeAll(listener);
    const stopList = this.list.subscribe(() => {
      this.#tasksStale = true;
      listener();
    });
    return () => {
      stopRows();
      stopList();
    };
  };

  /** Shows the task cancelled at once; restores it and records the error when the server refuses. */
  readonly cancelTask = async (taskId: string): Promise<void> => {
    const before = this.rows.get(taskId);
    if (!before) return;
    const optimistic: TaskRowState = {
      task: { ...before.task, status: 'cancelled', current_step: 'cancelled' },
      error: null,
    };
    this.#setRow(taskId, optimistic);
    try {
      await this.#client.cancelTask(taskId);
    } catch (error) {
      const apiError = toApiError(error);
      const current = this.rows.get(taskId);
      const failure = { action: 'cancel' as const, message: apiError.detail };
      if (current === optimistic) this.#setRow(taskId, { task: before.task, error: failure });
      else if (current) this.rows.set(taskId, { ...current, error: failure });
      throw apiError;
    }
  };

  /** Retries a failed, partially failed or cancelled task; the row shows `pending` once the server accepts. */
  readonly retryTask = async (taskId: string): Promise<void> => {
    try {
      await this.#client.retryTask(taskId);
      const row = this.rows.get(taskId);
      if (row) {
        this.#setRow(taskId, {
          task: { ...row.task, status: 'pending', current_step: 'queued', error_message: null, completed_at: null },
          error: null,
        });
      }
    } catch (error) {
      const apiError = toApiError(error);
      const row = this.rows.get(taskId);
      if (row) this.rows.set(taskId, { ...row, error: { action: 'retry', message: apiError.detail } });
      throw apiError;
    }
  };

  #receive(event: RoadmapEvent): void {
    const row = this.rows.get(event.task_id);
    if (!row) {
      // A task this list does not show yet (just created): load the list again.
      if (event.type === 'progress' && !this.list.getSnapshot().isLoading) void this.refresh();
      return;
    }
    const task = applyTaskEvent(row.task, event);
    if (task !== row.task) this.#setRow(event.task_id, { task, error: row.error });
  }

  #setRow(taskId: string, next: TaskRowState): void {
    // Partially failed tasks are counted with the failed ones.
    const key = (task?: TaskSummary) => (task?.status === 'partial_failure' ? 'failed' : task?.status);
    const previous = key(this.rows.get(taskId)?.task);
    const status = key(next.task);
    if (previous && previous !== status) {
      const counts = this.counts.getSnapshot();
      const patch: Partial<TaskCounts> = {};
      if (previous in counts) patch[previous as keyof TaskCounts] = counts[previous as keyof TaskCounts] - 1;
      if (status && status in counts) patch[status as keyof TaskCounts] = counts[status as keyof TaskCounts] + 1;
      this.counts.update(patch);
    }
    this.rows.set(taskId, next);
  }
}
