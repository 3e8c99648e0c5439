import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it, onTestFinished } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../../examples/server/src/fakeOpenAIServer.js';
import { api, describeWithBrowser, generateBody, type Harness, startHarness, waitForStatus } from './harness.js';

/**
 * The data lifecycle and the learner's view (SPEC §9) in the demo app, in Chromium on the reference server, whose
 * model is an OpenAI-compatible server the test watches: deleting a running task from the list stops its model calls
 * and removes it for good; "Export → Markdown" downloads a file naming every concept; a quiz is answered and scored.
 */

let harness: Harness;
let page: Page;
let model: FakeOpenAIServer;
/** Index of the first model call held until its client goes away (the task being deleted is still generating). */
let holdFrom: number | undefined;

interface TaskBody {
  status: string;
  progress: { completed: number; total: number };
}

interface RoadmapBody {
  stages: { name: string; modules: { name: string; concepts: { concept_id: string; name: string }[] }[] }[];
}

interface QuizQuestion {
  question: string;
  options: string[];
  correct_answer: number[];
}

/** Polls `check` every 50 ms until it returns a value, or fails naming `what` after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Generates a roadmap for `userId` through the API and waits until it completed; answers its ids. */
async function completedRoadmap(userId: string, goal: string) {
  const { body } = await api<{ task_id: string; roadmap_id: string }>(
    harness.server,
    'POST',
    '/roadmaps/generate',
    userId,
    generateBody(goal),
  );
  const done = await waitForStatus(
    harness.server,
    userId,
    body.task_id,
    ['completed', 'partial_failure', 'failed'],
    60_000,
  );
  expect(done.status).toBe('completed');
  const roadmap = (await api<RoadmapBody>(harness.server, 'GET', `/roadmaps/${body.roadmap_id}`, userId)).body;
  return { ...body, roadmap };
}

describeWithBrowser('data lifecycle and quizzes in the demo app (Chromium, reference server)', () => {
  beforeAll(async () => {
    // 300 ms a call, three concepts at a time; calls from `holdFrom` on wait until their client goes away.
    model = await startFakeOpenAIServer({
      latencyMs: (_call, index) => (holdFrom !== undefined && index >= holdFrom ? 600_000 : 300),
    });
    harness = await startHarness({
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: model.baseUrl,
      ROADMAP_CONCURRENCY: '3',
    });
    page = harness.page;
  }, 120_000);

  afterAll(async () => {
    await harness?.close();
    await model?.close();
  });

  it('delete a running task from the list: its model calls stop, the row goes, a reload does not bring it back', async () => {
    // The three framework calls and the first two concepts answer; every call after them is held, so the task is
    // generating with calls in flight whenever the delete arrives.
    holdFrom = model.calls.length + 3 + 6;
    onTestFinished(() => {
      holdFrom = undefined;
    });
    const { body } = await api<{ task_id: string }>(
      harness.server,
      'POST',
      '/roadmaps/generate',
      'erin',
      generateBody('Learn Elixir for web services'),
    );
    const taskId = body.task_id;
    await harness.signIn('erin', '/tasks');
    const row = page.locator(`tr[data-task-id="${taskId}"]`);
    await row.waitFor();
    // Generating content, with model calls in flight.
    await until('content generation with calls in flight', async () => {
      const task = (await api<TaskBody>(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'erin')).body;
      const inFlight = model.calls.filter((call) => !call.answered && !call.abandoned);
      return task.progress.completed >= 2 && inFlight.length > 0 ? task : undefined;
    });
    expect(await row.getAttribute('data-status')).toBe('processing');

    await row.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Delete this task?' });
    await dialog.waitFor();
    await harness.screenshot('30-delete-dialog');
    await dialog.getByRole('button', { name: 'Delete task' }).click();
    await row.waitFor({ state: 'detached' });

    expect((await api(harness.server, 'GET', `/roadmaps/tasks/${taskId}`, 'erin')).status).toBe(404);
    // Every call in flight at the delete was aborted (its connection closed), and none started after.
    await until('no model call in flight', () =>
      model.calls.every((call) => call.answered || call.abandoned) ? true : undefined,
    );
    expect(model.calls.some((call) => call.abandoned)).toBe(true);
    const callsAfterDelete = model.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(model.calls.length).toBe(callsAfterDelete);

    await page.reload();
    await page.getByText('Nothing here yet.').waitFor();
    expect(await page.locator(`tr[data-task-id="${taskId}"]`).count()).toBe(0);
    const listed = await api<{ tasks: { task_id: string }[] }>(harness.server, 'GET', '/roadmaps/tasks', 'erin');
    expect(listed.body.tasks).toEqual([]);
    await harness.screenshot('31-deleted');
  }, 90_000);

  it('Export → Markdown downloads a file naming every concept of the roadmap', async () => {
    const { roadmap_id: roadmapId, roadmap } = await completedRoadmap('frank', 'Learn Go for command-line tools');
    await harness.signIn('frank', `/roadmaps/${roadmapId}`);
    const exports = page.getByRole('group', { name: 'Export' });
    await exports.waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      exports.getByRole('button', { name: 'Markdown (.md)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${roadmapId}.md`);
    const file = await download.path();
    const markdown = await readFile(file, 'utf8');
    const concepts = roadmap.stages.flatMap((stage) => stage.modules.flatMap((module) => module.concepts));
    expect(concepts.length).toBeGreaterThan(3);
    for (const concept of concepts) expect(markdown).toContain(concept.name);
    for (const stage of roadmap.stages) expect(markdown).toContain(stage.name);
  }, 90_000);

  it('answers a quiz in the concept view and sees the score', async () => {
    const { roadmap_id: roadmapId, roadmap } = await completedRoadmap('gina', 'Learn SQL for analytics');
    const conceptId = roadmap.stages[0]?.modules[0]?.concepts[0]?.concept_id ?? '';
    const quiz = (
      await api<{ quiz: QuizQuestion[] }>(harness.server, 'GET', `/roadmaps/${roadmapId}/concepts/${conceptId}`, 'gina')
    ).body.quiz;
    expect(quiz.length).toBeGreaterThanOrEqual(5);
    await harness.signIn('gina', `/roadmaps/${roadmapId}/concepts/${conceptId}`);
    const region = page.getByRole('region', { name: 'Quiz', exact: true });
    await region.waitFor();
    // Every question answered right but the first, whose first wrong option is picked.
    for (const [index, question] of quiz.entries()) {
      const group = region.getByRole('group', { name: question.question, exact: true });
      const picks =
        index === 0
          ? [question.options.findIndex((_, option) => !question.correct_answer.includes(option))]
          : question.correct_answer;
      for (const option of picks) {
        await group.getByLabel(question.options[option] ?? '', { exact: true }).check();
      }
    }
    await region.getByRole('button', { name: 'Check answers' }).click();
    await expect
      .poll(() => region.getByRole('status').textContent())
      .toBe(`${quiz.length - 1} of ${quiz.length} correct`);
    expect(await region.locator('[data-result="incorrect"]').count()).toBe(1);
    await harness.screenshot('32-quiz-scored');
  }, 90_000);

  it('had no uncaught errors in the page', () => {
    // The deleted task's page requests may answer 404 while the list settles.
    expect(harness.pageErrors.filter((line) => !line.includes(' 404 '))).toEqual([]);
  });
});
