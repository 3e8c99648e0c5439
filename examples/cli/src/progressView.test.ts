import { computeProgress } from '@roadmap/core/internal';
import { describe, expect, it } from 'vitest';
import { applyEvent, initialProgressState, type ProgressState } from './progressState.js';
import { progressBar, renderProgress } from './progressView.js';
import { testEvent } from './testEvents.js';

function contentGenerationState(): ProgressState {
  let state = initialProgressState('Learn Go');
  for (const step of ['intent_analysis', 'curriculum_design', 'structure_validation'] as const) {
    state = applyEvent(
      state,
      testEvent('progress', {
        step,
        status: 'processing',
        message: `Doing ${step}`,
        progress: computeProgress(0, 0, 0),
      }),
    );
  }
  state = applyEvent(
    state,
    testEvent('progress', {
      step: 'content_generation',
      status: 'processing',
      message: 'Generating content for 3 concepts',
      progress: computeProgress(0, 0, 9),
    }),
  );
  const goroutines = { concept_id: 'c1', concept_name: 'Goroutines' };
  for (const kind of ['tutorial', 'resources', 'quiz'] as const) {
    state = applyEvent(state, testEvent('concept_start', { ...goroutines, content_type: kind }));
  }
  state = applyEvent(
    state,
    testEvent('concept_start', { concept_id: 'c2', concept_name: 'Channels', content_type: 'quiz' }),
  );
  return applyEvent(
    state,
    testEvent('concept_complete', { ...goroutines, content_type: 'tutorial', progress: computeProgress(3, 0, 9) }),
  );
}

describe('renderProgress', () => {
  it('lists every pipeline step as pending before anything happened', () => {
    expect(renderProgress(initialProgressState('Learn Go'))).toEqual([
      'Roadmap Kit demo · Learn Go',
      '  · Intent analysis (pending)',
      '  · Curriculum design (pending)',
      '  · Structure validation (pending)',
      '  · Roadmap edit (pending)',
      '  · Content generation (pending)',
    ]);
  });

  it('shows the active step with a spinner frame and its message', () => {
    const state = applyEvent(
      initialProgressState('Learn Go'),
      testEvent('progress', {
        step: 'curriculum_design',
        status: 'processing',
        message: 'Designing the curriculum',
        progress: computeProgress(0, 0, 0),
      }),
    );
    const lines = renderProgress(state, { frame: 1 });
    expect(lines[1]).toBe('  – Intent analysis (not needed)');
    expect(lines[2]).toBe('  ⠙ Curriculum design — Designing the curriculum');
    expect(renderProgress(state, { frame: 2 })[2]).toBe('  ⠹ Curriculum design — Designing the curriculum');
  });

  it('during content generation shows an overall bar and one bar per concept in flight', () => {
    const lines = renderProgress(contentGenerationState(), { width: 120 });
    expect(lines.slice(1, 6)).toEqual([
      '  ✔ Intent analysis',
      '  ✔ Curriculum design',
      '  ✔ Structure validation',
      '  – Roadmap edit (not needed)',
      '  ⠋ Content generation — Generating content for 3 concepts',
    ]);
    expect(lines.slice(6)).toEqual([
      '',
      `  Overall [${'█'.repeat(8)}${'░'.repeat(16)}] 3/9 items · 33%`,
      `    Goroutines${' '.repeat(18)} [█░░]  tutorial ✔  resources …  quiz …`,
      `    Channels${' '.repeat(20)} [░░░]  tutorial ·  resources ·  quiz …`,
    ]);
  });

  it('sums up concepts beyond the limit and cuts lines to the width', () => {
    const lines = renderProgress(contentGenerationState(), { width: 40, maxConcepts: 1 });
    expect(lines.at(-1)).toBe('    … and 1 more in flight');
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(40);
    expect(lines.some((line) => line.endsWith('…') && line.startsWith('    Goroutines'))).toBe(true);
  });

  it('shows the end state without concepts in flight', () => {
    const state = applyEvent(
      contentGenerationState(),
      testEvent('completed', {
        roadmap_id: 'r',
        status: 'partial_failure',
        tutorials_count: 3,
        failed_count: 1,
        progress: computeProgress(8, 1, 9),
      }),
    );
    const lines = renderProgress(state);
    expect(lines[5]).toBe('  ✔ Content generation');
    expect(lines.at(-1)).toBe(`  Overall [${'█'.repeat(24)}] 9/9 items · 100% · 1 failed`);
  });
});

describe('progressBar', () => {
  it('fills the share of cells, clamped to 0–1', () => {
    expect(progressBar(0.5, 4)).toBe('██░░');
    expect(progressBar(2, 3)).toBe('███');
    expect(progressBar(-1, 2)).toBe('░░');
  });
});
