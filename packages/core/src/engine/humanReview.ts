import type { RoadmapEvent } from '../domain/events.js';
import type { Curriculum } from '../domain/schemas.js';
import { checkStructure } from '../domain/structure.js';
import { RoadmapError } from '../shared/errors.js';
import { checkpointKeys } from './checkpoints.js';
import { assertFenced, nowIso, type RunContext } from './runContext.js';
import { RunSuspended } from './runSuspended.js';

/** Review rounds a task goes through at most (SPEC §7); changes asked in the last one are applied without another. */
export const maxReviewRounds = 5;

/** A user's answer to one review round, as its `review_submitted` event stored it. */
interface ReviewDecision {
  approved: boolean;
  feedback: string | null;
}

/** The steps the review needs from the pipeline: a checkpointed step, and a model call that edits the curriculum. */
export interface ReviewSteps {
  checkpointed<Value>(key: string, produce: () => Promise<Value>): Promise<Value>;
  edit(curriculum: Curriculum, message: string, location: string): Promise<Curriculum>;
  enterStep(message: string): Promise<void>;
}

/**
 * The task's review answers by round. They are the `review_submitted` events, each stored in one transaction with
 * the status change that accepted it (`human_review_pending → processing`), so an answer the API accepted is never
 * lost and never applied twice.
 */
async function reviewDecisions(context: RunContext): Promise<Map<number, ReviewDecision>> {
  const decisions = new Map<number, ReviewDecision>();
  let after = 0;
  for (;;) {
    const page = await context.storage.listEvents({ taskId: context.task.task_id, after, limit: 1000 });
    for (const event of page as RoadmapEvent[]) {
      if (event.type === 'review_submitted') {
        decisions.set(event.round, { approved: event.approved, feedback: event.feedback });
      }
    }
    if (page.length < 1000) return decisions;
    after = (page.at(-1) as RoadmapEvent).seq;
  }
}

/**
 * Stores the proposal of `round` and moves the task to `human_review_pending` (fenced, giving up the lease, with the
 * `review_requested` event in the same transaction), then stops the run: a task in review holds no lease and no
 * worker slot.
 */
async function requestReview(
  context: RunContext,
  round: number,
  steps: ReviewSteps,
  proposal: Curriculum,
): Promise<never> {
  await steps.checkpointed(checkpointKeys.reviewProposal(round), async () => proposal);
  const transition = await context.storage.transitionTask(context.task.task_id, {
    from: ['processing'],
    to: 'human_review_pending',
    leaseToken: context.fence.leaseToken,
    patch: {
      current_step: 'human_review',
      review_round: round,
      updated_at: nowIso(context),
      lease_token: null,
      lease_expires_at: null,
    },
    event: (task) => context.eventOf('review_requested', { roadmap_id: task.roadmap_id, round }),
  });
  assertFenced(transition, context, 'request a review');
  if (transition?.event) context.emit(transition.event);
  throw new RunSuspended('review');
}

/**
 * The human review gate (SPEC §7), between structure validation and content generation, for a task generated with
 * `review_before_content`. Round by round: the proposal of the round (stored when the review was requested) and the
 * user's answer. Approved: the proposal is the roadmap. Changes asked: the model edits the proposal with the
 * feedback (a checkpointed step, never asked again after a crash), and the edit is the next round's proposal —
 * after round {@link maxReviewRounds} it is the roadmap. No answer yet: the task waits for one.
 */
export async function humanReview(
  context: RunContext,
  saved: Record<string, unknown>,
  designed: Curriculum,
  steps: ReviewSteps,
): Promise<Curriculum> {
  const decisions = await reviewDecisions(context);
  let proposal = designed;
  for (let round = 1; ; round += 1) {
    const stored = saved[checkpointKeys.reviewProposal(round)] as Curriculum | undefined;
    if (stored) proposal = stored;
    const decision = decisions.get(round);
    if (!decision) return requestReview(context, round, steps, proposal);
    if (decision.approved) return proposal;
    const feedback = decision.feedback ?? 'Improve the roadmap.';
    const current = proposal;
    if (!(checkpointKeys.reviewEdit(round) in saved)) await steps.enterStep(`Applying your feedback (round ${round})`);
    proposal = await steps.checkpointed(checkpointKeys.reviewEdit(round), () =>
      steps.edit(current, `The learner reviewed this roadmap and asks for changes: ${feedback}`, 'roadmap'),
    );
    const structural = checkStructure(proposal);
    if (structural.length > 0) {
      const broken = proposal;
      proposal = await steps.checkpointed(checkpointKeys.reviewRepair(round), () =>
        steps.edit(broken, structural.map((issue) => issue.message).join(' '), 'structure'),
      );
      const still = checkStructure(proposal);
      if (still.length > 0) {
        throw new RoadmapError(
          'structure_invalid',
          `The roadmap edited with your feedback is invalid: ${still.map((issue) => issue.message).join(' ')}`,
        );
      }
    }
    if (round >= maxReviewRounds) return proposal;
  }
}
