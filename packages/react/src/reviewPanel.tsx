import type { ReviewProposalResponse } from '@roadmap/core/client';
import { type ComponentProps, useId, useState } from 'react';
import { Button } from './button.js';
import { cn } from './cn.js';
import { CheckIcon } from './icons.js';
import { useRoadmapLabels } from './provider.js';
import { useResource } from './useResource.js';

export interface ReviewPanelProps extends Omit<ComponentProps<'section'>, 'children'> {
  /** The task in `human_review_pending`. */
  taskId: string;
  /** The review round the task is in (the panel loads that round's proposal). */
  round: number;
  /** Approves the proposal: content generation starts. */
  onApprove: () => Promise<void>;
  /** Asks for changes: the model edits the proposal with `feedback`, and the task comes back for review. */
  onRequestChanges: (feedback: string) => Promise<void>;
}

/** Longest feedback the server accepts. */
const maxFeedbackLength = 2000;

/**
 * The human review of a task generated with `review_before_content`: the proposed stages, modules and concepts,
 * "Approve", and "Request changes" with a feedback field. Nothing is generated until the user approves.
 *
 * @example
 * <ReviewPanel taskId={task.task_id} round={task.review_round} onApprove={() => review(true)}
 *   onRequestChanges={(feedback) => review(false, feedback)} />
 */
export function ReviewPanel({ taskId, round, onApprove, onRequestChanges, className, ...props }: ReviewPanelProps) {
  const labels = useRoadmapLabels();
  const review = useResource<ReviewProposalResponse>(`review:${taskId}:${round}`, (client, signal) =>
    client.getReview(taskId, { signal }),
  );
  const [feedback, setFeedback] = useState('');
  const [busy, setBusy] = useState(false);
  const feedbackId = useId();
  const hintId = useId();
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
    } catch {
      // The task's error shows the server's answer.
    } finally {
      setBusy(false);
    }
  };
  const proposal = review.data?.proposal;
  const trimmed = feedback.trim();
  return (
    <section
      data-slot="review-panel"
      aria-labelledby={`${feedbackId}-title`}
      className={cn('roadmap-review', className)}
      {...props}
    >
      <h3 id={`${feedbackId}-title`} className="roadmap-subheading">
        {labels.reviewTitle(review.data?.round ?? round, review.data?.max_rounds ?? 5)}
      </h3>
      <p className="roadmap-muted">{labels.reviewIntro}</p>
      {review.error && (
        <p role="alert" className="roadmap-error">
          {review.error.detail}
        </p>
      )}
      {proposal && (
        <ol className="roadmap-review-stages" aria-label={proposal.title}>
          {proposal.stages.map((stage) => (
            <li key={stage.stage_id}>
              <strong>{stage.name}</strong>
              <p className="roadmap-muted">{stage.description}</p>
              <ul>
                {stage.modules.map((module) => (
                  <li key={module.module_id}>
                    {module.name}
                    <ul>
                      {module.concepts.map((concept) => (
                        <li key={concept.concept_id}>{concept.name}</li>
                      ))}
                    </ul>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
      <div className="roadmap-field">
        <label htmlFor={feedbackId}>{labels.feedback}</label>
        <textarea
          id={feedbackId}
          aria-describedby={hintId}
          maxLength={maxFeedbackLength}
          value={feedback}
          onChange={(event) => setFeedback(event.target.value)}
          rows={3}
        />
        <p id={hintId} className="roadmap-muted">
          {labels.feedbackHint}
        </p>
      </div>
      <div className="roadmap-toolbar">
        <Button size="sm" disabled={busy || !proposal} onClick={() => void act(onApprove)}>
          <CheckIcon />
          {labels.approve}
        </Button>
        <Button
          variant="outline"
          size="sm"
          disabled={busy || trimmed === ''}
          onClick={() => void act(() => onRequestChanges(trimmed))}
        >
          {labels.requestChanges}
        </Button>
      </div>
    </section>
  );
}
