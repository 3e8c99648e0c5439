import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, describeWithBrowser, generateBody, type Harness, startHarness } from './harness.js';

/**
 * "My roadmaps" is live: a roadmap generated somewhere else (another tab, the API) appears on the home page without a
 * reload, over the same user-wide event stream as the task list, and its cover arrives the same way.
 */

let harness: Harness;
let page: Page;

describeWithBrowser('My roadmaps, live (Chromium)', () => {
  beforeAll(async () => {
    harness = await startHarness({ ROADMAP_DEMO_LATENCY_MS: '20' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('shows a roadmap generated elsewhere, and its cover, without a reload', async () => {
    await harness.signIn('dora', '/');
    await page.getByRole('heading', { name: 'My roadmaps' }).waitFor();
    const loads = await page.evaluate(() => performance.getEntriesByType('navigation').length);

    const generated = await api<{ roadmap_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'dora',
      generateBody('Learn TypeScript generics'),
    );
    expect(generated.status).toBe(202);
    const card = page.locator(`[data-roadmap-id="${generated.body.roadmap_id}"]`);
    await card.waitFor({ timeout: 15_000 });
    await card.getByText('TypeScript generics roadmap', { exact: false }).waitFor();
    await card.locator('img').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(loads);
    await harness.screenshot('20-live-roadmap');
    expect(harness.pageErrors).toEqual([]);
  });
});
