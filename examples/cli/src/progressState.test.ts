import { computeProgress } from '@roadmap/core/internal';
import { describe, expect, it } from 'vitest';
import { applyEvent, initialProgressState } from './progressState.js';
import { testEvent } from './testEvents.js';

const step = (name: Parameters<typeof testEvent<'progress'>>[1]['step'], message = name) =>
  testEvent('progress', { step: name, status: 'processing', message, progress: computeProgress(0, 0, 0) });

describe('applyEvent', () => {
  it('moves through the pipeline, marking an edit that was never needed as skipped', () => {
    let state = initialProgressState('Learn Go');
    state = applyEvent(state, step('intent_analysis'));
    expect(state.steps).toMatchObject({ intent_analysis: 'active', curriculum_design: 'pending' });
    state = applyEvent(state, step('curriculum_design'));
    state = applyEvent(state, step('structure_validation'));
    state = applyEvent(state, step('content_generation'));
    expect(state.steps).toEqual({
      intent_analysis: 'done',
      curriculum_design: 'done',
      structure_validation: 'done',
      roadmap_edit: 'skipped',
      content_generation: 'active',
    });
  });

  it('shows validation active again after an edit round', () => {
    let state = initialProgressState('Learn Go');
    for (const name of ['intent_analysis', 'curriculum_design', 'structure_validation', 'roadmap_edit'] as const) {
      state = applyEvent(state, step(name));
    }
    state = applyEvent(state, step('structure_validation'));
    expect(state.steps.structure_validation).toBe('active');
    expect(state.steps.roadmap_edit).toBe('done');
  });

  it('tracks each concept in flight per kind and drops it once all three are finished', () => {
    const names = { concept_id: 's1-m1-c1', concept_name: 'Goroutines' };
    let state = initialProgressState('Learn Go');
    for (const kind of ['tutorial', 'resources', 'quiz'] as const) {
      state = applyEvent(state, testEvent('concept_start', { ...names, content_type: kind }));
    }
    state = applyEvent(
      state,
      testEvent('concept_complete', { ...names, content_type: 'tutorial', progress: computeProgress(1, 0, 9) }),
    );
    state = applyEvent(
      state,
      testEvent('concept_failed', { ...names, content_type: 'quiz', error: 'bad', progress: computeProgress(1, 1, 9) }),
    );
    expect(state.inFlight).toEqual([
      {
        conceptId: 's1-m1-c1',
        name: 'Goroutines',
        items: { tutorial: 'completed', resources: 'generating', quiz: 'failed' },
      },
    ]);
    expect(state.progress).toEqual(computeProgress(1, 1, 9));
    state = applyEvent(
      state,
      testEvent('concept_complete', { ...names, content_type: 'resources', progress: computeProgress(2, 1, 9) }),
    );
    expect(state.inFlight).toEqual([]);
  });

  it('marks the active step cancelled and keeps the reason', () => {
    let state = applyEvent(initialProgressState('Learn Go'), step('curriculum_design'));
    state = applyEvent(
      state,
      testEvent('cancelled', {
        reason: 'Ctrl-C',
        previous_status: 'processing',
        progress: computeProgress(0, 0, 0),
        aborted_calls: 0,
        kept_items: 0,
        usage: { calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: null },
      }),
    );
    expect(state.status).toBe('cancelled');
    expect(state.steps).toMatchObject({ curriculum_design: 'cancelled', content_generation: 'pending' });
    expect(state.error).toBe('Ctrl-C');
  });

  it('marks the active step failed with the error', () => {
    let state = applyEvent(initialProgressState('Learn Go'), step('intent_analysis'));
    state = applyEvent(
      state,
      testEvent('failed', { error: 'model down', step: 'intent_analysis', progress: computeProgress(0, 0, 0) }),
    );
    expect(state.steps.intent_analysis).toBe('failed');
    expect(state.error).toBe('model down');
  });
});
