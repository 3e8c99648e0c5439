import { isCancellable, type TaskListObserver, type TaskSummary } from '@roadmap/core/client';
import { type MouseEvent, memo } from 'react';
import { Button } from './button.js';
import { DeleteTaskButton } from './deleteTaskButton.js';
import { ArrowRightIcon, PauseIcon, PlayIcon, RetryIcon, XCircleIcon } from './icons.js';
import { ProgressBar } from './progressBar.js';
import { useRoadmapLabels } from './provider.js';
import { RoadmapLink } from './roadmapLink.js';
import { StatusBadge } from './statusBadge.js';
import { costText } from './usageList.js';
import { useTaskRow } from './useTasks.js';

export interface TaskRowProps {
  observer: TaskListObserver;
  taskId: string;
  onCancel?: ((taskId: string, event: MouseEvent<HTMLButtonElement>) => void) | undefined;
  onDelete?: ((taskId: string, event: MouseEvent<HTMLButtonElement>) => void) | undefined;
  getTaskHref?: ((task: TaskSummary) => string) | undefined;
  getRoadmapHref?: ((roadmapId: string) => string) | undefined;
  /** Whether the row has the Cost cell. */
  showUsage: boolean;
  /** Whether the row's checkbox is checked. */
  selected: boolean;
  /** Called when the row's checkbox is clicked; `range` with Shift held. */
  onSelect: (taskId: string, range: boolean) => void;
}

const ignore = () => {};

/** @internal One row of a `TaskList`: subscribes to its own task, so other tasks' updates never render it. */
export const TaskRow = memo(function TaskRow({
  observer,
  taskId,
  onCancel,
  onDelete,
  getTaskHref,
  getRoadmapHref,
  showUsage,
  selected,
  onSelect,
}: TaskRowProps) {
  const labels = useRoadmapLabels();
  const row = useTaskRow(observer, taskId);
  if (!row) return null;
  const { task, error } = row;
  const { status, usage } = task;
  const cancel = (event: MouseEvent<HTMLButtonElement>) => {
    onCancel?.(taskId, event);
    if (!event.defaultPrevented) observer.cancelTask(taskId).catch(ignore);
  };
  // The row leaves at once (the dialog with it) and comes back with the error if the server refuses.
  const remove = (event: MouseEvent<HTMLButtonElement>) => {
    onDelete?.(taskId, event);
    if (!event.defaultPrevented) observer.deleteTask(taskId).catch(ignore);
  };
  return (
    <tr data-slot="task-row" data-task-id={taskId} data-status={status} data-selected={selected || undefined}>
      <td className="roadmap-select-cell">
        <input
          type="checkbox"
          className="roadmap-checkbox"
          checked={selected}
          aria-label={labels.selectTask(task.title)}
          onChange={() => {}}
          onClick={(event) => onSelect(taskId, event.shiftKey)}
        />
      </td>
      <td>
        {getTaskHref ? (
          <RoadmapLink className="roadmap-link" href={getTaskHref(task)}>
            {task.title}
          </RoadmapLink>
        ) : (
          task.title
        )}
      </td>
      <td>
        <StatusBadge status={status} />
      </td>
      <td>{labels.step[task.current_step]}</td>
      <td>
        <ProgressBar value={task.progress.percentage} valueText={labels.progressText(task.progress)} />
      </td>
      {showUsage && (
        <td data-slot="task-usage" className="roadmap-usage-cell">
          {/* Rows of a server older than usage (SPEC §7) carry none. */}
          {usage ? (
            <>
              {costText(labels, usage.cost_usd)}{' '}
              <span className="roadmap-muted">
                {labels.formatNumber(usage.input_tokens + usage.output_tokens)} {labels.tokens}
              </span>
            </>
          ) : (
            '—'
          )}
        </td>
      )}
      <td>
        <time dateTime={task.created_at}>{labels.formatDate(task.created_at)}</time>
      </td>
      <td>
        {task.completed_at ? <time dateTime={task.completed_at}>{labels.formatDate(task.completed_at)}</time> : '—'}
      </td>
      <td>
        <div className="roadmap-actions">
          {(status === 'pending' || status === 'processing') && (
            <Button variant="outline" size="sm" onClick={() => observer.pauseTask(taskId).catch(ignore)}>
              <PauseIcon />
              {labels.pause}
            </Button>
          )}
          {status === 'paused' && (
            <Button variant="outline" size="sm" onClick={() => observer.resumeTask(taskId).catch(ignore)}>
              <PlayIcon />
              {labels.resume}
            </Button>
          )}
          {isCancellable(status) && (
            <Button variant="warning" size="sm" onClick={cancel}>
              <XCircleIcon />
              {labels.cancelTask}
            </Button>
          )}
          {(status === 'failed' || status === 'partial_failure' || status === 'cancelled') && (
            <Button variant="outline" size="sm" onClick={() => observer.retryTask(taskId).catch(ignore)}>
              <RetryIcon />
              {labels.retry}
            </Button>
          )}
          <DeleteTaskButton size="sm" variant="ghost" onConfirm={remove} />
          {(status === 'completed' || status === 'partial_failure') && getRoadmapHref && (
            <RoadmapLink
              className="roadmap-button roadmap-button--ghost roadmap-button--sm"
              href={getRoadmapHref(task.roadmap_id)}
            >
              {labels.viewRoadmap}
              <ArrowRightIcon />
            </RoadmapLink>
          )}
        </div>
        {error && (
          <p role="alert" className="roadmap-error">
            {error.action === 'cancel'
              ? labels.cancelFailed
              : error.action === 'retry'
                ? labels.retryFailed
                : error.action === 'delete'
                  ? labels.deleteFailed
                  : labels[error.action]}
            : {error.message}
          </p>
        )}
      </td>
    </tr>
  );
});
