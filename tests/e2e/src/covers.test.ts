import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../../examples/server/src/serverProcess.js';
import {
  api,
  describeWithBrowser,
  generateBody,
  type Harness,
  type ImageWebhook,
  startHarness,
  startImageWebhook,
} from './harness.js';

/**
 * A cover that really fails: the server's image provider is a webhook (this test's HTTP server) that answers
 * `{ status: "error" }` until the test lets it succeed. Automatic retries wait 30 s and more (coverService backoff),
 * so the failure sticks long enough to be seen; the home page's one batch-generate of failed covers fails again.
 * Then the webhook is healed and the "Retry Cover Generation" button fixes the cover.
 */

let harness: Harness;
let webhook: ImageWebhook;
let page: Page;

interface CoverBody {
  status: string;
  cover_image_url: string | null;
  retry_count: number;
}

describeWithBrowser('cover failure and retry (Chromium, webhook image provider)', () => {
  beforeAll(async () => {
    webhook = await startImageWebhook();
    harness = await startHarness({
      ROADMAP_IMAGE_PROVIDER: 'webhook',
      ROADMAP_IMAGE_WEBHOOK_URL: webhook.url,
      ROADMAP_DEMO_LATENCY_MS: '20',
    });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await webhook?.close();
  });

  it('shows "Retry Cover Generation" on a failed cover, and retrying fixes it', async () => {
    const generated = await api<{ roadmap_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'carol',
      generateBody('Learn Go for cloud services'),
    );
    expect(generated.status).toBe(202);
    const roadmapId = generated.body.roadmap_id;
    await waitFor('the cover to fail', async () => {
      const { body } = await api<CoverBody>(harness.server, 'GET', `/roadmap/${roadmapId}/cover-image`, 'carol');
      return body.status === 'failed' ? body : undefined;
    });
    expect(webhook.requests.every((request) => request.answered === 'error')).toBe(true);

    expect(webhook.requests).toHaveLength(1);

    await harness.signIn('carol', '/');
    // On first load the home page generates the failed covers once (one batch request): that call reaches the
    // webhook and fails too, and the card follows the cover until it settles on `failed` again.
    const failed = await waitFor('the page to retry the cover once, and fail', async () => {
      if (webhook.requests.length < 2) return undefined;
      const { body } = await api<CoverBody>(harness.server, 'GET', `/roadmap/${roadmapId}/cover-image`, 'carol');
      return body.status === 'failed' ? body : undefined;
    });
    expect(webhook.requests).toHaveLength(2);
    expect(failed.cover_image_url).toBeNull();
    const retry = page.getByRole('button', { name: 'Retry Cover Generation' });
    await retry.waitFor();
    await harness.screenshot('11-cover-failed');

    webhook.failing = false;
    const before = webhook.requests.length;
    await retry.click();
    await page.waitForFunction(
      (origin) =>
        [...document.images].some((image) => image.src.startsWith(origin) && image.complete && image.naturalWidth > 0),
      new URL(webhook.url).origin,
    );
    await retry.waitFor({ state: 'detached' });
    expect(webhook.requests.length).toBe(before + 1);
    expect(webhook.requests.at(-1)?.answered).toBe('success');
    expect(webhook.imageRequests).toBeGreaterThanOrEqual(1);
    const { body: fixed } = await api<CoverBody>(harness.server, 'GET', `/roadmap/${roadmapId}/cover-image`, 'carol');
    expect(fixed.status).toBe('success');
    expect(fixed.cover_image_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/cover\/\d+\.svg$/);
    await harness.screenshot('12-cover-retried');
    expect(harness.pageErrors).toEqual([]);
  });
});
