import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, describeWithBrowser, generateBody, type Harness, startHarness, waitForStatus } from './harness.js';

/**
 * The demo web app on the real reference server, in Chromium: sign in, see the form's cost estimate before Generate,
 * create a roadmap through the form, watch its
 * progress, cancel it from the detail page, see `cancelled` on the detail page and in the task list, see covers on
 * the home page, read a concept, switch language and theme.
 */

let harness: Harness;
let page: Page;

/** The first progress bar's value (aria-valuenow), or -1. */
function progressValue(target: Page): Promise<number> {
  return target.evaluate(() => {
    const bar = document.querySelector('[role="progressbar"]');
    const value = Number(bar?.getAttribute('aria-valuenow') ?? Number.NaN);
    return Number.isFinite(value) ? value : -1;
  });
}

/** Waits until the first progress bar shows more than `than`. */
async function waitForProgressAbove(target: Page, than: number): Promise<number> {
  await target.waitForFunction((limit) => {
    const bar = document.querySelector('[role="progressbar"]');
    return Number(bar?.getAttribute('aria-valuenow') ?? Number.NaN) > limit;
  }, than);
  return progressValue(target);
}

describeWithBrowser('demo web app (Chromium, reference server)', () => {
  beforeAll(async () => {
    // Slow enough to watch progress and cancel mid-way: 500 ms a model call, one concept at a time.
    harness = await startHarness({ ROADMAP_DEMO_LATENCY_MS: '500', ROADMAP_CONCURRENCY: '1' });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
  });

  let taskId = '';
  let roadmapId = '';

  it('asks to sign in without a token, and explains the printed link', async () => {
    await page.goto(`${harness.server.url}/tasks`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('#token=', { exact: false }).first().waitFor();
    // The server runs with a real secret here: no dev login button, an explanation instead.
    await page.getByText('does not hand out dev logins').waitFor();
    await harness.screenshot('01-sign-in');
  });

  it('signs in with the link and lands on the new roadmap form', async () => {
    await harness.signIn('alice', '/roadmaps/new');
    await page.getByLabel('Learning goal').waitFor();
    // The token left the address bar (and the history).
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.evaluate(() => localStorage.getItem('roadmap-demo.token'))).toBeTruthy();
  });

  it('estimate shown before generate', async () => {
    const estimate = page.locator('[data-slot="estimate"]');
    expect(await estimate.getAttribute('aria-live')).toBe('polite');
    expect(await estimate.textContent()).toBe(''); // no goal yet: nothing asked, nothing shown

    await page.getByLabel('Learning goal').fill('Learn Rust for systems programming');
    // From POST /roadmaps/estimate once the input rests (no model call; the demo model is priced like gpt-4o-mini).
    await estimate.getByText(/^≈ \$0\.\d+, about \d+ model calls$/).waitFor();
    expect(await page.getByRole('button', { name: 'Generate roadmap' }).isEnabled()).toBe(true);
    // Nothing was generated to get it.
    const { body } = await api<{ tasks: unknown[] }>(harness.server, 'GET', '/roadmaps/tasks', 'alice');
    expect(body.tasks).toEqual([]);
    await harness.screenshot('02-new-roadmap-form');
  });

  it('creates a roadmap through the form and lands on its task page', async () => {
    await page.getByRole('button', { name: 'Generate roadmap' }).click();
    await page.waitForURL(/\/tasks\/[0-9a-f-]{36}$/);
    taskId = new URL(page.url()).pathname.split('/').pop() ?? '';
    const { body } = await api<{ roadmap_id: string }>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'alice');
    roadmapId = body.roadmap_id;
    expect(roadmapId).toMatch(/^learn-rust/);
  });

  it('shows progress moving on the task detail page', async () => {
    await page.getByRole('button', { name: 'Cancel Task' }).waitFor();
    const first = await waitForProgressAbove(page, 0);
    const later = await waitForProgressAbove(page, first);
    expect(later).toBeGreaterThan(first);
    await page.locator('[data-current="true"]').first().waitFor();
    await harness.screenshot('03-task-progress');
  });

  it('cancels from the detail page through the dialog and shows cancelled', async () => {
    await page.getByRole('button', { name: 'Cancel Task' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Keep running' }).waitFor();
    await harness.screenshot('04-cancel-dialog');
    await dialog.getByRole('button', { name: 'Cancel task' }).click();
    await dialog.waitFor({ state: 'hidden' });

    const task = await waitForStatus(harness.server, 'alice', taskId, ['cancelled', 'completed'], 10_000);
    expect(task.status).toBe('cancelled');
    await page.getByText('Cancelled', { exact: true }).first().waitFor();
    // No cancel button on a cancelled task.
    await page.getByRole('button', { name: 'Cancel Task' }).waitFor({ state: 'detached' });
    await harness.screenshot('05-task-cancelled');
  });

  it('shows the task as cancelled in the task list', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL(/\/tasks$/);
    const row = page.locator(`[data-task-id="${taskId}"]`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
    await row.locator('[data-slot="status-badge"]', { hasText: 'Cancelled' }).waitFor();
    expect(await row.getByRole('button', { name: 'Cancel task' }).count()).toBe(0);
    await harness.screenshot('06-task-list');
  });

  it('selects three running tasks in the list (Shift+click) and cancels them with one confirmation', async () => {
    const created: string[] = [];
    for (const goal of ['Learn Go for network services', 'Learn Zig for embedded work', 'Learn Elixir for web apps']) {
      const { body } = await api<{ task_id: string }>(
        harness.server,
        'POST',
        '/roadmaps/generate',
        'alice',
        generateBody(goal),
      );
      created.push(body.task_id);
    }
    await page.reload();
    const rows = created.map((id) => page.locator(`[data-task-id="${id}"]`));
    for (const row of rows) await row.waitFor();
    // The list is newest first: the third task's row comes first, so Shift+click on the first task's selects all three.
    await rows[2]?.getByRole('checkbox').click();
    await rows[0]?.getByRole('checkbox').click({ modifiers: ['Shift'] });
    await page.getByText('3 selected').waitFor();
    await page.getByRole('button', { name: 'Cancel selected' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Cancel 3 tasks?' }).waitFor();
    await harness.screenshot('06b-cancel-selected');
    await dialog.getByRole('button', { name: 'Cancel tasks' }).click();
    await dialog.waitFor({ state: 'detached' });
    for (const row of rows) {
      await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
    }
    for (const id of created) {
      const { body } = await api<{ status: string }>(harness.server, 'GET', `/roadmaps/tasks/${id}`, 'alice');
      expect(body.status).toBe('cancelled');
    }
  });

  it('shows the roadmap with its cover on the home page', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My roadmaps' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await page.waitForFunction(() =>
      [...document.images].some(
        (image) => image.complete && image.naturalWidth > 0 && image.src.includes('/api/v1/cover-images/'),
      ),
    );
    const loaded = await page.evaluate(() =>
      [...document.images]
        .filter((image) => image.src.includes('/api/v1/cover-images/'))
        .map((image) => ({ width: image.naturalWidth, alt: image.alt })),
    );
    expect(loaded[0]?.width).toBeGreaterThan(0);
    expect(loaded[0]?.alt).toMatch(/Rust/i);
    await harness.screenshot('07-home-covers');
  });

  it('opens the roadmap and reads a generated concept', async () => {
    await page.locator(`a[href="/roadmaps/${roadmapId}"]`).first().click();
    await page.waitForURL(new RegExp(`/roadmaps/${roadmapId}$`));
    const conceptLinks = page.locator(`a[href^="/roadmaps/${roadmapId}/concepts/"]`);
    await conceptLinks.first().waitFor();
    await harness.screenshot('08-roadmap');
    await conceptLinks.first().click();
    await page.waitForURL(new RegExp(`/roadmaps/${roadmapId}/concepts/`));
    await page.getByRole('heading', { name: 'Tutorial' }).first().waitFor();
    // The Markdown renderer and mermaid load on demand: the tutorial's diagram ends up drawn as an image.
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('figure[data-slot="mermaid"] img')].some(
        (image) => image.complete && image.naturalWidth > 0,
      ),
    );
    expect(await page.locator('[data-slot="markdown"] h3').count()).toBeGreaterThan(0);
    await harness.screenshot('09-concept');
    // A deep link loads the same page from the server (SPA fallback).
    await page.reload();
    await page.getByRole('heading', { name: 'Tutorial' }).first().waitFor();
  });

  it('switches to Chinese and to dark mode', async () => {
    await page.getByRole('button', { name: /Language/ }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: '任务' }).click();
    await page.getByRole('heading', { name: '生成任务' }).first().waitFor();
    await page.locator(`[data-task-id="${taskId}"] [data-slot="status-badge"]`, { hasText: '已取消' }).waitFor();
    await page.getByRole('button', { name: /^主题/ }).click(); // system → light
    await page.getByRole('button', { name: /^主题/ }).click(); // light → dark
    await page.locator('.roadmap-root[data-theme="dark"]').waitFor();
    await harness.screenshot('10-tasks-zh-dark');
    // Back to English, system theme, for whoever looks next.
    await page.getByRole('button', { name: /^主题/ }).click();
    await page.getByRole('button', { name: /语言/ }).click();
  });

  it('had no uncaught errors in the page', () => {
    // <TaskDetail> asks for the roadmap as soon as the task left `queued`; until curriculum design has stored it the
    // server answers 404 (expected, the component shows the tree once it exists). Anything else is a fault.
    const roadmapNotYetDesigned = new RegExp(`/api/v1/roadmaps/${roadmapId}(?:\\)|$)`);
    expect(harness.pageErrors.filter((line) => !(line.includes('404') && roadmapNotYetDesigned.test(line)))).toEqual(
      [],
    );
  });
});
