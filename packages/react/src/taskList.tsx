import type { TaskCounts, TaskStatus, TaskSummary } from '@roadmap/core/client';
import {
  type ComponentProps,
  type MouseEvent,
  Profiler,
  type ProfilerOnRenderCallback,
  useState,
  useSyncExternalStore,
} from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { RefreshIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { TaskRow } from './taskRow.js';
import { useTaskListObserver } from './useTasks.js';

export interface TaskListProps extends Omit<ComponentProps<'div'>, 'children'> {
  /**
   * Called when the user presses a row's Cancel button, before the built-in optimistic cancel; call
   * `event.preventDefault()` to stop it (and cancel yourself, e.g. after a confirmation).
   */
  onCancel?: (taskId: string, event: MouseEvent<HTMLButtonElement>) => void;
  /** Link of a task's title (its detail page). Default: the title is plain text. */
  getTaskHref?: (task: TaskSummary) => string;
  /** Link of "View roadmap" on completed and partially failed tasks. Default: no link. */
  getRoadmapHref?: (roadmapId: string) => string;
  /** The filter selected first. Default: all tasks. */
  defaultStatus?: TaskStatus;
  /** Page size, 1–100. Default: the server's (50). */
  limit?: number;
  /**
   * Wraps each row in a React `<Profiler id={taskId}>` with this callback (for render benchmarks and tests).
   * Default: no profiler.
   */
  onRowRender?: ProfilerOnRenderCallback;
}

const filters = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const satisfies (keyof TaskCounts)[];

/**
 * The caller's generation tasks: filters with counts, refresh, and a live table with cancel, retry and view actions.
 * A live update of one task renders only that task's row.
 *
 * @example
 * <TaskList getTaskHref={(task) => `/tasks/${task.task_id}`} getRoadmapHref={(id) => `/roadmaps/${id}`} />
 */
export function TaskList({
  onCancel,
  getTaskHref,
  getRoadmapHref,
  defaultStatus,
  limit,
  onRowRender,
  className,
  ...props
}: TaskListProps) {
  const labels = useRoadmapLabels();
  const [status, setStatus] = useState<TaskStatus | undefined>(defaultStatus);
  const observer = useTaskListObserver({ status, limit });
  const { ids, isLoading, error } = useSyncExternalStore(
    observer.subscribe,
    observer.getSnapshot,
    observer.getSnapshot,
  );
  const counts = useSyncExternalStore(
    observer.counts.subscribe,
    observer.counts.getSnapshot,
    observer.counts.getSnapshot,
  );
  const rowProps = { observer, onCancel, getTaskHref, getRoadmapHref };
  return (
    <div data-slot="task-list" className={cn('roadmap-task-list', className)} {...props}>
      <div className="roadmap-toolbar">
        <fieldset aria-label={labels.filters} className="roadmap-filters">
          {[undefined, ...filters].map((filter) => (
            <Button
              key={filter ?? 'all'}
              variant={status === filter ? 'default' : 'outline'}
              size="sm"
              aria-pressed={status === filter}
              onClick={() => setStatus(filter)}
            >
              {filter ? labels.status[filter] : labels.all}
              <span className="roadmap-count">{filter ? counts[filter] : counts.total}</span>
            </Button>
          ))}
        </fieldset>
        <Button variant="outline" size="sm" onClick={() => void observer.refresh()} disabled={isLoading}>
          <RefreshIcon className={cn(isLoading && 'roadmap-spin')} />
          {labels.refresh}
        </Button>
      </div>
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      <table className="roadmap-table" aria-label={labels.tasksTable} aria-busy={isLoading}>
        <thead>
          <tr>
            <th scope="col">{labels.columnTitle}</th>
            <th scope="col">{labels.columnStatus}</th>
            <th scope="col">{labels.columnStep}</th>
            <th scope="col">{labels.columnProgress}</th>
            <th scope="col">{labels.columnCreated}</th>
            <th scope="col">{labels.columnCompleted}</th>
            <th scope="col">{labels.columnActions}</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((taskId) =>
            onRowRender ? (
              <Profiler key={taskId} id={taskId} onRender={onRowRender}>
                <TaskRow taskId={taskId} {...rowProps} />
              </Profiler>
            ) : (
              <TaskRow key={taskId} taskId={taskId} {...rowProps} />
            ),
          )}
          {ids.length === 0 && !isLoading && (
            <tr>
              <td colSpan={7} className="roadmap-empty">
                {labels.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
