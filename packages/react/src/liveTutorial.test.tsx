// @vitest-environment jsdom

import type { RoadmapEvent } from '@roadmap/core/client';
import { act, screen, waitFor } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { chineseLabels } from './labels.js';
import { liveTutorialFrom } from './liveTutorial.js';
import { TaskDetail } from './taskDetail.js';
import {
  api,
  expectNoAxeViolations,
  FakeWebSocket,
  fullTask,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
  timestamp,
} from './testSupport.js';

setUpTestServer();

const task = fullTask({ status: 'processing', current_step: 'content_generation' });
const taskId = task.task_id;
const roadmapId = task.roadmap_id ?? 'learn-rust-00000001';
const base = { task_id: taskId, user_id: 'user-1', timestamp };
const progress = { completed: 1, failed: 0, total: 6, percentage: 17 };

const start = (seq: number, conceptId: string, conceptName: string): RoadmapEvent => ({
  ...base,
  type: 'concept_start',
  seq,
  concept_id: conceptId,
  concept_name: conceptName,
  content_type: 'tutorial',
});
const delta = (seq: number, conceptId: string, offset: number, text: string): RoadmapEvent => ({
  ...base,
  type: 'content_delta',
  seq,
  roadmap_id: roadmapId,
  concept_id: conceptId,
  content_type: 'tutorial',
  offset,
  text,
});
const complete = (seq: number, conceptId: string, conceptName: string): RoadmapEvent => ({
  ...base,
  type: 'concept_complete',
  seq,
  concept_id: conceptId,
  concept_name: conceptName,
  content_type: 'tutorial',
  progress,
});

describe('liveTutorialFrom', () => {
  it('is undefined while no tutorial streams', () => {
    expect(liveTutorialFrom([])).toBeUndefined();
    expect(liveTutorialFrom([start(1, 'c1', 'Moves')])).toBeUndefined();
  });

  it('joins the deltas of the concept being written at their offsets, named by its concept_start', () => {
    const events = [start(1, 'c1', 'Moves'), delta(2, 'c1', 0, '# Moves\n'), delta(3, 'c1', 8, 'A value ')];
    expect(liveTutorialFrom(events)).toEqual({
      conceptId: 'c1',
      conceptName: 'Moves',
      tutorial: { content: '# Moves\nA value ', status: 'generating' },
    });
  });

  it('starts the text again on a delta at offset 0 (a retried call)', () => {
    const events = [start(1, 'c1', 'Moves'), delta(2, 'c1', 0, 'first try, longer'), delta(3, 'c1', 0, 'again')];
    expect(liveTutorialFrom(events)?.tutorial.content).toBe('again');
  });

  it('follows the latest concept written and is undefined once its tutorial completes', () => {
    const events = [
      start(1, 'c1', 'Moves'),
      delta(2, 'c1', 0, 'moves'),
      complete(3, 'c1', 'Moves'),
      start(4, 'c2', 'Borrows'),
      delta(5, 'c2', 0, 'borrows'),
    ];
    expect(liveTutorialFrom(events)).toMatchObject({ conceptName: 'Borrows', tutorial: { content: 'borrows' } });
    expect(liveTutorialFrom([...events, complete(6, 'c2', 'Borrows')])).toBeUndefined();
  });

  it('ignores the deltas of another content kind and the events of other concepts', () => {
    const quizDelta = { ...delta(3, 'c1', 0, 'quiz'), content_type: 'quiz' } as RoadmapEvent;
    const events = [start(1, 'c1', 'Moves'), delta(2, 'c1', 0, 'text'), quizDelta, complete(4, 'c9', 'Other')];
    expect(liveTutorialFrom(events)?.tutorial.content).toBe('text');
  });
});

describe('TaskDetail with a tutorial streaming', () => {
  it('shows the tutorial being written, busy and growing, and drops it once complete', async () => {
    server.use(
      http.get(api('/roadmaps/tasks/:taskId'), () => HttpResponse.json(task)),
      http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture(roadmapId))),
    );
    renderWithProvider(<TaskDetail taskId={taskId} />, { labels: chineseLabels });
    await waitFor(() => expect(FakeWebSocket.live(`/ws/${taskId}`)).toHaveLength(1));
    const [socket] = FakeWebSocket.live(`/ws/${taskId}`);
    if (!socket) throw new Error('no socket');
    act(() => socket.open());
    expect(document.querySelector('[data-slot="live-tutorial"]')).toBeNull();

    act(() => {
      socket.receive(start(3, 's1-m1-c1', 'Moves'));
      socket.receive(delta(4, 's1-m1-c1', 0, 'Ownership '));
    });
    const panel = await screen.findByRole('region', { name: chineseLabels.tutorialLive('Moves') });
    const region = panel.querySelector('[data-slot="streaming-tutorial"]');
    expect(region?.getAttribute('aria-busy')).toBe('true');
    await waitFor(() => expect(region?.textContent).toContain('Ownership'));
    expect(region?.textContent).toContain(chineseLabels.tutorialStreaming);

    act(() => socket.receive(delta(5, 's1-m1-c1', 10, 'moves values.')));
    await waitFor(() => expect(region?.textContent).toContain('Ownership moves values.'));
    await expectNoAxeViolations(panel);

    act(() => socket.receive(complete(6, 's1-m1-c1', 'Moves')));
    await waitFor(() => expect(document.querySelector('[data-slot="live-tutorial"]')).toBeNull());
  });
});
