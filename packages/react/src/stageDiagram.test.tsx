// @vitest-environment jsdom
import type { CurrentStep, RoadmapEvent } from '@roadmap/core/client';
import { describe, expect, it } from 'vitest';
import { StageDiagram } from './stageDiagram.js';
import { expectNoAxeViolations, renderWithProvider, setUpTestServer, timestamp } from './testSupport.js';

setUpTestServer();

const progress = { completed: 0, failed: 0, total: 0, percentage: 0 };
const entered = (...steps: CurrentStep[]): RoadmapEvent[] =>
  steps.map((step, index) => ({
    type: 'progress',
    seq: index + 1,
    task_id: 'task-1',
    user_id: 'user-1',
    timestamp,
    step,
    status: step === 'queued' ? 'pending' : 'processing',
    message: '',
    progress,
  }));
const framework: CurrentStep[] = ['queued', 'intent_analysis', 'curriculum_design', 'structure_validation'];

function states() {
  return Object.fromEntries(
    [...document.querySelectorAll<HTMLElement>('[data-slot="stage-diagram"] li')].map((item) => [
      item.textContent,
      item.dataset.state,
    ]),
  );
}

describe('StageDiagram', () => {
  it('shows a roadmap edit that did not run as skipped, not done', async () => {
    const { container } = renderWithProvider(
      <StageDiagram step="content_generation" events={entered(...framework, 'content_generation')} />,
    );
    expect(states()).toEqual({
      Queued: 'done',
      'Intent analysis': 'done',
      'Curriculum design': 'done',
      'Structure validation': 'done',
      'Roadmap edit (skipped)': 'skipped',
      'Content generation': 'current',
      Completed: 'upcoming',
    });
    expect(container.querySelector('[data-state="skipped"] svg')).toBeNull();
    expect(container.querySelectorAll('[data-state="done"] svg')).toHaveLength(4);
    await expectNoAxeViolations(container);
  });

  it('shows a roadmap edit that ran as done', () => {
    renderWithProvider(
      <StageDiagram
        step="completed"
        events={entered(...framework, 'roadmap_edit', 'structure_validation', 'content_generation')}
      />,
    );
    expect(states()['Roadmap edit']).toBe('done');
    expect(states().Completed).toBe('done');
  });

  it('does not claim a roadmap edit without the events to tell', () => {
    renderWithProvider(<StageDiagram step="completed" />);
    expect(states()['Roadmap edit']).toBe('unknown');
    expect(states()['Structure validation']).toBe('done');
  });

  it('marks where a cancelled task stopped, with the skipped edit before it', () => {
    renderWithProvider(<StageDiagram step="cancelled" events={entered(...framework, 'content_generation')} />);
    expect(states()).toMatchObject({
      'Roadmap edit (skipped)': 'skipped',
      'Content generation (Cancelled)': 'cancelled',
      Completed: 'upcoming',
    });
  });

  it('says "skipped" in the labels of the provider', () => {
    renderWithProvider(<StageDiagram step="completed" events={entered(...framework, 'content_generation')} />, {
      labels: { skipped: 'not needed' },
    });
    expect(states()['Roadmap edit (not needed)']).toBe('skipped');
  });
});
