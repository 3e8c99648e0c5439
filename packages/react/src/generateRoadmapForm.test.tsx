// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { GenerateRoadmapForm } from './generateRoadmapForm.js';
import { chineseLabels } from './labels.js';
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

  it('shows what a generation would cost once the inputs rest, and follows changes of the hours', async () => {
    const bodies: { preferences: { available_hours_per_week: number } }[] = [];
    server.use(
      http.post(api('/roadmaps/estimate'), async ({ request }) => {
        const body = (await request.json()) as (typeof bodies)[number];
        bodies.push(body);
        const calls = body.preferences.available_hours_per_week >= 8 ? 75 : 51;
        return HttpResponse.json({
          estimated_calls: calls,
          estimated_input_tokens: 40_000,
          estimated_output_tokens: 60_000,
          estimated_cost_usd: 0.0426,
        });
      }),
    );
    const { container } = renderWithProvider(<GenerateRoadmapForm />, { strict: true });
    const line = container.querySelector('[data-slot="estimate"]');
    expect(line?.getAttribute('aria-live')).toBe('polite');
    // An invalid goal asks nothing.
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Go');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(bodies).toEqual([]);
    await userEvent.type(screen.getByLabelText('Learning goal'), ' backend services');
    await waitFor(() => expect(line?.textContent).toBe('≈ $0.0426, about 75 model calls'));
    // Typing fast asks once, for the inputs it rested on.
    expect(bodies).toHaveLength(1);
    const hours = screen.getByLabelText('Hours per week');
    await userEvent.clear(hours);
    await userEvent.type(hours, '4');
    await waitFor(() => expect(line?.textContent).toBe('≈ $0.0426, about 51 model calls'));
    expect(bodies.at(-1)?.preferences.available_hours_per_week).toBe(4);
    await expectNoAxeViolations(container);
  });

  it('says only the calls for a model without a price, in Chinese too, and nothing when the estimate fails', async () => {
    server.use(
      http.post(api('/roadmaps/estimate'), () =>
        HttpResponse.json({
          estimated_calls: 75,
          estimated_input_tokens: 40_000,
          estimated_output_tokens: 60_000,
          estimated_cost_usd: null,
        }),
      ),
    );
    const { container, unmount } = renderWithProvider(<GenerateRoadmapForm />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    const line = () => container.querySelector('[data-slot="estimate"]')?.textContent;
    await waitFor(() => expect(line()).toBe('About 75 model calls'));
    unmount();

    const chinese = renderWithProvider(<GenerateRoadmapForm />, { labels: chineseLabels });
    await userEvent.type(screen.getByLabelText('学习目标'), 'Learn Rust');
    await waitFor(() =>
      expect(chinese.container.querySelector('[data-slot="estimate"]')?.textContent).toBe('大约 75 次模型调用'),
    );
    chinese.unmount();

    server.use(http.post(api('/roadmaps/estimate'), () => HttpResponse.json({ detail: 'down' }, { status: 503 })));
    const failing = renderWithProvider(<GenerateRoadmapForm />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(failing.container.querySelector('[data-slot="estimate"]')?.textContent).toBe('');
  });

  it('asks nothing with showEstimate={false}', async () => {
    let asked = 0;
    server.use(
      http.post(api('/roadmaps/estimate'), () => {
        asked += 1;
        return HttpResponse.json({});
      }),
    );
    const { container } = renderWithProvider(<GenerateRoadmapForm showEstimate={false} />);
    await userEvent.type(screen.getByLabelText('Learning goal'), 'Learn Rust');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(asked).toBe(0);
    expect(container.querySelector('[data-slot="estimate"]')).toBeNull();
  });
});
