import { applyTaskEvent } from './applyTaskEvent.js';
import type { RoadmapApiError } from './clientErrors.js';
import type { RoadmapCache } from './roadmapCache.js';
import { type LoadState, SharedObserver } from './sharedObserver.js';
import { KeyedStore, Store } from './store.js';
import { isCancellable } from './taskStatus.js';
import { toApiError } from './toApiError.js';
import type { BatchCancelResponse, RoadmapEvent, TaskStatus, TaskSummary } from './wireTypes.js';

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

/** One row of a task list: the task, and the error of the last action on it (cancel, retry, delete…). */
export interface TaskRowState {
  task: TaskSummary;
  /** Why the last action on this row failed (the server's message); `null` otherwise. */
  error: { action: 'cancel' | 'retry' | 'pause' | 'resume' | 'delete'; message: string } | null;
}

export interface TaskListOptions {
  /**
   * Only tasks with this status. `failed` lists partially failed tasks too, as `counts.failed` counts them.
   * Default: all.
   */
  status?: TaskStatus | undefined;
  /** Page size, 1–100. Default: the server's (50). */
  limit?: number | undefined;
}

/** What {@link TaskListObserver.deleteTasks} did with each id. */
export interface DeleteTasksResult {
  /** Ids the server deleted (or had already: `404`), in the order given. */
  deleted: string[];
  /** Ids the server refused (or could not be reached for), in the order given, with the error. */
  failed: { task_id: string; error: RoadmapApiError }[];
}

/** The list itself, apart from its rows and counts. */
export interface TaskListState extends LoadState {
  /** Task ids in display order (newest first). Replaced only when membership or order changes. */
  ids: string[];
}

const emptyCounts: TaskCounts = { total: 0, pending: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };

/** Partially failed tasks are counted with the failed ones. */
const countedAs = (task: TaskSummary | undefined) => (task?.status === 'partial_failure' ? 'failed' : task?.status);

/**
 * The caller's tasks for one filter, shared by everyone watching it through the same {@link RoadmapCache}, kept live
 * by the user's event stream (one socket per cache, whatever the number of lists). Its own state is the list of ids;
 * each row lives in `rows` under its task id, so a live event for one task wakes only that task's row.
 *
 * @example
 * const observer = cache.taskList({ status: 'processing' });
 * const stop = observer.subscribe(() => render(observer.getSnapshot().ids));
 */
export class TaskListObserver extends SharedObserver<TaskListState> {
  /** Each listed task by id, with the error of its last action. */
  readonly rows = new KeyedStore<TaskRowState>();
  /** Tasks per status (all of the caller's tasks, not only the listed page). */
  readonly counts = new Store<TaskCounts>(emptyCounts);
  /** The filter and page size this observer lists. */
  readonly options: TaskListOptions;
  #stopEvents: (() => void) | undefined;
  #tasks: TaskSummary[] = [];
  #tasksStale = true;
  /** Rows removed at once by a delete the server has not answered yet, with the ids that followed them (to put back). */
  readonly #deleting = new Map<string, { row: TaskRowState; after: string[] }>();

  constructor(cache: RoadmapCache, key: string, options: TaskListOptions) {
    super(cache, key, { ids: [], isLoading: true, error: null });
    this.options = options;
    this.rows.subscribeAll(() => {
      this.#tasksStale = true;
    });
  }

  protected start(): void {
    this.#stopEvents = this.cache.subscribeEvents((event) => this.#receive(event));
    void this.refresh();
  }

  protected override stop(): void {
    super.stop();
    this.#stopEvents?.();
    this.#stopEvents = undefined;
  }

  /** Loads the list again. */
  readonly refresh = async (): Promise<void> => {
    const { client } = this.cache;
    const { status, limit = 50 } = this.options;
    await this.load(
      (signal) =>
        Promise.all([
          client.listTasks({ ...this.options, signal }),
          // `failed` lists partially failed tasks too, as the server's `failed_count` counts them.
          status === 'failed' && client.listTasks({ ...this.options, status: 'partial_failure', signal }),
        ]),
      ([response, partial]) => {
        const listed = partial
          ? [...response.tasks, ...partial.tasks]
              .sort((a, b) => b.created_at.localeCompare(a.created_at))
              .slice(0, limit)
          : response.tasks;
        // A read that started before a deletion may still list the task: it stays out.
        const gone = (task: TaskSummary) =>
          this.cache.deletedTasks.has(task.task_id) || this.#deleting.has(task.task_id);
        const tasks = listed.filter((task) => !gone(task));
        for (const task of tasks) {
          const row = this.rows.get(task.task_id);
          if (!row || JSON.stringify(row.task) !== JSON.stringify(task))
            this.rows.set(task.task_id, { task, error: null });
        }
        const counts: Omit<TaskCounts, 'total'> = {
          pending: response.pending_count,
          processing: response.processing_count,
          completed: response.completed_count,
          failed: response.failed_count,
          cancelled: response.cancelled_count,
        };
        for (const task of listed.filter(gone)) {
          const status = countedAs(task) as keyof typeof counts;
          if (status in counts) counts[status] -= 1;
        }
        // The server's `total` counts the filtered tasks only; "All" counts every task.
        this.counts.update({ ...counts, total: Object.values(counts).reduce((sum, count) => sum + count) });
        const ids = tasks.map((task) => task.task_id);
        const current = this.getSnapshot().ids;
        const same = ids.length === current.length && ids.every((id, index) => id === current[index]);
        return { ids: same ? current : ids };
      },
    );
  };

