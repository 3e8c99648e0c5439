// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { GenerateRoadmapForm } from './generateRoadmapForm.js';
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
});
