import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from '../testing/fakeWebSocket.js';
import { createFakeApi, deferred, type FakeApi } from './fakeApi.js';
import { RoadmapCache } from './roadmapCache.js';
import { createRoadmapClient } from './roadmapClient.js';
import type { ConceptDetail, RoadmapEvent } from './wireTypes.js';

const timestamp = '2026-01-15T10:00:00.000Z';
const concept = {
  concept_id: 's1-m1-c1',
  name: 'Ownership',
  description: 'Who frees memory.',
  estimated_hours: 2,
  difficulty: 'easy',
  prerequisites: [],
  keywords: [],
  tutorial_status: 'generating',
  resources_status: 'pending',
  quiz_status: 'pending',
} as unknown as ConceptDetail['concept'];

const detail = (fields: Partial<ConceptDetail> = {}): ConceptDetail => ({
  concept,
  tutorial: null,
  resources: null,
  quiz: null,
  partial_tutorial: null,
  ...fields,
});

/** Answers `GET` of the concept with each of `answers` in turn (the last one again after that). */
function serve(...answers: (ConceptDetail | Promise<ConceptDetail>)[]): FakeApi & { reads: () => number } {
  let reads = 0;
  const api = createFakeApi({
    'GET /roadmaps/learn-rust-1/concepts/s1-m1-c1': () => {
      reads += 1;
      return answers[Math.min(reads, answers.length) - 1];
    },
  });
  return Object.assign(api, { reads: () => reads });
}

function observe(api: FakeApi) {
  const client = createRoadmapClient({
    baseUrl: 'https://app.example.com',
    token: 'jwt-1',
    fetch: api.fetch,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    random: () => 0,
  });
  const observer = new RoadmapCache(client).concept('learn-rust-1', 's1-m1-c1');
  observer.subscribe(() => {});
  return observer;
}

let seq = 0;
const nextSeq = () => {
  seq += 1;
  return seq;
};
const delta = (offset: number, text: string, fields: Record<string, unknown> = {}): RoadmapEvent =>
  ({
    type: 'content_delta',
    task_id: 't-1',
    user_id: 'u-1',
    timestamp,
    seq: nextSeq(),
    roadmap_id: 'learn-rust-1',
    concept_id: 's1-m1-c1',
    content_type: 'tutorial',
    offset,
    text,
    ...fields,
  }) as RoadmapEvent;

function userStream(): FakeWebSocket {
  const [socket] = FakeWebSocket.live('/api/v1/ws');
  if (!socket) throw new Error('no user stream');
  return socket;
}

const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ConceptObserver (SPEC §7 streaming)', () => {
  it('starts from the text streamed so far and continues it with the deltas at their offsets', async () => {
    const observer = observe(serve(detail({ partial_tutorial: { content: '# Own', status: 'generating' } })));
    await settle();
    userStream().open();
    expect(observer.getSnapshot().streamingTutorial).toEqual({ content: '# Own', status: 'generating' });
    userStream().receive(delta(5, 'ership\n\nOne owner'));
    userStream().receive(delta(22, ' per value.'));
    expect(observer.getSnapshot().streamingTutorial).toEqual({
      content: '# Ownership\n\nOne owner per value.',
      status: 'generating',
    });
    // Another roadmap's concept with the same id, and other kinds, change nothing.
    userStream().receive(delta(0, 'Not ours', { roadmap_id: 'learn-go-2' }));
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Ownership\n\nOne owner per value.');
  });

  it('starts the text again on a delta at offset 0 (the call was retried)', async () => {
    const observer = observe(serve(detail()));
    await settle();
    userStream().open();
    userStream().receive(delta(0, '# First try'));
    userStream().receive(delta(0, '# Second'));
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Second');
  });

  it('reads the concept again when deltas were missed, and when the tutorial completes', async () => {
    const tutorial = { title: 'Ownership', summary: 'Who frees memory.', content: '# Ownership\n\nDone.' };
    const api = serve(
      detail(),
      detail({ partial_tutorial: { content: '# Ownership\n\nOne', status: 'generating' } }),
      detail({ tutorial }),
    );
    const observer = observe(api);
    await settle();
    userStream().open();
    // Joined late: a delta beyond what is held.
    userStream().receive(delta(14, ' owner'));
    await settle();
    expect(api.reads()).toBe(2);
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Ownership\n\nOne');
    userStream().receive(delta(16, ' owner'));
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Ownership\n\nOne owner');
    userStream().receive({
      type: 'concept_complete',
      task_id: 't-1',
      user_id: 'u-1',
      timestamp,
      seq: nextSeq(),
      concept_id: 's1-m1-c1',
      concept_name: 'Ownership',
      content_type: 'tutorial',
      progress: { completed: 1, failed: 0, total: 3, percentage: 33 },
    } as RoadmapEvent);
    await settle();
    expect(observer.getSnapshot()).toMatchObject({ streamingTutorial: null, data: { tutorial } });
  });

  it('keeps the deltas that arrive while the concept loads and continues the loaded text with them', async () => {
    const answer = deferred<ConceptDetail>();
    const api = serve(answer.promise);
    const observer = observe(api);
    await settle();
    userStream().open();
    // Two deltas the server had applied when it answered, then one it had not.
    userStream().receive(delta(0, '# Own'));
    userStream().receive(delta(5, 'ership'));
    userStream().receive(delta(11, '\n\nOne owner.'));
    expect(observer.getSnapshot().streamingTutorial).toBeNull();
    answer.resolve(detail({ partial_tutorial: { content: '# Ownership', status: 'generating' } }));
    await settle();
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Ownership\n\nOne owner.');
    expect(api.reads()).toBe(1);
  });

  it('reads the concept once for a gap, holding the deltas that arrive meanwhile', async () => {
    const reread = deferred<ConceptDetail>();
    const api = serve(detail(), reread.promise);
    const observer = observe(api);
    await settle();
    userStream().open();
    userStream().receive(delta(11, ' owner')); // joined late
    userStream().receive(delta(17, ' per'));
    userStream().receive(delta(21, ' value.'));
    await settle();
    expect(api.reads()).toBe(2);
    reread.resolve(detail({ partial_tutorial: { content: '# Ownership owner per', status: 'generating' } }));
    await settle();
    // ' owner' and ' per' were in the text read; ' value.' continues it.
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Ownership owner per value.');
    expect(api.reads()).toBe(2);
  });

  it('reads the concept again when the user stream could not resume (events were lost)', async () => {
    const api = serve(detail(), detail({ partial_tutorial: { content: '# Later', status: 'generating' } }));
    const observer = observe(api);
    await settle();
    userStream().open();
    userStream().receive({ type: 'resync', task_id: null, seq: 90, timestamp, reason: 'since_before_retained_log' });
    await settle();
    expect(api.reads()).toBe(2);
    expect(observer.getSnapshot().streamingTutorial?.content).toBe('# Later');
  });

  it('shows a partial text kept from an interrupted generation as failed', async () => {
    const observer = observe(serve(detail({ partial_tutorial: { content: '# Half', status: 'failed' } })));
    await settle();
    expect(observer.getSnapshot().streamingTutorial).toEqual({ content: '# Half', status: 'failed' });
  });
});
