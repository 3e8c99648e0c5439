import {
  type EstimateResponse,
  type GenerateRoadmapBody,
  RoadmapApiError,
  type RoadmapClient,
} from '@roadmap/core/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EstimateObserver } from './estimateObserver.js';

const body = (hours: number): GenerateRoadmapBody => ({
  preferences: { learning_goal: 'Learn Rust', available_hours_per_week: hours, current_level: 'beginner' },
});
const answer = (calls: number): EstimateResponse => ({
  estimated_calls: calls,
  estimated_input_tokens: 53_320,
  estimated_output_tokens: 62_530,
  estimated_cost_usd: 0.045516,
});

/** A client whose `estimate` answers when the test says so; records each question and its signal. */
function scriptedClient() {
  const questions: {
    body: GenerateRoadmapBody;
    signal: AbortSignal;
    answer: (value: EstimateResponse) => void;
    fail: (error: unknown) => void;
  }[] = [];
  const client = {
    estimate: (asked: GenerateRoadmapBody, { signal }: { signal?: AbortSignal } = {}) =>
      new Promise<EstimateResponse>((resolve, reject) => {
        questions.push({ body: asked, signal: signal as AbortSignal, answer: resolve, fail: reject });
      }),
  } as unknown as RoadmapClient;
  return { client, questions };
}

describe('EstimateObserver', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('asks once, 300 ms after the last change, about the last inputs', async () => {
    const { client, questions } = scriptedClient();
    const observer = new EstimateObserver(client);
    const seen: (number | undefined)[] = [];
    observer.subscribe(() => seen.push(observer.getSnapshot().estimate?.estimated_calls));
    observer.change(body(10));
    vi.advanceTimersByTime(200);
    observer.change(body(4));
    vi.advanceTimersByTime(299);
    expect(questions).toHaveLength(0);
    expect(observer.getSnapshot().isLoading).toBe(true);
    vi.advanceTimersByTime(1);
    expect(questions.map((question) => question.body)).toEqual([body(4)]);
    questions[0]?.answer(answer(39));
    await vi.waitFor(() =>
      expect(observer.getSnapshot()).toEqual({ estimate: answer(39), isLoading: false, error: null }),
    );
    expect(seen.at(-1)).toBe(39);
  });

  it('aborts the question in flight when the inputs change, and ignores its late answer', async () => {
    const { client, questions } = scriptedClient();
    const observer = new EstimateObserver(client);
    observer.change(body(10));
    vi.advanceTimersByTime(300);
    observer.change(body(4));
    expect(questions[0]?.signal.aborted).toBe(true);
    vi.advanceTimersByTime(300);
    expect(questions[1]?.signal.aborted).toBe(false);
    questions[1]?.answer(answer(39));
    questions[0]?.answer(answer(75));
    await vi.waitFor(() => expect(observer.getSnapshot().isLoading).toBe(false));
    await Promise.resolve();
    expect(observer.getSnapshot().estimate?.estimated_calls).toBe(39);
  });

  it('keeps the last estimate while newer inputs are asked about, and clears it for invalid inputs', async () => {
    const { client, questions } = scriptedClient();
    const observer = new EstimateObserver(client);
    observer.change(body(10));
    vi.advanceTimersByTime(300);
    questions[0]?.answer(answer(75));
    await vi.waitFor(() => expect(observer.getSnapshot().estimate?.estimated_calls).toBe(75));
    observer.change(body(4));
    expect(observer.getSnapshot()).toMatchObject({ estimate: answer(75), isLoading: true });
    observer.change(undefined);
    expect(observer.getSnapshot()).toEqual({ estimate: undefined, isLoading: false, error: null });
    vi.advanceTimersByTime(1_000);
    expect(questions).toHaveLength(1);
  });

  it('shows nothing after a failure, and keeps the error', async () => {
    const { client, questions } = scriptedClient();
    const observer = new EstimateObserver(client);
    observer.change(body(10));
    vi.advanceTimersByTime(300);
    questions[0]?.answer(answer(75));
    await vi.waitFor(() => expect(observer.getSnapshot().estimate).toBeDefined());
    observer.change(body(4));
    vi.advanceTimersByTime(300);
    questions[1]?.fail(new RoadmapApiError('The server is shutting down.', { status: 503, code: 'unavailable' }));
    await vi.waitFor(() => expect(observer.getSnapshot().isLoading).toBe(false));
    expect(observer.getSnapshot().estimate).toBeUndefined();
    expect(observer.getSnapshot().error?.status).toBe(503);
  });

  it('stop() drops the waiting question and aborts the one in flight', () => {
    const { client, questions } = scriptedClient();
    const observer = new EstimateObserver(client);
    observer.change(body(10));
    vi.advanceTimersByTime(300);
    observer.stop();
    expect(questions[0]?.signal.aborted).toBe(true);
    observer.change(body(4));
    observer.stop();
    vi.advanceTimersByTime(1_000);
    expect(questions).toHaveLength(1);
  });
});
