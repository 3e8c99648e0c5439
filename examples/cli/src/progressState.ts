import type { ContentKind, Progress, RoadmapEvent, TaskStatus } from '@roadmap/core';
import { emptyProgress } from '@roadmap/core/internal';

/** The pipeline steps the CLI shows, in order (SPEC §2). */
export const pipelineSteps = [
  'intent_analysis',
  'curriculum_design',
  'structure_validation',
  'roadmap_edit',
  'content_generation',
] as const;
export type PipelineStep = (typeof pipelineSteps)[number];

/** `skipped`: the step was never needed (a roadmap that passed validation needs no edit). */
export type StepState = 'pending' | 'active' | 'done' | 'skipped' | 'failed' | 'cancelled';
export type ItemState = 'pending' | 'generating' | 'completed' | 'failed';

export interface ConceptProgress {
  conceptId: string;
  name: string;
  items: Record<ContentKind, ItemState>;
}

/** Everything the progress display shows, derived from the engine's events only. */
export interface ProgressState {
  goal: string;
  status: TaskStatus;
  steps: Record<PipelineStep, StepState>;
  /** Message of the latest step change, e.g. "Designing the curriculum". */
  message: string | null;
  /** Content items done, failed and planned. */
  progress: Progress;
  /** Concepts with content in flight, in the order they started. */
  inFlight: ConceptProgress[];
  /** Error of a `failed` task, reason of a `cancelled` one. */
  error: string | null;
}

export function initialProgressState(goal: string): ProgressState {
  return {
    goal,
    status: 'pending',
    steps: {
      intent_analysis: 'pending',
      curriculum_design: 'pending',
      structure_validation: 'pending',
      roadmap_edit: 'pending',
      content_generation: 'pending',
    },
    message: null,
    progress: emptyProgress,
    inFlight: [],
    error: null,
  };
}

function isPipelineStep(step: string): step is PipelineStep {
  return (pipelineSteps as readonly string[]).includes(step);
}

/** Marks the active step `to`; on success, steps never entered were not needed. */
function settleSteps(steps: ProgressState['steps'], to: StepState): ProgressState['steps'] {
  const next = { ...steps };
  for (const step of pipelineSteps) {
    if (next[step] === 'active') next[step] = to;
    else if (to === 'done' && next[step] === 'pending') next[step] = 'skipped';
  }
  return next;
}

/** The entered step becomes active (again, for validation after an edit); the one before it is done. */
function enterStep(steps: ProgressState['steps'], entered: PipelineStep): ProgressState['steps'] {
  const next = { ...steps };
  const index = pipelineSteps.indexOf(entered);
  for (const [position, step] of pipelineSteps.entries()) {
    if (next[step] === 'active') next[step] = 'done';
    else if (position < index && next[step] === 'pending') next[step] = 'skipped';
  }
  next[entered] = 'active';
  return next;
}

function updateItem(
  inFlight: readonly ConceptProgress[],
  event: { concept_id: string; concept_name: string; content_type: ContentKind },
  state: ItemState,
): ConceptProgress[] {
  const existing = inFlight.find((concept) => concept.conceptId === event.concept_id);
  const concept: ConceptProgress = existing
    ? { ...existing, items: { ...existing.items, [event.content_type]: state } }
    : {
        conceptId: event.concept_id,
        name: event.concept_name,
        items: { tutorial: 'pending', resources: 'pending', quiz: 'pending', [event.content_type]: state },
      };
  const finished = Object.values(concept.items).every((item) => item === 'completed' || item === 'failed');
  if (!existing) return finished ? [...inFlight] : [...inFlight, concept];
  if (finished) return inFlight.filter((entry) => entry !== existing);
  return inFlight.map((entry) => (entry === existing ? concept : entry));
}

/** The state after one event. Pure: the display is a function of the events seen so far. */
export function applyEvent(state: ProgressState, event: RoadmapEvent): ProgressState {
  switch (event.type) {
    case 'progress': {
      const steps = isPipelineStep(event.step) ? enterStep(state.steps, event.step) : state.steps;
      return { ...state, status: event.status, steps, message: event.message, progress: event.progress };
    }
    case 'concept_start':
      return { ...state, inFlight: updateItem(state.inFlight, event, 'generating') };
    case 'concept_complete':
      return { ...state, progress: event.progress, inFlight: updateItem(state.inFlight, event, 'completed') };
    case 'concept_failed':
      return { ...state, progress: event.progress, inFlight: updateItem(state.inFlight, event, 'failed') };
    case 'completed':
      return {
        ...state,
        status: event.status,
        steps: settleSteps(state.steps, 'done'),
        message: null,
        progress: event.progress,
        inFlight: [],
      };
    case 'failed':
      return {
        ...state,
        status: 'failed',
        steps: settleSteps(state.steps, 'failed'),
        message: null,
        progress: event.progress,
        inFlight: [],
        error: event.error,
      };
    case 'cancelled':
      return {
        ...state,
        status: 'cancelled',
        steps: settleSteps(state.steps, 'cancelled'),
        message: null,
        progress: event.progress,
        inFlight: [],
        error: event.reason,
      };
    case 'review_submitted':
    case 'resumed':
      return { ...state, status: 'processing', message: null };
    case 'review_requested':
      return { ...state, status: 'human_review_pending', message: `Waiting for review (round ${event.round})` };
    case 'paused':
      return { ...state, status: 'paused', message: 'Paused' };
    case 'task_recovering':
    case 'cover_updated':
    case 'item_regenerated':
    case 'usage_updated':
    case 'content_delta':
    case 'deleted':
      return state;
  }
}
