import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, describeWithBrowser, generateBody, type Harness, startHarness, waitForStatus } from './harness.js';

/**
 * Control beyond cancel (SPEC §7) in the demo app, in Chromium on the reference server: a roadmap generated with
 * "review the outline first" waits for the user, who asks for changes and then approves; a running task is paused
 * (its progress stops) and resumed to completion.
 */

let harness: Harness;
let page: Page;

interface TaskBody {
  status: string;
  review_round: number;
  progress: { completed: number; failed: number; total: number };
}

const taskOf = async (taskId: string) =>
  (await api<TaskBody>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'carol')).body;

describeWithBrowser('review, pause and resume in the demo app (Chromium, reference server)', () => {
  beforeAll(async () => {
    // Slow enough to pause mid-way, fast enough to finish: 250 ms a call, two concepts at a time.
    harness = await startHarness({ ROADMAP_DEMO_LATENCY_MS: '250', ROADMAP_CONCURRENCY: '2' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('review: the form asks for a review → request changes → round 2 shows them → approve → completed', async () => {
    await harness.signIn('carol', '/roadmaps/new');
    await page.getByLabel('Learning goal').fill('Learn Go for network services');
    await page.getByLabel('Let me review the outline before content is generated').check();
    await page.getByRole('button', { name: 'Generate roadmap' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    const taskId = new URL(page.url()).pathname.split('/').pop() ?? '';

    await page.getByRole('heading', { name: /Review the proposed roadmap \(round 1 of 5\)/ }).waitFor();
    await page.locator('[data-slot="status-badge"]', { hasText: 'Needs review' }).first().waitFor();
    expect((await taskOf(taskId)).progress.total).toBe(0);
    await harness.screenshot('10-review-panel');

    await page.getByLabel('What should change?').fill('More hands-on projects');
    await page.getByRole('button', { name: 'Request changes' }).click();
    await page.getByRole('heading', { name: /round 2 of 5/ }).waitFor();
    await page.getByText('More hands-on projects', { exact: false }).first().waitFor();
    expect((await taskOf(taskId)).review_round).toBe(2);

    await page.getByRole('button', { name: 'Approve' }).click();
    const done = await waitForStatus(
      harness.server,
      'carol',
      taskId,
      ['completed', 'failed', 'partial_failure'],
      60_000,
    );
    expect(done.status).toBe('completed');
    await page.locator('[data-slot="status-badge"]', { hasText: 'Completed' }).first().waitFor();
    await harness.screenshot('11-review-approved-completed');
  }, 90_000);

  it('pause: progress stops and the badge says Paused; resume: the task completes', async () => {
    const { body } = await api<{ task_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'carol',
      generateBody('Learn Zig for embedded work'),
    );
    const taskId = body.task_id;
    await page.goto(`${harness.server.url}/tasks/${taskId}`);
    await page.waitForFunction(() => {
      const bar = document.querySelector('[role="progressbar"]');
      return Number(bar?.getAttribute('aria-valuenow') ?? 0) > 0;
    });
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    await page.locator('[data-slot="status-badge"]', { hasText: 'Paused' }).first().waitFor();
    // The calls in flight at the pause are stored; after that, nothing moves.
    await waitForStatus(harness.server, 'carol', taskId, ['paused'], 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const later = await taskOf(taskId);
    expect(later.status).toBe('paused');
    expect(later.progress.completed).toBeLessThan(later.progress.total);
    const frozen = later.progress.completed;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await taskOf(taskId)).progress.completed).toBe(frozen);
    await harness.screenshot('12-paused');

    await page.getByRole('button', { name: 'Resume' }).click();
    const done = await waitForStatus(
      harness.server,
      'carol',
      taskId,
      ['completed', 'failed', 'partial_failure'],
      60_000,
    );
    expect(done.status).toBe('completed');
    expect((await taskOf(taskId)).progress).toMatchObject({ failed: 0 });
    await page.locator('[data-slot="status-badge"]', { hasText: 'Completed' }).first().waitFor();
  }, 90_000);

  it('regenerate with feedback: only that tutorial changes, the new version shows, the original is restored', async () => {
    const { body } = await api<{ task_id: string; roadmap_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'carol',
      generateBody('Learn SQL for analytics'),
    );
    await waitForStatus(harness.server, 'carol', body.task_id, ['completed'], 60_000);
    const roadmap = (
      await api<{ stages: { modules: { concepts: { concept_id: string }[] }[] }[] }>(
        harness.server,
        'GET',
        `/roadmaps/${body.roadmap_id}`,
        'carol',
      )
    ).body;
    const conceptId = roadmap.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? '';
    await page.goto(`${harness.server.url}/roadmaps/${body.roadmap_id}/concepts/${conceptId}`);
    const tutorial = page.getByRole('region', { name: 'Tutorial', exact: true });
    await tutorial.getByRole('button', { name: 'Regenerate with feedback' }).click();
    await tutorial.getByLabel('What should be different?').fill('More examples, please');
    await tutorial.getByRole('button', { name: 'Regenerate', exact: true }).click();
    await tutorial.getByText('Revised: More examples, please').waitFor({ timeout: 30_000 });
    const versions = tutorial.getByRole('combobox', { name: 'Version' });
    await versions.waitFor();
    await harness.screenshot('13-regenerated');
    const listed = await api<{ versions: { version: number; current: boolean }[] }>(
      harness.server,
      'GET',
      `/roadmaps/${body.roadmap_id}/concepts/${conceptId}/tutorial/versions`,
      'carol',
    );
    expect(listed.body.versions.map((entry) => [entry.version, entry.current])).toEqual([
      [1, false],
      [2, true],
    ]);

    await versions.selectOption('1');
    await tutorial.getByText('Revised: More examples, please').waitFor({ state: 'detached' });
    const quiz = await api<{ versions: unknown[] }>(
      harness.server,
      'GET',
      `/roadmaps/${body.roadmap_id}/concepts/${conceptId}/quiz/versions`,
      'carol',
    );
    expect(quiz.body.versions).toEqual([]);
  }, 90_000);

  it('had no uncaught errors in the page', () => {
    expect(harness.pageErrors.filter((line) => !line.includes(' 404 '))).toEqual([]);
  });
});
