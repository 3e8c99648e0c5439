import { type ContentKind, contentKinds } from '@roadmap/core';
import type { ItemState, PipelineStep, ProgressState, StepState } from './progressState.js';
import { pipelineSteps } from './progressState.js';

export const stepLabels: Record<PipelineStep, string> = {
  intent_analysis: 'Intent analysis',
  curriculum_design: 'Curriculum design',
  structure_validation: 'Structure validation',
  roadmap_edit: 'Roadmap edit',
  content_generation: 'Content generation',
};

const spinner = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

const stepIcons: Record<Exclude<StepState, 'active'>, string> = {
  pending: '·',
  done: '✔',
  skipped: '–',
  failed: '✖',
  cancelled: '⊘',
};

const stepNotes: Partial<Record<StepState, string>> = {
  pending: 'pending',
  skipped: 'not needed',
  failed: 'failed',
  cancelled: 'cancelled',
};

const itemIcons: Record<ItemState, string> = { pending: '·', generating: '…', completed: '✔', failed: '✖' };

export interface RenderOptions {
  /** Columns available; longer lines are cut so an in-place redraw never wraps. Default: 80. */
  width?: number;
  /** Animation frame of the spinner shown on the active step. Default: 0. */
  frame?: number;
  /** Concepts in flight shown at most; the rest are summed up in one line. Default: 8. */
  maxConcepts?: number;
}

/** A bar of `width` cells, `fraction` (0–1) of them filled. */
export function progressBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

function cut(line: string, width: number): string {
  const characters = Array.from(line);
  return characters.length <= width ? line : `${characters.slice(0, Math.max(0, width - 1)).join('')}…`;
}

function pad(text: string, width: number): string {
  const characters = Array.from(text);
  return characters.length >= width
    ? `${characters.slice(0, width - 1).join('')}…`
    : text + ' '.repeat(width - characters.length);
}

function stepLine(step: PipelineStep, state: ProgressState, frame: number): string {
  const status = state.steps[step];
  if (status === 'active') {
    const icon = spinner[frame % spinner.length] ?? '▸';
    return `  ${icon} ${stepLabels[step]}${state.message ? ` — ${state.message}` : ''}`;
  }
  const note = stepNotes[status];
  return `  ${stepIcons[status]} ${stepLabels[step]}${note ? ` (${note})` : ''}`;
}

function conceptLine(name: string, items: Record<ContentKind, ItemState>): string {
  const finished = contentKinds.filter((kind) => items[kind] === 'completed' || items[kind] === 'failed').length;
  const ticks = contentKinds.map((kind) => `${kind} ${itemIcons[items[kind]]}`).join('  ');
  return `    ${pad(name, 28)} [${progressBar(finished / contentKinds.length, 3)}]  ${ticks}`;
}

/**
 * The live progress display: one line per pipeline step, then — once content generation has started — an
 * overall bar and one line per concept in flight. Pure: the same state always renders the same lines.
 */
export function renderProgress(state: ProgressState, options: RenderOptions = {}): string[] {
  const width = Math.max(20, options.width ?? 80);
  const frame = options.frame ?? 0;
  const maxConcepts = options.maxConcepts ?? 8;
  const lines = [`Roadmap Kit demo · ${state.goal}`];
  for (const step of pipelineSteps) lines.push(stepLine(step, state, frame));

  const { progress } = state;
  if (state.steps.content_generation !== 'pending' && progress.total > 0) {
    const done = progress.completed + progress.failed;
    const failed = progress.failed > 0 ? ` · ${progress.failed} failed` : '';
    lines.push(
      '',
      `  Overall [${progressBar(done / progress.total, 24)}] ${done}/${progress.total} items · ${progress.percentage}%${failed}`,
    );
    for (const concept of state.inFlight.slice(0, maxConcepts)) lines.push(conceptLine(concept.name, concept.items));
    const hidden = state.inFlight.length - maxConcepts;
    if (hidden > 0) lines.push(`    … and ${hidden} more in flight`);
  }
  return lines.map((line) => cut(line, width));
}
