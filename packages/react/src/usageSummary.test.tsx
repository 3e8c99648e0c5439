// @vitest-environment jsdom
import type { UsageResponse } from '@roadmap/core/client';
import { screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { chineseLabels } from './labels.js';
import { usageResponse } from './mockRoadmapApi.js';
import { api, expectNoAxeViolations, renderWithProvider, server, setUpTestServer } from './testSupport.js';
import { UsageSummary } from './usageSummary.js';

setUpTestServer();

/** The mock API's month: $1.23 spent, no budget. */
const month: UsageResponse = usageResponse;

/** Answers `GET /usage` with `bodies` in turn (the last one again after that); counts the requests. */
function serve(...bodies: UsageResponse[]) {
  const requests: string[] = [];
  server.use(
    http.get(api('/usage'), ({ request }) => {
      requests.push(request.headers.get('authorization') ?? '');
      return HttpResponse.json(bodies[Math.min(requests.length, bodies.length) - 1]);
    }),
  );
  return requests;
}

const terms = () =>
  Object.fromEntries(
    [...document.querySelectorAll('[data-slot="usage-list"] > div')].map((entry) => [
      entry.querySelector('dt')?.textContent,
      entry.querySelector('dd')?.textContent,
    ]),
  );

describe.each([
  ['without StrictMode', false],
  ['under StrictMode', true],
])('UsageSummary %s', (_name, strict) => {
  it('loads the usage with the provider client and shows spending without a limit, tokens and calls', async () => {
    const requests = serve(month);
    const { container } = renderWithProvider(<UsageSummary className="mine" />, { strict });
    const section = screen.getByRole('region', { name: 'Usage' });
    expect(section.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByText('Loading…')).toBeTruthy();
    await screen.findByText('This month: $1.23 spent, no limit');
    expect(section.getAttribute('aria-busy')).toBe('false');
    expect(section.className).toBe('roadmap-usage-summary mine');
    expect(terms()).toEqual({ 'Input tokens': '520,000', 'Output tokens': '638,750', 'Model calls': '214' });
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.queryByText(/reserved/)).toBeNull();
    expect(requests).toEqual(['Bearer test-token']);
    await expectNoAxeViolations(container);
  });

  it('shows the budget used, and what is reserved for calls in progress', async () => {
    serve({ ...month, budget_usd: 10, reserved_usd: 0.42 });
    const { container } = renderWithProvider(<UsageSummary />, { strict });
    await screen.findByText('This month: $1.23 spent of $10.00, $0.42 reserved');
    const bar = screen.getByRole('progressbar', { name: 'Budget used' });
    expect(bar.getAttribute('aria-valuenow')).toBe('12');
    await expectNoAxeViolations(container);
  });

  it("shows the server's message when the usage cannot be loaded", async () => {
    server.use(
      http.get(api('/usage'), () =>
        HttpResponse.json({ detail: 'Usage is unavailable', code: 'internal_error' }, { status: 500 }),
      ),
    );
    const { container } = renderWithProvider(<UsageSummary />, { strict });
    expect((await screen.findByRole('alert')).textContent).toBe('Usage is unavailable');
    expect(screen.queryByText('Loading…')).toBeNull();
    expect(container.querySelector('[data-slot="usage-list"]')).toBeNull();
    await expectNoAxeViolations(container);
  });
});

describe('UsageSummary', () => {
  it('names a daily period "Today", and a used-up budget fills the bar', async () => {
    serve({
      ...month,
      period_start: '2026-01-15T00:00:00.000Z',
      period_end: '2026-01-16T00:00:00.000Z',
      spent_usd: 0.52,
      budget_usd: 0.5,
    });
    renderWithProvider(<UsageSummary />);
    await screen.findByText('Today: $0.52 spent of $0.50');
    expect(screen.getByRole('progressbar', { name: 'Budget used' }).getAttribute('aria-valuenow')).toBe('100');
  });

  it('loads again on Refresh', async () => {
    const requests = serve(month, { ...month, spent_usd: 2.5, calls: 230 });
    renderWithProvider(<UsageSummary />);
    await screen.findByText('This month: $1.23 spent, no limit');
    await userEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    await screen.findByText('This month: $2.50 spent, no limit');
    expect(terms()['Model calls']).toBe('230');
    expect(requests).toHaveLength(2);
  });

  it('speaks Chinese with chineseLabels', async () => {
    serve({ ...month, budget_usd: 10 });
    renderWithProvider(<UsageSummary />, { labels: chineseLabels });
    await screen.findByText('本月：已花费 US$1.23，预算 US$10.00');
    expect(screen.getByRole('region', { name: '用量' })).toBeTruthy();
    expect(screen.getByRole('progressbar', { name: '预算已用' })).toBeTruthy();
    await waitFor(() => expect(terms()).toEqual({ '输入 token': '520,000', '输出 token': '638,750', 模型调用: '214' }));
  });
});
