import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, describeWithBrowser, type Harness, startHarness, waitForStatus } from './harness.js';

/**
 * Budgets in the demo web app on the real reference server, in Chromium (SPEC §7): a roadmap created through the form
 * with a budget too small for its calls pauses on budget before the call that could pass it; the task page says so,
 * and raising the budget there resumes it.
 */

let harness: Harness;
let page: Page;

interface TaskState {
  status: string;
  pause_reason: string | null;
  budget_usd: number | null;
  usage: { calls: number; cost_usd: number | null };
}

describeWithBrowser('budgets in the demo web app (Chromium, reference server)', () => {
  beforeAll(async () => {
    harness = await startHarness({ ROADMAP_DEMO_LATENCY_MS: '200', ROADMAP_CONCURRENCY: '1' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('a task pauses on budget and resumes when the budget is raised', async () => {
    await harness.signIn('carol', '/roadmaps/new');
    await page.getByLabel('Learning goal').fill('Learn Kotlin for Android apps');
    // The demo model is priced like gpt-4o-mini: a call may cost up to about $0.003, so $0.004 covers a call or two.
    await page.getByLabel('Budget for this roadmap (US$, optional)').fill('0.004');
    await page.getByRole('button', { name: 'Generate roadmap' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    const taskId = new URL(page.url()).pathname.split('/').pop() ?? '';

    // Paused before the call that could pass $0.004: the panel says why and offers a higher budget.
    await page.getByRole('heading', { name: 'Paused: the budget is used up' }).waitFor();
    await page.getByText('Paused', { exact: true }).first().waitFor();
    const paused = await api<TaskState>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'carol');
    expect(paused.body).toMatchObject({ status: 'paused', pause_reason: 'budget', budget_usd: 0.004 });
    expect(paused.body.usage.cost_usd ?? 1).toBeLessThanOrEqual(0.004);
    await harness.screenshot('budget-01-paused');

    const field = page.getByLabel('New budget (US$)');
    await field.fill('1');
    await page.getByRole('button', { name: 'Raise budget and resume' }).click();
    // Resumed with the new budget: it runs on, past the calls the old budget allowed.
    await page.getByRole('heading', { name: 'Paused: the budget is used up' }).waitFor({ state: 'detached' });
    const after = await api<TaskState>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'carol');
    expect(after.body.budget_usd).toBe(1);
    // Model calls go on past those the old budget allowed.
    await waitForStatus(harness.server, 'carol', taskId, ['processing', 'completed'], 30_000);
    for (let tries = 0; ; tries += 1) {
      const now = await api<TaskState>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'carol');
      if (now.body.usage.calls > paused.body.usage.calls + 2) break;
      expect(tries).toBeLessThan(150);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await harness.screenshot('budget-02-resumed');
    // Done with it: cancel rather than wait for every concept.
    await api(harness.server, 'POST', `/roadmaps/tasks/${taskId}/cancel`, 'carol', {});
    expect(harness.pageErrors).toEqual([]);
  }, 90_000);
});
