import { type ComponentProps, useEffect, useMemo, useRef } from 'react';
import { Button } from './button.js';
import { CancelTaskButton } from './cancelTaskButton.js';
import { cn } from './cn.js';
import { EventTimeline } from './eventTimeline.js';
import { ArrowRightIcon, RefreshIcon, RetryIcon } from './icons.js';
import { ProgressBar } from './progressBar.js';
import { useRoadmapLabels } from './provider.js';
import { itemStatusesFromEvents, RoadmapTree } from './roadmapTree.js';
import { StageDiagram } from './stageDiagram.js';
import { StatusBadge } from './statusBadge.js';
import { useRoadmap } from './useRoadmap.js';
import { useTask } from './useTask.js';

export interface TaskDetailProps extends Omit<ComponentProps<'section'>, 'children'> {
  /** The task to show and follow live. */
  taskId: string;
  /** Link of "View roadmap" once the task completed. Default: no link. */
  getRoadmapHref?: (roadmapId: string) => string;
  /** Whether the cancel confirmation dialog is open (controlled). */
  open?: boolean;
  /** Whether the cancel confirmation dialog is open at first. Default: `false`. */
  defaultOpen?: boolean;
  /** Called when the cancel confirmation dialog opens or closes. */
  onOpenChange?: (open: boolean) => void;
}

/**
 * One task, live: header with Refresh and "Cancel Task" (confirmed in a dialog), the pipeline with the current step
 * highlighted, progress, each concept's content states with per-item retry, and the event log. The live connection
 * closes when the task ends.
 *
 * @example
 * <TaskDetail taskId={taskId} getRoadmapHref={(id) => `/roadmaps/${id}`} />
 */
export function TaskDetail({
  taskId,
  getRoadmapHref,
  open,
  defaultOpen,
  onOpenChange,
  className,
  ...props
}: TaskDetailProps) {
  const labels = useRoadmapLabels();
  const { task, events, connection, isLoading, error, refresh, cancel, retry, retryItem } = useTask(taskId);
  const roadmap = useRoadmap(task && task.current_step !== 'queued' ? task.roadmap_id : undefined);
  const liveStatuses = useMemo(() => itemStatusesFromEvents(events), [events]);
  const step = task?.current_step;
  const refreshRoadmap = roadmap.refresh;
  const previousStep = useRef(step);
  // The tree grows as the task moves on: load it again when the step changes (not on the first load).
  useEffect(() => {
    if (previousStep.current && step && step !== previousStep.current && step !== 'queued') void refreshRoadmap();
    previousStep.current = step;
  }, [step, refreshRoadmap]);
  const ignore = () => {};
  return (
    <section
      data-slot="task-detail"
      aria-label={task?.title ?? labels.loading}
      aria-busy={isLoading}
      className={cn('roadmap-task-detail', className)}
      {...props}
    >
      <header className="roadmap-toolbar">
        <h2 className="roadmap-heading">{task?.title ?? labels.loading}</h2>
        {task && <StatusBadge status={task.status} />}
        <span className="roadmap-connection" data-state={connection}>
          {labels.connection[connection]}
        </span>
        <span className="roadmap-spacer" />
        <Button variant="outline" size="sm" onClick={() => void refresh()}>
          <RefreshIcon className={cn(isLoading && 'roadmap-spin')} />
          {labels.refresh}
        </Button>
        {task && (task.status === 'pending' || task.status === 'processing') && (
          <CancelTaskButton
            size="sm"
            onConfirm={() => cancel()}
            {...(open === undefined ? {} : { open })}
            {...(defaultOpen === undefined ? {} : { defaultOpen })}
            {...(onOpenChange ? { onOpenChange } : {})}
          />
        )}
        {task && (task.status === 'failed' || task.status === 'partial_failure' || task.status === 'cancelled') && (
          <Button variant="outline" size="sm" onClick={() => retry().catch(ignore)}>
            <RetryIcon />
            {labels.retry}
          </Button>
        )}
        {task && (task.status === 'completed' || task.status === 'partial_failure') && getRoadmapHref && (
          <a className="roadmap-button roadmap-button--ghost roadmap-button--sm" href={getRoadmapHref(task.roadmap_id)}>
            {labels.viewRoadmap}
            <ArrowRightIcon />
          </a>
        )}
      </header>
      {error && (
        <p role="alert" className="roadmap-error">
          {error.detail}
        </p>
      )}
      {task && (
        <>
          <StageDiagram step={task.current_step} events={events} />
          <ProgressBar value={task.progress.percentage} valueText={labels.progressText(task.progress)} />
          <p className="roadmap-muted">{labels.progressText(task.progress)}</p>
          {task.error_message && <p className="roadmap-error">{task.error_message}</p>}
          {roadmap.roadmap && (
            <section aria-label={labels.concepts}>
              <h3 className="roadmap-subheading">{labels.concepts}</h3>
              <RoadmapTree
                roadmap={roadmap.roadmap}
                liveStatuses={liveStatuses}
                onRetryItem={(conceptId, kind) => retryItem(conceptId, kind).catch(ignore)}
              />
            </section>
          )}
          <section aria-label={labels.timeline}>
            <h3 className="roadmap-subheading">{labels.timeline}</h3>
            <EventTimeline events={events} />
          </section>
        </>
      )}
    </section>
  );
}
