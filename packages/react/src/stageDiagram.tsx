import type { CurrentStep, RoadmapEvent } from '@roadmap/core/client';
import type { ComponentProps } from 'react';
import { cn } from './cn.js';
import { CheckIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';

/** The pipeline's steps in order, as the diagram shows them. */
export const pipelineSteps = [
  'queued',
  'intent_analysis',
  'curriculum_design',
  'structure_validation',
  'roadmap_edit',
  'content_generation',
  'completed',
] as const satisfies readonly CurrentStep[];

/** The steps of a task generated with a human review (`review_before_content`): the review comes before content. */
const reviewedSteps = [
  ...pipelineSteps.slice(0, pipelineSteps.indexOf('content_generation')),
  'human_review',
  ...pipelineSteps.slice(pipelineSteps.indexOf('content_generation')),
] as const satisfies readonly CurrentStep[];

/** The step a task was at when it failed or was cancelled: the last step its events name. */
export function lastReachedStep(step: CurrentStep, events: readonly RoadmapEvent[]): CurrentStep {
  if (step !== 'failed' && step !== 'cancelled') return step;
  for (let index = events.length - 1; index >= 0; index--) {
    const event = events[index];
    if (event?.type === 'review_requested') return 'human_review';
    if (
      (event?.type === 'progress' || event?.type === 'failed') &&
      event.step !== 'failed' &&
      event.step !== 'cancelled'
    )
      return event.step;
  }
  return 'queued';
}

export interface StageDiagramProps extends ComponentProps<'ol'> {
  /** The task's current step. */
  step: CurrentStep;
  /** The task's events: where a failed or cancelled task stopped. Default: none. */
  events?: readonly RoadmapEvent[];
}

/**
 * The pipeline as a row of steps: done ones checked, the current one highlighted (`data-current`, `aria-current`).
 * `roadmap_edit` runs only when the structure needs repairs: without its `progress` event it shows as skipped
 * (`data-state="skipped"`) when the events cover structure validation, and as unknown otherwise, never as done.
 */
export function StageDiagram({ step, events = [], className, ...props }: StageDiagramProps) {
  const labels = useRoadmapLabels();
  const reached = lastReachedStep(step, events);
  const stopped = step === 'failed' || step === 'cancelled';
  // The human review shows for a task that went through one (or waits in one).
  const reviewed = step === 'human_review' || events.some((event) => event.type === 'review_requested');
  const steps: readonly CurrentStep[] = reviewed ? reviewedSteps : pipelineSteps;
  const currentIndex = steps.indexOf(reached);
  const entered = new Set(events.map((event) => event.type === 'progress' && event.step));
  return (
    <ol data-slot="stage-diagram" aria-label={labels.stages} className={cn('roadmap-stages', className)} {...props}>
      {steps.map((name, index) => {
        const current = index === currentIndex;
        const state = current
          ? name === 'completed'
            ? 'done'
            : stopped
              ? step
              : 'current'
          : index > currentIndex
            ? 'upcoming'
            : name !== 'roadmap_edit' || entered.has(name)
              ? 'done'
              : entered.has('structure_validation')
                ? 'skipped'
                : 'unknown';
        return (
          <li
            key={name}
            className="roadmap-stage"
            data-state={state}
            data-current={current || undefined}
            aria-current={current ? 'step' : undefined}
          >
            {state === 'done' && <CheckIcon />}
            {labels.step[name]}
            {current && stopped && ` (${labels.step[step]})`}
            {state === 'skipped' && ` (${labels.skipped})`}
          </li>
        );
      })}
    </ol>
  );
}