  /** Every row's task in display order; a new array only after a change. */
  readonly getTasks = (): TaskSummary[] => {
    if (this.#tasksStale) {
      this.#tasksStale = false;
      this.#tasks = this.getSnapshot().ids.flatMap((id) => {
        const row = this.rows.get(id);
        return row ? [row.task] : [];
      });
    }
    return this.#tasks;
  };

  /** Calls `listener` after a change of the list or of any row (for `getTasks`); watches the list like `subscribe`. */
  readonly subscribeTasks = (listener: () => void): (() => void) => {
    const stopRows = this.rows.subscribeAll(listener);
    const stopList = this.subscribe(() => {
      this.#tasksStale = true;
      listener();
    });
    return () => {
      stopRows();
      stopList();
    };
  };

  /** Shows the task cancelled at once; restores it, records the row's error and rejects when the server refuses. */
  readonly cancelTask = (taskId: string): Promise<void> =>
    this.#optimistic(taskId, 'cancel', { status: 'cancelled', current_step: 'cancelled' }, () =>
      this.cache.client.cancelTask(taskId),
    );

  /**
   * Cancels several rows in one request (`POST /roadmaps/tasks/cancel`): every cancellable one shows `cancelled` at
   * once; those the server did not cancel are restored. Rejects (restoring every row) when the request fails.
   */
  readonly cancelTasks = async (taskIds: readonly string[]): Promise<BatchCancelResponse> => {
    const restore = new Map<string, TaskRowState>();
    for (const taskId of taskIds) {
      const before = this.rows.get(taskId);
      if (!before || !isCancellable(before.task.status)) continue;
      restore.set(taskId, before);
      this.#setRow(taskId, { task: { ...before.task, status: 'cancelled', current_step: 'cancelled' }, error: null });
    }
    const undo = (ids: Iterable<string>) => {
      for (const taskId of ids) {
        const before = restore.get(taskId);
        if (before) this.#setRow(taskId, before);
      }
    };
    try {
      const result = await this.cache.client.cancelTasks({ task_ids: taskIds });
      undo([...result.not_cancellable, ...result.not_found]);
      return result;
    } catch (error) {
      undo(restore.keys());
      throw toApiError(error);
    }
  };

  /** Pauses a pending or processing task: the row shows `paused` at once, restored when the server refuses. */
  readonly pauseTask = (taskId: string): Promise<void> =>
    this.#optimistic(taskId, 'pause', { status: 'paused' }, () => this.cache.client.pauseTask(taskId));

  /** Resumes a paused task: the row shows `pending` at once, restored when the server refuses. */
  readonly resumeTask = (taskId: string): Promise<void> =>
    this.#optimistic(taskId, 'resume', { status: 'pending', current_step: 'queued' }, () =>
      this.cache.client.resumeTask(taskId),
    );

  async #optimistic(
    taskId: string,
    action: 'cancel' | 'pause' | 'resume',
    change: Partial<TaskRowState['task']>,
    request: () => Promise<unknown>,
  ): Promise<void> {
    const before = this.rows.get(taskId);
    if (!before) return;
    const optimistic: TaskRowState = { task: { ...before.task, ...change }, error: null };
    this.#setRow(taskId, optimistic);
    try {
      await request();
    } catch (error) {
      const apiError = toApiError(error);
      const current = this.rows.get(taskId);
      const failure = { action, message: apiError.detail };
      if (current === optimistic) this.#setRow(taskId, { task: before.task, error: failure });
      else if (current) this.rows.set(taskId, { ...current, error: failure });
      throw apiError;
    }
  }

  /** Retries a failed, partially failed or cancelled task; the row shows `pending` once the server accepts. */
  readonly retryTask = async (taskId: string): Promise<void> => {
    try {
      await this.cache.client.retryTask(taskId);
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

  /**
   * Deletes a task (SPEC §9): its row leaves the list at once and comes back in the same place, with the server's
   * error, when the server refuses (the promise then rejects with it). A task already gone (`404`) stays gone.
   */
  readonly deleteTask = async (taskId: string): Promise<void> => {
    this.#removeRow(taskId);
    try {
      await this.cache.client.deleteTask(taskId);
      this.#deleted(taskId);
    } catch (error) {
      const apiError = toApiError(error);
      this.#settleRefusal(taskId, apiError);
      if (apiError.status !== 404) throw apiError;
    }
  };

  /**
   * Deletes several rows, one request each (there is no batch route), at most four at a time: they all leave the
   * list at once; those the server refuses come back in place with its error. Never rejects for a refused task:
   * resolves with what became of each id.
   */
  readonly deleteTasks = async (taskIds: readonly string[]): Promise<DeleteTasksResult> => {
    for (const taskId of taskIds) this.#removeRow(taskId);
    const failed = new Map<string, RoadmapApiError>();
    let next = 0;
    const work = async () => {
      while (next < taskIds.length) {
        const taskId = taskIds[next++] as string;
        await this.deleteTask(taskId).catch((error: RoadmapApiError) => failed.set(taskId, error));
      }
    };
    await Promise.all([work(), work(), work(), work()]);
    return {
      deleted: taskIds.filter((taskId) => !failed.has(taskId)),
      failed: taskIds.flatMap((task_id) => {
        const error = failed.get(task_id);
        return error ? [{ task_id, error }] : [];
      }),
    };
  };

  /** Takes a row out of the list (and its counts), remembering where it was. */
  #removeRow(taskId: string): void {
    const row = this.rows.get(taskId);
    const { ids } = this.getSnapshot();
    const index = ids.indexOf(taskId);
    if (!row || index === -1 || this.#deleting.has(taskId)) return;
    this.#deleting.set(taskId, { row, after: ids.slice(index + 1) });
    this.#count(row.task, -1);
    this.update({ ids: ids.filter((id) => id !== taskId) });
  }

  /** The server deleted the task: the row stays out. */
  #deleted(taskId: string): void {
    this.cache.deletedTasks.add(taskId);
    this.#deleting.delete(taskId);
  }

  /** The server refused a delete: the row goes back where it was, with why (a `404`: it was gone already). */
  #settleRefusal(taskId: string, error: RoadmapApiError): void {
    const removed = this.#deleting.get(taskId);
    if (error.status === 404) {
      this.#deleted(taskId);
      return;
    }
    if (!removed) return;
    this.#deleting.delete(taskId);
    const { ids } = this.getSnapshot();
    if (ids.includes(taskId)) return;
    this.#count(removed.row.task, 1);
    this.rows.set(taskId, { task: removed.row.task, error: { action: 'delete', message: error.detail } });
    // Before the first of the rows that followed it that is still shown, else last.
    const next = removed.after.find((id) => ids.includes(id));
    const index = next === undefined ? ids.length : ids.indexOf(next);
    this.update({ ids: [...ids.slice(0, index), taskId, ...ids.slice(index)] });
  }

  /** Adds `change` (1 or -1) to the count of `task`'s status and the total (which sums the counted statuses). */
  #count(task: TaskSummary, change: number): void {
    const counts = this.counts.getSnapshot();
    const status = countedAs(task) as keyof TaskCounts;
    if (status in counts) this.counts.update({ total: counts.total + change, [status]: counts[status] + change });
  }

  #receive(event: RoadmapEvent): void {
    const removed = this.#deleting.get(event.task_id);
    if (event.type === 'deleted') {
      this.#removeRow(event.task_id);
      this.#deleted(event.task_id);
      return;
    }
    // A row whose delete is in flight follows its events, so a refused delete puts back the task as it is now.
    if (removed) {
      removed.row = { ...removed.row, task: applyTaskEvent(removed.row.task, event) };
      return;
    }
    const row = this.rows.get(event.task_id);
    if (!row) {
      // A task this list does not show yet (just created): load the list again.
      if (event.type === 'progress' && !this.getSnapshot().isLoading) void this.refresh();
      return;
    }
    const task = applyTaskEvent(row.task, event);
    if (task !== row.task) this.#setRow(event.task_id, { task, error: row.error });
  }

  #setRow(taskId: string, next: TaskRowState): void {
    const previous = countedAs(this.rows.get(taskId)?.task);
    const status = countedAs(next.task);
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
