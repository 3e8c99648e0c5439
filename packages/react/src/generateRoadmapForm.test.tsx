// @vitest-environment jsdom
import type { GenerateRoadmapBody } from '@roadmap/core/client';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GenerateRoadmapForm } from './generateRoadmapForm.js';
import { chineseLabels } from './labels.js';
import { estimateRoute } from './mockRoadmapApi.js';
import { api, expectNoAxeViolations, renderWithProvider, server, setUpTestServer } from './testSupport.js';

setUpTestServer();

describe('GenerateRoadmapForm', () => {
  it('validates with the core schema before sending anything', async () => {
    const { container } = renderWithProvider(<GenerateRoadmapForm />, { strict: true });
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Go');
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    const goal = screen.getByLabelText('Learning goal');
    expect(goal.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('Describe your goal in 3 to 500 characters.')).toBeTruthy();
    expect(document.activeElement).toBe(goal);
    await expectNoAxeViolations(container);
  });

  it('sends the preferences and reports the created task', async () => {
    const bodies: unknown[] = [];
    const keys: (string | null)[] = [];
    server.use(
      http.post(api('/roadmaps/generate'), async ({ request }) => {
        bodies.push(await request.json());
        keys.push(request.headers.get('idempotency-key'));
        return HttpResponse.json(
          {
            task_id: 't-1',
            roadmap_id: 'learn-rust-1a2b3c4d',
            status: 'pending',
            message: 'Roadmap generation started',
          },
          { status: 202 },
        );
      }),
    );
    const created: unknown[] = [];
    renderWithProvider(<GenerateRoadmapForm onCreated={(response) => created.push(response)} />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await userEvent.clear(screen.getByLabelText('Hours per week'));
    await userEvent.type(screen.getByLabelText('Hours per week'), '6');
    await userEvent.selectOptions(screen.getByLabelText('Current level'), 'intermediate');
    await userEvent.click(screen.getByLabelText('Video'));
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(bodies).toEqual([
      {
        preferences: {
          learning_goal: 'Learn Rust',
          available_hours_per_week: 6,
          current_level: 'intermediate',
          content_preference: ['video'],
        },
      },
    ]);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(created[0]).toMatchObject({ task_id: 't-1' });
  });

  it("sends the roadmap's budget when one is given, and refuses one that is not above 0", async () => {
    const bodies: { budget_usd?: number }[] = [];
    server.use(
      http.post(
        api('/roadmaps/generate'),
        () =>
          HttpResponse.json(
            { detail: 'Your budget of $5 for this month has nothing left.', code: 'budget_exceeded' },
            { status: 402 },
          ),
        { once: true },
      ),
      http.post(api('/roadmaps/generate'), async ({ request }) => {
        bodies.push((await request.json()) as { budget_usd?: number });
        return HttpResponse.json(
          { task_id: 't-2', roadmap_id: 'learn-rust-2', status: 'pending', message: 'Roadmap generation started' },
          { status: 202 },
        );
      }),
    );
    renderWithProvider(<GenerateRoadmapForm />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    const budget = screen.getByLabelText('Budget for this roadmap (US$, optional)');
    await userEvent.type(budget, '-1');
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    expect(budget.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(budget);
    await userEvent.clear(budget);
    await userEvent.type(budget, '0.75');
    // The first answer: the user's period budget is spent (402), shown as the form's error.
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Your budget of $5 for this month has nothing left.');
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(bodies[0]?.budget_usd).toBe(0.75);
  });

  it('shows a server error', async () => {
    server.use(
      http.post(api('/roadmaps/generate'), () =>
        HttpResponse.json(
          { detail: 'Too many requests', code: 'rate_limited' },
          { status: 429, headers: { 'retry-after': '30' } },
        ),
      ),
    );
    renderWithProvider(<GenerateRoadmapForm />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await userEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many requests');
  });
});

describe('GenerateRoadmapForm estimate', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  // fireEvent rather than user-event: testing-library's wrapper around user-event waits on a `setTimeout` that only
  // Jest's fake timers would move. Keystrokes take no time here: only `rest` moves the clock.
  /** Types `text` after the field's value, one change per character as a keyboard would. */
  const type = (field: HTMLElement, text: string) => {
    const start = (field as HTMLInputElement).value;
    for (let length = 1; length <= text.length; length++)
      fireEvent.change(field, { target: { value: start + text.slice(0, length) } });
  };
  /** Moves the fake clock by `ms` and lets msw answer. */
  const rest = (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms));
  const lineOf = (container: HTMLElement) => container.querySelector('[data-slot="estimate"]');

  /** Records the body of every `POST /roadmaps/estimate`; the mock API's route (or `then`) answers it. */
  function recordEstimates(then?: () => Response | undefined | Promise<Response>) {
    const bodies: GenerateRoadmapBody[] = [];
    server.use(
      http.post(api('/roadmaps/estimate'), async ({ request }) => {
        bodies.push((await request.clone().json()) as GenerateRoadmapBody);
        return then?.();
      }),
    );
    return bodies;
  }

  it('shows the estimate 300 ms after typing stops, in a polite live region, without holding back Generate', async () => {
    const bodies = recordEstimates();
    const created: unknown[] = [];
    server.use(
      http.post(api('/roadmaps/generate'), () =>
        HttpResponse.json(
          { task_id: 't-1', roadmap_id: 'learn-rust-1', status: 'pending', message: 'Roadmap generation started' },
          { status: 202 },
        ),
      ),
    );
    const { container } = renderWithProvider(<GenerateRoadmapForm onCreated={(task) => created.push(task)} />, {
      strict: true,
    });
    const line = lineOf(container);
    expect(line?.getAttribute('aria-live')).toBe('polite');
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(299);
    expect(bodies).toEqual([]);
    expect(line?.textContent).toBe('');
    await rest(1);
    await vi.waitFor(() => expect(line?.textContent).toBe('≈ $0.0455, about 75 model calls'));
    // Ten keystrokes, one question: about the inputs the typing stopped at.
    expect(bodies).toEqual([
      { preferences: { learning_goal: 'Learn Rust', available_hours_per_week: 10, current_level: 'beginner' } },
    ]);

    // Generate goes out at once, whatever the estimate is doing.
    type(screen.getByLabelText('Motivation'), 'A new job');
    fireEvent.click(screen.getByRole('button', { name: 'Generate roadmap' }));
    await vi.waitFor(() => expect(created).toHaveLength(1));
    expect(bodies).toHaveLength(1);
    vi.useRealTimers(); // axe schedules its work with setTimeout
    await expectNoAxeViolations(container);
  });

  it('asks again when the hours change, and shows nothing while they are invalid', async () => {
    const bodies = recordEstimates();
    const { container } = renderWithProvider(<GenerateRoadmapForm />);
    const line = lineOf(container);
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(line?.textContent).toBe('≈ $0.0455, about 75 model calls'));
    const hours = screen.getByLabelText('Hours per week');
    fireEvent.change(hours, { target: { value: '' } });
    // No hours is no valid request: the old estimate goes, nothing is asked.
    expect(line?.textContent).toBe('');
    await rest(1_000);
    expect(bodies).toHaveLength(1);
    type(hours, '4');
    await rest(300);
    await vi.waitFor(() => expect(line?.textContent).toBe('≈ $0.0244, about 39 model calls'));
    expect(bodies.map((body) => body.preferences.available_hours_per_week)).toEqual([10, 4]);
  });

  it('aborts the question in flight when the inputs change, and never shows its late answer', async () => {
    let answered = 0;
    let releaseFirst = () => {};
    const firstHeld = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    recordEstimates(async () => {
      answered += 1;
      if (answered === 1) await firstHeld;
      return HttpResponse.json({
        estimated_calls: answered === 1 ? 999 : 57,
        estimated_input_tokens: 41_620,
        estimated_output_tokens: 47_830,
        estimated_cost_usd: 0.034941,
      });
    });
    const { container, client } = renderWithProvider(<GenerateRoadmapForm />);
    const asked = vi.spyOn(client, 'estimate');
    const line = lineOf(container);
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(answered).toBe(1));
    fireEvent.change(screen.getByLabelText('Current level'), { target: { value: 'advanced' } });
    expect(asked.mock.calls[0]?.[1]?.signal?.aborted).toBe(true);
    await rest(300);
    await vi.waitFor(() => expect(line?.textContent).toBe('≈ $0.0349, about 57 model calls'));
    expect(asked.mock.calls[1]?.[0].preferences.current_level).toBe('advanced');
    expect(asked.mock.calls[1]?.[1]?.signal?.aborted).toBe(false);
    releaseFirst();
    await rest(0);
    expect(line?.textContent).toBe('≈ $0.0349, about 57 model calls');
  });

  it('shows nothing when the estimate fails', async () => {
    let failing = false;
    recordEstimates(() =>
      failing
        ? HttpResponse.json({ detail: 'The server is shutting down.', code: 'unavailable' }, { status: 503 })
        : undefined,
    );
    const { container } = renderWithProvider(<GenerateRoadmapForm />);
    const line = lineOf(container);
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(line?.textContent).toBe('≈ $0.0455, about 75 model calls'));
    failing = true;
    type(screen.getByLabelText('Learning goal'), ' for services');
    await rest(300);
    await vi.waitFor(() => expect(line?.textContent).toBe(''));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('button', { name: 'Generate roadmap' }).hasAttribute('disabled')).toBe(false);
  });

  it('says only the calls for a model without a price', async () => {
    server.use(estimateRoute({ priced: false }));
    const { container } = renderWithProvider(<GenerateRoadmapForm />);
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(lineOf(container)?.textContent).toBe('About 75 model calls'));
  });

  it('speaks Chinese, priced or not', async () => {
    server.use(estimateRoute({ priced: false }));
    const unpriced = renderWithProvider(<GenerateRoadmapForm />, { labels: chineseLabels });
    type(screen.getByLabelText('学习目标'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(lineOf(unpriced.container)?.textContent).toBe('大约 75 次模型调用'));
    unpriced.unmount();

    server.resetHandlers();
    const priced = renderWithProvider(<GenerateRoadmapForm />, { labels: chineseLabels });
    type(screen.getByLabelText('学习目标'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(lineOf(priced.container)?.textContent).toBe('约 US$0.0455，大约 75 次模型调用'));
    vi.useRealTimers(); // axe schedules its work with setTimeout
    await expectNoAxeViolations(priced.container);
  });

  it('asks nothing about invalid inputs, nor with showEstimate={false}', async () => {
    const bodies = recordEstimates();
    const invalid = renderWithProvider(<GenerateRoadmapForm />);
    type(screen.getByLabelText('Learning goal'), 'Go');
    await rest(1_000);
    expect(bodies).toEqual([]);
    expect(lineOf(invalid.container)?.textContent).toBe('');
    invalid.unmount();

    const changes: string[] = [];
    const off = renderWithProvider(
      <GenerateRoadmapForm showEstimate={false} onChange={(event) => changes.push(event.type)} />,
    );
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(1_000);
    expect(bodies).toEqual([]);
    expect(lineOf(off.container)).toBeNull();
    // The consumer's onChange still hears every keystroke.
    expect(changes).toHaveLength('Learn Rust'.length);
  });

  it("keeps the estimate working beside the consumer's onChange", async () => {
    const changes: string[] = [];
    const { container } = renderWithProvider(<GenerateRoadmapForm onChange={(event) => changes.push(event.type)} />);
    type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await rest(300);
    await vi.waitFor(() => expect(lineOf(container)?.textContent).toBe('≈ $0.0455, about 75 model calls'));
    expect(changes).toHaveLength('Learn Rust'.length);
  });
});
