import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, describeWithBrowser, generateBody, type Harness, startHarness, waitForStatus } from './harness.js';

/**
 * A streaming tutorial in the demo web app on the real reference server, in Chromium (SPEC §7): the concept page
 * shows the tutorial's text growing while it is generated, a reload shows what was already written at once and it
 * goes on growing, and the complete tutorial replaces it.
 */

let harness: Harness;
let page: Page;

interface RoadmapBody {
  stages: { modules: { concepts: { concept_id: string }[] }[] }[];
}
interface ConceptBody {
  tutorial: unknown;
  partial_tutorial: { content: string; status: string } | null;
}

/** The length of the streaming tutorial's text on the page (-1 when none shows). */
const streamedLength = (target: Page) =>
  target.evaluate(() => document.querySelector('[data-slot="streaming-tutorial"]')?.textContent?.length ?? -1);

describeWithBrowser('streaming tutorials in the demo web app (Chromium, reference server)', () => {
  beforeAll(async () => {
    // 6 s a model call, one concept at a time: each tutorial streams for 6 s (its first text after about 2 s).
    harness = await startHarness({ ROADMAP_DEMO_LATENCY_MS: '6000', ROADMAP_CONCURRENCY: '1' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it("a concept's text grows while generating and survives a reload", async () => {
    await harness.signIn('dave', '/');
    const { body } = await api<{ task_id: string; roadmap_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'dave',
      generateBody('Learn Elixir for concurrent services'),
    );
    // The framework is designed first (3 calls); then the first concept's tutorial starts streaming.
    await waitForStatus(harness.server, 'dave', body.task_id, ['processing'], 30_000);
    let roadmap: RoadmapBody | undefined;
    for (let tries = 0; !roadmap; tries += 1) {
      expect(tries).toBeLessThan(400);
      const answer = await api<RoadmapBody>(harness.server, 'GET', `/roadmaps/${body.roadmap_id}`, 'dave');
      if (answer.status === 200) roadmap = answer.body;
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const conceptId = roadmap.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? '';
    const conceptPath = `/roadmaps/${body.roadmap_id}/concepts/${conceptId}`;
    await page.goto(`${harness.server.url}${conceptPath}`);

    // The text grows while it is generated.
    await page.locator('[data-slot="streaming-tutorial"][aria-busy="true"]').waitFor({ timeout: 30_000 });
    const first = await streamedLength(page);
    await page.waitForFunction((before) => {
      const length = document.querySelector('[data-slot="streaming-tutorial"]')?.textContent?.length ?? -1;
      return length > before;
    }, first);
    const grown = await streamedLength(page);
    expect(grown).toBeGreaterThan(first);
    await harness.screenshot('streaming-01-growing');

    // A reload shows what was already written at once (from the server's stored partial text), then goes on.
    const stored = await api<ConceptBody>(harness.server, 'GET', conceptPath, 'dave');
    expect(stored.body.partial_tutorial?.status).toBe('generating');
    await page.reload();
    await page.locator('[data-slot="streaming-tutorial"]').waitFor();
    const afterReload = await streamedLength(page);
    expect(afterReload).toBeGreaterThanOrEqual(Math.min(grown, stored.body.partial_tutorial?.content.length ?? 0));
    await page.waitForFunction((before) => {
      const region = document.querySelector('[data-slot="streaming-tutorial"]');
      return region === null || (region.textContent?.length ?? -1) > before;
    }, afterReload);

    // Complete: the whole tutorial replaces the streamed text.
    await page.locator('[data-slot="streaming-tutorial"]').waitFor({ state: 'detached', timeout: 30_000 });
    const complete = await api<ConceptBody>(harness.server, 'GET', conceptPath, 'dave');
    expect(complete.body.tutorial).not.toBeNull();
    expect(complete.body.partial_tutorial).toBeNull();
    await harness.screenshot('streaming-02-complete');
    await api(harness.server, 'POST', `/roadmaps/tasks/${body.task_id}/cancel`, 'dave', {});
    expect(harness.pageErrors).toEqual([]);
  }, 120_000);
});
