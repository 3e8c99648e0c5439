import type { TaskCounts, TaskStatus, TaskSummary } from '@roadmap/core/client';
import {
  type ComponentProps,
  type MouseEvent,
  Profiler,
  type ProfilerOnRenderCallback,
  useCallback,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { Button } from './button.js';
import { CancelTaskButton } from './cancelTaskButton.js';
import { cn } from './cn.js';
import { DeleteTaskButton } from './deleteTaskButton.js';
import { RefreshIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { TaskRow } from './taskRow.js';
import { nextSelection } from './taskSelection.js';
import { useTaskListObserver } from './useTasks.js';

export interface TaskListProps extends Omit<ComponentProps<'div'>, 'children'> {
  /**
   * Called when the user presses a row's Cancel button, before the built-in optimistic cancel; call
   * `event.preventDefault()` to stop it (and cancel yourself, e.g. after a confirmation).
   */
  onCancel?: (taskId: string, event: MouseEvent<HTMLButtonElement>) => void;
  /**
   * Called when the user confirms a row's Delete, before the built-in delete (the row leaves at once and comes back
   * with the server's error if it refuses); call `event.preventDefault()` to stop it and delete yourself.
   */
  onDelete?: (taskId: string, event: MouseEvent<HTMLButtonElement>) => void;
  /** Link of a task's title (its detail page), rendered by the provider's `linkComponent`. Default: plain text. */
  getTaskHref?: (task: TaskSummary) => string;
  /** Link of "View roadmap" on completed and partially failed tasks. Default: no link. */
  getRoadmapHref?: (roadmapId: string) => string;
  /** The filter selected first. Default: all tasks. */
  defaultStatus?: TaskStatus;
  /** Page size, 1–100. Default: the server's (50). */
  limit?: number;
  /**
   * Adds a Cost column: each task's cost (formatted dollars, or "Not priced") and its tokens, updated live. Default:
   * `false`.
   */
  showUsage?: boolean;
  /**
   * Wraps each row in a React `<Profiler id={taskId}>` with this callback (for render benchmarks and tests).
   * Default: no profiler.
   */
  onRowRender?: ProfilerOnRenderCallback;
}

const filters = ['pending', 'processing', 'completed', 'failed', 'cancelled'] as const satisfies (keyof TaskCounts)[];

/**
 * The caller's generation tasks: filters with counts, refresh, and a live table with cancel, retry and view actions
 * (and, with `showUsage`, each task's cost and tokens).
 * Every row can be deleted (confirmed in a dialog; the row leaves at once and comes back with the server's error if
 * it refuses). Rows can be selected (checkboxes; Shift+click selects a range; the header checkbox selects the page)
 * and cancelled ("Cancel selected", one request) or deleted ("Delete selected") together with one confirmation. A live update of one task renders only that
 * task's row.
 *
 * @example
 * <TaskList getTaskHref={(task) => `/tasks/${task.task_id}`} getRoadmapHref={(id) => `/roadmaps/${id}`} />
 */
export function TaskList({
  onCancel,
  onDelete,
  getTaskHref,
  getRoadmapHref,
  defaultStatus,
  limit,
  showUsage = false,
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
  const [selected, setSelected] = useState<ReadonlySet<string>>(() => new Set());
  const anchor = useRef<string | null>(null);
  const shownIds = useRef(ids);
  shownIds.current = ids;
  // A new filter or page keeps only the rows still shown.
  useEffect(() => {
    setSelected((current) => {
      const kept = ids.filter((taskId) => current.has(taskId));
      return kept.length === current.size ? current : new Set(kept);
    });
  }, [ids]);
  const onSelect = useCallback((taskId: string, range: boolean) => {
    setSelected((current) => nextSelection(current, shownIds.current, taskId, anchor.current, range));
    anchor.current = taskId;
  }, []);
  const selectedIds = ids.filter((taskId) => selected.has(taskId));
  const allSelected = ids.length > 0 && selectedIds.length === ids.length;
  const selectAll = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = selectedIds.length > 0 && !allSelected;
  });
  const rowProps = { observer, onCancel, onDelete, getTaskHref, getRoadmapHref, showUsage, onSelect };
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
        {selectedIds.length > 0 && (
          <div className="roadmap-selection" data-slot="task-selection">
            <span aria-live="polite">{labels.selectedCount(selectedIds.length)}</span>
            <CancelTaskButton
              size="sm"
              dialogTitle={labels.cancelSelectedTitle(selectedIds.length)}
              dialogDescription={labels.cancelSelectedDescription}
              confirmLabel={labels.cancelTasks}
              onConfirm={async () => {
                await observer.cancelTasks(selectedIds);
                setSelected(new Set());
              }}
            >
              {labels.cancelSelected}
            </CancelTaskButton>
            <DeleteTaskButton
              size="sm"
              variant="danger"
              dialogTitle={labels.deleteSelectedTitle(selectedIds.length)}
              dialogDescription={labels.deleteSelectedDescription}
              confirmLabel={labels.deleteTasks}
              onConfirm={() => {
                // The rows leave at once; those the server refuses come back with its error.
                void observer.deleteTasks(selectedIds);
                setSelected(new Set());
              }}
            >
              {labels.deleteSelected}
            </DeleteTaskButton>
          </div>
        )}
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
            <th scope="col" className="roadmap-select-cell">
              <input
                ref={selectAll}
                type="checkbox"
                className="roadmap-checkbox"
                aria-label={labels.selectAllTasks}
                checked={allSelected}
                disabled={ids.length === 0}
                onChange={() => setSelected(allSelected ? new Set() : new Set(ids))}
              />
            </th>
            <th scope="col">{labels.columnTitle}</th>
            <th scope="col">{labels.columnStatus}</th>
            <th scope="col">{labels.columnStep}</th>
            <th scope="col">{labels.columnProgress}</th>
            {showUsage && <th scope="col">{labels.cost}</th>}
            <th scope="col">{labels.columnCreated}</th>
            <th scope="col">{labels.columnCompleted}</th>
            <th scope="col">{labels.columnActions}</th>
          </tr>
        </thead>
        <tbody>
          {ids.map((taskId) =>
            onRowRender ? (
              <Profiler key={taskId} id={taskId} onRender={onRowRender}>
                <TaskRow taskId={taskId} selected={selected.has(taskId)} {...rowProps} />
              </Profiler>
            ) : (
              <TaskRow key={taskId} taskId={taskId} selected={selected.has(taskId)} {...rowProps} />
            ),
          )}
          {ids.length === 0 && !isLoading && (
            <tr>
              <td colSpan={showUsage ? 9 : 8} className="roadmap-empty">
                {labels.empty}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
