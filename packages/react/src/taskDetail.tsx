import { isCancellable } from '@roadmap/core/client';
import { type ComponentProps, useEffect, useMemo, useRef } from 'react';
import { BudgetPausePanel } from './budgetPausePanel.js';
import { Button } from './button.js';
import { CancelTaskButton } from './cancelTaskButton.js';
import { cn } from './cn.js';
import { DeleteTaskButton } from './deleteTaskButton.js';
import { EventTimeline } from './eventTimeline.js';
import { ArrowRightIcon, PauseIcon, PlayIcon, RefreshIcon, RetryIcon } from './icons.js';
import { LiveTutorial } from './liveTutorial.js';
import { ProgressBar } from './progressBar.js';
import { useRoadmapLabels } from './provider.js';
import { ReviewPanel } from './reviewPanel.js';
import { RoadmapLink } from './roadmapLink.js';
import { itemStatusesFromEvents, RoadmapTree } from './roadmapTree.js';
import { StageDiagram } from './stageDiagram.js';
import { StatusBadge } from './statusBadge.js';
import { UsageList } from './usageList.js';
import { useRoadmap } from './useRoadmap.js';
import { useTask } from './useTask.js';

export interface TaskDetailProps extends Omit<ComponentProps<'section'>, 'children'> {
  /** The task to show and follow live. */
  taskId: string;
  /** Link of "View roadmap" once the task completed, rendered by the provider's `linkComponent`. Default: none. */
  getRoadmapHref?: (roadmapId: string) => string;
  /** Whether the cancel confirmation dialog is open (controlled). */
  open?: boolean;
  /** Whether the cancel confirmation dialog is open at first. Default: `false`. */
  defaultOpen?: boolean;
  /** Called when the cancel confirmation dialog opens or closes. */
  onOpenChange?: (open: boolean) => void;
  /**
   * Called once the task was deleted (its Delete confirmed and the server agreed), e.g. to go back to the list.
   * Default: the component only says that the task was deleted.
   */
  onDeleted?: (taskId: string) => void;
}

/**
 * One task, live: header with Refresh, Pause/Resume, "Cancel Task" and "Delete" (each confirmed in a dialog; once
 * deleted, it says so and calls `onDeleted`), the review panel
 * while the task waits for its user's approval, the pipeline with the current step
 * highlighted, progress, its usage (cost, budget, tokens, calls; updated by `usage_updated` events), each concept's
 * content states with per-item retry, and the event log. The live connection closes when the task ends.
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
  onDeleted,
  className,
  ...props
}: TaskDetailProps) {
  const labels = useRoadmapLabels();
  const {
    task,
    events,
    connection,
    deleted,
    isLoading,
    error,
    refresh,
    cancel,
    retry,
    retryItem,
    pause,
    resume,
    review,
    deleteTask,
  } = useTask(taskId);
  const step = task?.current_step;
  const running = task?.status === 'pending' || task?.status === 'processing';
  const cancellable = !!task && isCancellable(task.status);
  // The roadmap is stored just before content generation plans its items: asking earlier gets a 404.
  const stored = !!task && (task.progress.total > 0 || step === 'content_generation' || step === 'completed');
  const roadmap = useRoadmap(stored ? task.roadmap_id : undefined);
  const liveStatuses = useMemo(() => itemStatusesFromEvents(events), [events]);
  // The latest cancel's receipt (SPEC §7): what it stopped and kept. Events of older releases carry none.
  const receipt = useMemo(() => {
    const cancelled = events.findLast((event) => event.type === 'cancelled');
    return cancelled?.type === 'cancelled' && cancelled.usage ? cancelled : undefined;
  }, [events]);
  const refreshRoadmap = roadmap.refresh;
  const loadedAt = useRef<string>(undefined);
  // Statuses change as the task moves on (and a cancel or failure resets items in flight): load the roadmap again
  // when the step changes, once it was loaded (the first load follows `stored`).
  useEffect(() => {
    if (loadedAt.current && loadedAt.current !== step) void refreshRoadmap();
    loadedAt.current = stored ? step : undefined;
  }, [step, stored, refreshRoadmap]);
  const ignore = () => {};
  if (deleted) {
    return (
      <section
        data-slot="task-detail"
        aria-label={task?.title ?? labels.taskDeleted}
        className={cn('roadmap-task-detail', className)}
        {...props}
      >
        <p role="status" className="roadmap-muted">
          {labels.taskDeleted}
        </p>
      </section>
    );
  }
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
        {running && (
          <Button variant="outline" size="sm" onClick={() => pause().catch(ignore)}>
            <PauseIcon />
            {labels.pause}
          </Button>
        )}
        {task?.status === 'paused' && (
          <Button variant="outline" size="sm" onClick={() => resume().catch(ignore)}>
            <PlayIcon />
            {labels.resume}
          </Button>
        )}
        {cancellable && (
          <CancelTaskButton
            size="sm"
            onConfirm={() => cancel()}
            open={open}
            defaultOpen={defaultOpen}
            onOpenChange={onOpenChange}
          />
        )}
        {task && (task.status === 'failed' || task.status === 'partial_failure' || task.status === 'cancelled') && (
          <Button variant="outline" size="sm" onClick={() => retry().catch(ignore)}>
            <RetryIcon />
            {labels.retry}
          </Button>
        )}
        {task && (
          <DeleteTaskButton
            size="sm"
            onConfirm={async () => {
              await deleteTask();
              onDeleted?.(taskId);
            }}
          />
        )}
        {task && (task.status === 'completed' || task.status === 'partial_failure') && getRoadmapHref && (
          <RoadmapLink
            className="roadmap-button roadmap-button--ghost roadmap-button--sm"
            href={getRoadmapHref(task.roadmap_id)}
          >
            {labels.viewRoadmap}
            <ArrowRightIcon />
          </RoadmapLink>
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
          {task.status === 'cancelled' && receipt && (
            <p className="roadmap-muted" data-slot="cancel-receipt">
              {labels.cancelReceipt(receipt)}
            </p>
          )}
          {/* Tasks of a server older than usage (SPEC §7) carry none. */}
          {task.usage && (
            <section aria-label={labels.usage}>
              <h3 className="roadmap-subheading">{labels.usage}</h3>
              <UsageList usage={task.usage} budgetUsd={task.budget_usd} />
            </section>
          )}
          {task.status === 'paused' && task.pause_reason === 'budget' && (
            <BudgetPausePanel task={task} onRaise={(budgetUsd) => resume({ budgetUsd })} />
          )}
          {task.status === 'human_review_pending' && (
            <ReviewPanel
              taskId={task.task_id}
              round={task.review_round}
              onApprove={() => review(true)}
              onRequestChanges={(feedback) => review(false, feedback)}
            />
          )}
          {running && <LiveTutorial events={events} />}
          {roadmap.roadmap && (
            <section aria-label={labels.concepts}>
              <h3 className="roadmap-subheading">{labels.concepts}</h3>
              <RoadmapTree
                roadmap={roadmap.roadmap}
                liveStatuses={liveStatuses}
                stopped={!running}
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
