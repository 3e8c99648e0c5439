// @vitest-environment jsdom
// Every story, rendered as Storybook would (its args, decorators, loaders and msw handlers), under msw's Node server
// with the same handlers; each asserts what a user would see, and the task screens are checked with axe.
import { composeStories, setProjectAnnotations } from '@storybook/react-vite';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import axe from 'axe-core';
import type { SetupWorker } from 'msw/browser';
import { setupServer } from 'msw/node';
import { mswLoader } from 'msw-storybook-addon/csf3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { annotations } from '../../../.storybook/preview.js';
import * as conceptContentStories from './conceptContent.stories.js';
import * as coverImageStories from './coverImage.stories.js';
import * as generateRoadmapFormStories from './generateRoadmapForm.stories.js';
import { quizError } from './mockDataLifecycle.js';
import { conceptDetail, roadmap, roadmapSummaries, taskSummaries, tasks } from './mockRoadmapApi.js';
import * as progressBarStories from './progressBar.stories.js';
import * as quizPracticeStories from './quizPractice.stories.js';
import * as roadmapCardStories from './roadmapCard.stories.js';
import * as roadmapGridStories from './roadmapGrid.stories.js';
import * as roadmapLinkStories from './roadmapLink.stories.js';
import * as roadmapViewStories from './roadmapView.stories.js';
import * as statusBadgeStories from './statusBadge.stories.js';
import * as taskDetailStories from './taskDetail.stories.js';
import * as taskListStories from './taskList.stories.js';
import * as usageSummaryStories from './usageSummary.stories.js';

const server = setupServer();

// jsdom cannot lay out a diagram: the stories' `import('mermaid')` gets a stand-in that draws a fixed SVG.
vi.mock('mermaid', () => ({
  default: {
    initialize: () => undefined,
    render: async (id: string) => ({
      svg: `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 90"><rect width="320" height="90"/></svg>`,
    }),
  },
}));

// The preview's decorators, parameters (default handlers) and loaders; msw's loader drives the Node server here
// instead of the browser's service worker (it only calls `resetHandlers` and `use`, which both have).
setProjectAnnotations([annotations, { loaders: [mswLoader(() => server as unknown as SetupWorker)] }]);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => cleanup());
afterAll(() => server.close());

type Canvas = ReturnType<typeof within>;
/** What a user sees in one story. `container` is the story's canvas; dialogs render into `document.body`. */
type Expectation = (canvas: Canvas, container: HTMLElement) => Promise<void> | void;

/** Nothing arrives while the request hangs: the loading state holds. */
const stillLoading = async (container: HTMLElement, selector: string) => {
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(container.querySelector(selector)?.getAttribute('aria-busy')).toBe('true');
};

const rows = (container: HTMLElement) => [...container.querySelectorAll<HTMLElement>('tr[data-task-id]')];

/** The terms and values of the usage list in `container`. */
const usageTerms = (container: HTMLElement) =>
  Object.fromEntries(
    [...container.querySelectorAll('[data-slot="usage-list"] > div')].map((entry) => [
      entry.querySelector('dt')?.textContent,
      entry.querySelector('dd')?.textContent,
    ]),
  );

/** Violations of axe's WCAG A/AA and best-practice rules (jsdom cannot lay out, so contrast is left to Storybook). */
async function violations(context: Element) {
  const result = await axe.run(context, { rules: { 'color-contrast': { enabled: false } } });
  return result.violations.map(
    (violation) => `${violation.id}: ${violation.nodes.map((node) => node.html).join(' | ')}`,
  );
}

const [firstRoadmap] = roadmapSummaries;

const files = {
  StatusBadge: {
    stories: composeStories(statusBadgeStories),
    expect: {
      Pending: (canvas) => expect(canvas.getByText('Pending').dataset.status).toBe('pending'),
      Processing: (canvas) => expect(canvas.getByText('Processing').dataset.status).toBe('processing'),
      Completed: (canvas) => expect(canvas.getByText('Completed').dataset.status).toBe('completed'),
      Failed: (canvas) => expect(canvas.getByText('Failed').dataset.status).toBe('failed'),
      PartialFailure: (canvas) => expect(canvas.getByText('Partially failed').dataset.status).toBe('partial_failure'),
      Cancelled: (canvas) => expect(canvas.getByText('Cancelled').dataset.status).toBe('cancelled'),
      Generating: (canvas) => expect(canvas.getByText('Generating').dataset.status).toBe('generating'),
      AllStatuses: (_canvas, container) =>
        expect([...container.querySelectorAll('[data-slot="status-badge"]')].map((badge) => badge.textContent)).toEqual(
          ['Pending', 'Processing', 'Completed', 'Failed', 'Partially failed', 'Cancelled', 'Needs review', 'Paused'],
        ),
    },
  },
  ProgressBar: {
    stories: composeStories(progressBarStories),
    expect: {
      Empty: (canvas) =>
        expect(canvas.getByRole('progressbar', { name: 'Progress' }).getAttribute('aria-valuenow')).toBe('0'),
      InProgress: (canvas) =>
        expect(canvas.getByRole('progressbar').getAttribute('aria-valuetext')).toBe('12 of 27 items, 1 failed'),
      Complete: (canvas) => expect(canvas.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100'),
      Clamped: (canvas) => expect(canvas.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100'),
    },
  },
  TaskList: {
    stories: composeStories(taskListStories),
    expect: {
      AllStatuses: async (canvas, container) => {
        await canvas.findByText(tasks.processing.title);
        expect([...rows(container).map((row) => row.dataset.status)].sort()).toEqual(
          [
            'pending',
            'processing',
            'completed',
            'failed',
            'partial_failure',
            'cancelled',
            'human_review_pending',
            'paused',
          ].sort(),
        );
        expect(canvas.getAllByRole('button', { name: 'Cancel task' })).toHaveLength(4);
        expect(canvas.getAllByRole('button', { name: 'Pause' })).toHaveLength(2);
        expect(canvas.getAllByRole('button', { name: 'Resume' })).toHaveLength(1);
        expect(canvas.getAllByRole('button', { name: 'Retry' })).toHaveLength(3);
        expect(canvas.getAllByRole('link', { name: 'View roadmap' })).toHaveLength(2);
        expect(canvas.getByRole('link', { name: tasks.failed.title }).getAttribute('href')).toBe(
          `#/tasks/${tasks.failed.task_id}`,
        );
        expect(await violations(container)).toEqual([]);
      },
      Loading: async (canvas, container) => {
        await stillLoading(container, 'table');
        expect(rows(container)).toHaveLength(0);
        expect(canvas.queryByText('Nothing here yet.')).toBeNull();
      },
      Empty: async (canvas, container) => {
        await canvas.findByText('Nothing here yet.');
        expect(rows(container)).toHaveLength(0);
      },
      WithCostColumn: async (canvas, container) => {
        await canvas.findByText(tasks.processing.title);
        expect(canvas.getByRole('columnheader', { name: 'Cost' })).toBeTruthy();
        const cost = (taskId: string) =>
          container.querySelector(`tr[data-task-id="${taskId}"] [data-slot="task-usage"]`)?.textContent;
        expect(cost(tasks.processing.task_id)).toBe('$0.1104 100,000 tokens');
        expect(cost(tasks.cancelled.task_id)).toBe('Not priced 28,050 tokens');
        expect(cost(tasks.pending.task_id)).toBe('$0.00 0 tokens');
        expect(await violations(container)).toEqual([]);
      },
      ServerError: async (canvas) =>
        expect((await canvas.findByRole('alert')).textContent).toBe('Something went wrong on our side.'),
      FilteredByStatus: async (canvas, container) => {
        await canvas.findByText(tasks.failed.title);
        // "Failed" lists the partially failed task too: as many rows as the filter's count.
        await waitFor(() => expect(rows(container)).toHaveLength(2));
        expect(rows(container).map((row) => row.dataset.status)).toEqual(['failed', 'partial_failure']);
        expect(canvas.getByRole('button', { name: /^Failed/, pressed: true }).textContent).toBe('Failed2');
      },
      CancelAccepted: (canvas) =>
        expect(canvas.getByText(tasks.processing.title).closest('tr')?.dataset.status).toBe('cancelled'),
      CancelRefused: async (canvas, container) => {
        const row = canvas.getByText(tasks.processing.title).closest('tr');
        expect(row?.dataset.status).toBe('processing');
        expect(within(row as HTMLElement).getByRole('alert').textContent).toContain('Could not cancel');
        expect(await violations(container)).toEqual([]);
      },
      CancelSelected: async (canvas, container) => {
        for (const task of [tasks.processing, tasks.pending]) {
          expect(canvas.getByText(task.title).closest('tr')?.dataset.status).toBe('cancelled');
        }
        expect(canvas.queryByText('2 selected')).toBeNull();
        expect(canvas.queryByRole('button', { name: 'Cancel selected' })).toBeNull();
        expect(await violations(container)).toEqual([]);
      },
      DeleteDialogOpen: async () => {
        const dialog = screen.getByRole('alertdialog', { name: 'Delete this task?' });
        expect(within(dialog).getByText(/content and cover go too, for good/)).toBeTruthy();
        expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Keep it' }));
        expect(within(dialog).getByRole('button', { name: 'Delete task' })).toBeTruthy();
        expect(await violations(document.body)).toEqual([]);
      },
      DeleteAccepted: async (canvas, container) => {
        expect(canvas.queryByText(tasks.completed.title)).toBeNull();
        expect(rows(container)).toHaveLength(7);
        expect(canvas.getByRole('button', { name: /^Completed/ }).textContent).toBe('Completed0');
        expect(screen.queryByRole('alertdialog')).toBeNull();
        // Still gone once the server answered.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(canvas.queryByText(tasks.completed.title)).toBeNull();
      },
      DeleteRefused: async (canvas, container) => {
        const row = canvas.getByText(tasks.completed.title).closest('tr') as HTMLElement;
        expect(within(row).getByRole('alert').textContent).toBe(
          'Could not delete: This task belongs to another account.',
        );
        // Back in its place.
        expect(rows(container).map((entry) => entry.dataset.taskId)).toEqual(taskSummaries.map((task) => task.task_id));
        expect(await violations(container)).toEqual([]);
      },
      DeleteSelected: async (canvas, container) => {
        expect(canvas.queryByText(tasks.failed.title)).toBeNull();
        expect(canvas.queryByText(tasks.cancelled.title)).toBeNull();
        expect(rows(container)).toHaveLength(6);
        expect(canvas.queryByText('2 selected')).toBeNull();
        expect(await violations(container)).toEqual([]);
      },
    },
  },
  TaskDetail: {
    stories: composeStories(taskDetailStories),
    expect: {
      NeedsReview: async (canvas, container) => {
        await canvas.findByRole('heading', { name: /Review the proposed roadmap \(round 1 of 5\)/ });
        await canvas.findByText(roadmap.stages[0]?.name as string);
        expect(canvas.getByText('Needs review', { selector: '[data-slot="status-badge"]' })).toBeTruthy();
        expect(container.querySelector('[data-current="true"]')?.textContent).toContain('Human review');
        expect(canvas.getByRole('button', { name: 'Approve' })).toBeTruthy();
        expect((canvas.getByRole('button', { name: 'Request changes' }) as HTMLButtonElement).disabled).toBe(true);
        expect(canvas.getByRole('button', { name: 'Cancel Task' })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      ReviewRequestChanges: async (canvas) => {
        await canvas.findByRole('heading', { name: /round 2 of 5/ });
      },
      Paused: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.paused.title });
        expect(canvas.getByText('Paused', { selector: '[data-slot="status-badge"]' })).toBeTruthy();
        expect(canvas.getByRole('button', { name: 'Resume' })).toBeTruthy();
        expect(canvas.queryByRole('button', { name: 'Pause' })).toBeNull();
        expect(canvas.getByRole('button', { name: 'Cancel Task' })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      PauseClicked: async (canvas) => {
        await canvas.findByRole('button', { name: 'Resume' });
        expect(canvas.getByText('Paused', { selector: '[data-slot="status-badge"]' })).toBeTruthy();
      },
      PausedOnBudget: async (canvas, container) => {
        await canvas.findByRole('heading', { name: 'Paused: the budget is used up' });
        expect(container.querySelector('[data-slot="budget-pause-panel"]')?.textContent).toContain(
          "This task's budget of $0.05 has no room for its next model call.",
        );
        expect((canvas.getByLabelText('New budget (US$)') as HTMLInputElement).value).toBe('0.1');
        expect(canvas.getByRole('button', { name: 'Resume' })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      BudgetRaised: (canvas) => {
        expect(canvas.getByText('Pending', { selector: '[data-slot="status-badge"]' })).toBeTruthy();
        expect(canvas.queryByRole('heading', { name: 'Paused: the budget is used up' })).toBeNull();
      },
      Pending: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.pending.title });
        expect(container.querySelector('[data-current="true"]')?.textContent).toContain('Queued');
        expect(canvas.getByRole('button', { name: 'Cancel Task' })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      Processing: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.processing.title });
        expect(container.querySelector('[data-current="true"]')?.textContent).toContain('Content generation');
        await canvas.findByRole('button', { name: 'Retry quiz of Borrowing and lifetimes' });
        await canvas.findByText('Finished tutorial: Ownership');
        await waitFor(() => expect(canvas.getByText('Live')).toBeTruthy());
        expect(canvas.getByRole('region', { name: 'Usage' })).toBeTruthy();
        expect(usageTerms(container)).toEqual({
          Cost: '$0.1104',
          Budget: '$0.50',
          'Input tokens': '41,300',
          'Output tokens': '58,700',
          'Model calls': '17',
        });
        // The replayed log holds two usage updates: the timeline shows the latest only.
        expect(container.querySelectorAll('[data-type="usage_updated"]')).toHaveLength(1);
        expect(canvas.getByText('Usage so far: 100,000 tokens in 17 calls ($0.1104)')).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      UsageLive: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.processing.title });
        await waitFor(() => expect(usageTerms(container)['Model calls']).toBe('18'), { timeout: 3000 });
        expect(usageTerms(container)).toMatchObject({ Cost: '$0.1177', 'Input tokens': '43,900' });
        expect(canvas.getByText('Usage so far: 106,500 tokens in 18 calls ($0.1177)')).toBeTruthy();
        expect(container.querySelectorAll('[data-type="usage_updated"]')).toHaveLength(1);
      },
      UsageNotPriced: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.cancelled.title });
        await waitFor(() => expect(usageTerms(container).Cost).toBe('Not priced'));
        expect(usageTerms(container)).toEqual({
          Cost: 'Not priced',
          'Input tokens': '18,400',
          'Output tokens': '9,650',
          'Model calls': '10',
        });
        await canvas.findByText('Usage so far: 28,050 tokens in 10 calls (Not priced)');
        expect(await violations(container)).toEqual([]);
      },
      Completed: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.completed.title });
        expect(canvas.getByRole('link', { name: 'View roadmap' })).toBeTruthy();
        expect(canvas.queryByRole('button', { name: 'Cancel Task' })).toBeNull();
        await canvas.findByText('Roadmap completed');
        expect(await violations(container)).toEqual([]);
      },
      Failed: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.failed.title });
        expect(canvas.getAllByText(tasks.failed.error_message as string).length).toBeGreaterThan(0);
        expect(canvas.getByRole('button', { name: 'Retry' })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      PartialFailure: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.partial_failure.title });
        expect(canvas.getByRole('link', { name: 'View roadmap' })).toBeTruthy();
        await canvas.findByText('Completed with 2 failures');
        expect(await violations(container)).toEqual([]);
      },
      Cancelled: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.cancelled.title });
        await canvas.findByText(`Cancelled: ${tasks.cancelled.cancel_reason}`);
        await canvas.findByText(/The cancel stopped 1 call in flight and kept 6 generated items/);
        expect(canvas.queryByRole('button', { name: 'Cancel Task' })).toBeNull();
        // The quiz in flight at the cancel, and the items never started, are not generated: none is "Generating".
        const quiz = await waitFor(() => {
          const found = container.querySelector<HTMLElement>('[data-concept-id="s1-m2-c1"] [data-kind="quiz"]');
          if (!found) throw new Error('no tree yet');
          return found;
        });
        expect(quiz.dataset.status).toBe('not_generated');
        expect(container.querySelector('.roadmap-item[data-status="generating"]')).toBeNull();
        expect(container.querySelector('[data-slot="stage-diagram"] [data-state="skipped"]')?.textContent).toBe(
          'Roadmap edit (skipped)',
        );
        expect(await violations(container)).toEqual([]);
      },
      Loading: async (canvas, container) => {
        await stillLoading(container, '[data-slot="task-detail"]');
        expect(canvas.getByRole('heading', { name: 'Loading…' })).toBeTruthy();
      },
      CancelDialogOpen: async () => {
        const dialog = await screen.findByRole('dialog', { name: 'Cancel this task?' });
        expect(within(dialog).getByRole('button', { name: 'Keep running' })).toBeTruthy();
        expect(within(dialog).getByRole('button', { name: 'Cancel task' })).toBeTruthy();
        expect(dialog.contains(document.activeElement)).toBe(true);
        expect(await violations(document.body)).toEqual([]);
      },
      CancelConfirmed: async (canvas) => {
        expect(screen.queryByRole('dialog')).toBeNull();
        expect(canvas.queryByRole('button', { name: 'Cancel Task' })).toBeNull();
      },
      DeleteDialogOpen: async () => {
        const dialog = screen.getByRole('alertdialog', { name: 'Delete this task?' });
        expect(dialog.contains(document.activeElement)).toBe(true);
        expect(within(dialog).getByRole('button', { name: 'Keep it' })).toBeTruthy();
        expect(await violations(document.body)).toEqual([]);
      },
      Deleting: async () => {
        const dialog = screen.getByRole('alertdialog');
        const confirm = within(dialog).getByRole('button', { name: 'Delete task' });
        expect(confirm.getAttribute('aria-busy')).toBe('true');
        expect(await violations(document.body)).toEqual([]);
      },
      Deleted: async (canvas, container) => {
        expect(canvas.getByRole('status').textContent).toBe('This task was deleted.');
        expect(canvas.queryByRole('button', { name: 'Delete' })).toBeNull();
        expect(screen.queryByRole('alertdialog')).toBeNull();
        expect(await violations(container)).toEqual([]);
      },
    },
  },
  UsageSummary: {
    stories: composeStories(usageSummaryStories),
    expect: {
      Loaded: async (canvas, container) => {
        expect(canvas.getByRole('heading', { name: 'Usage' })).toBeTruthy();
        expect(usageTerms(container)).toEqual({
          'Input tokens': '520,000',
          'Output tokens': '638,750',
          'Model calls': '214',
        });
        expect(canvas.queryByRole('progressbar')).toBeNull();
        expect(await violations(container)).toEqual([]);
      },
      WithBudget: async (canvas, container) => {
        await canvas.findByText('This month: $1.23 spent of $10.00, $0.42 reserved');
        expect(canvas.getByRole('progressbar', { name: 'Budget used' }).getAttribute('aria-valuenow')).toBe('12');
        expect(await violations(container)).toEqual([]);
      },
      DailyBudget: async (canvas) => {
        await canvas.findByText('Today: $0.4712 spent of $0.50');
        expect(canvas.getByRole('progressbar', { name: 'Budget used' }).getAttribute('aria-valuenow')).toBe('94');
      },
      Loading: async (canvas, container) => {
        await stillLoading(container, '[data-slot="usage-summary"]');
        expect(canvas.getByText('Loading…')).toBeTruthy();
        expect(container.querySelector('[data-slot="usage-list"]')).toBeNull();
      },
      ServerError: async (canvas) => {
        expect((await canvas.findByRole('alert')).textContent).toBe('Something went wrong on our side.');
        expect(canvas.queryByText('Loading…')).toBeNull();
      },
    },
  },
  CoverImage: {
    stories: composeStories(coverImageStories),
    expect: {
      Success: async (canvas) =>
        waitFor(() => expect(canvas.getByRole('img', { name: `Cover of ${firstRoadmap?.title}` }).tagName).toBe('IMG')),
      FailedWithRetry: async (canvas) => {
        await canvas.findByRole('button', { name: 'Retry Cover Generation' });
        expect(canvas.getByRole('img').textContent).toBe('R');
      },
      FailedWithoutRetry: async (_canvas, container) => {
        await waitFor(() => expect(container.querySelector('[data-status="failed"]')).not.toBeNull());
        expect(within(container).queryByRole('button')).toBeNull();
      },
      Generating: async (canvas) => expect((await canvas.findByRole('status')).textContent).toBe('Generating...'),
      NotStarted: async (_canvas, container) => {
        await waitFor(() => expect(container.querySelector('[data-status="not_started"]')).not.toBeNull());
        expect(within(container).getByRole('img').textContent).toBe('R');
      },
      Loading: (_canvas, container) =>
        expect(container.querySelector('[data-slot="cover-image"]')?.getAttribute('data-status')).toBe('loading'),
      RetryInProgress: (canvas) => expect(canvas.getByRole('status').textContent).toBe('Generating...'),
      RetrySucceeds: (canvas) => expect(canvas.queryByRole('button', { name: 'Retry Cover Generation' })).toBeNull(),
    },
  },
  RoadmapCard: {
    stories: composeStories(roadmapCardStories),
    expect: {
      WithCover: (canvas) => {
        expect(canvas.getByRole('link', { name: tasks.completed.title })).toBeTruthy();
        expect(canvas.getByRole('img').tagName).toBe('IMG');
        expect(canvas.getByText('8 / 8 concepts')).toBeTruthy();
      },
      InProgress: (canvas) => {
        expect(canvas.getByText('Processing')).toBeTruthy();
        expect(canvas.getByRole('status').textContent).toBe('Generating...');
      },
      CoverFailed: (canvas) => expect(canvas.getByRole('button', { name: 'Retry Cover Generation' })).toBeTruthy(),
      FetchesItsCover: (canvas) => waitFor(() => expect(canvas.getByRole('img').tagName).toBe('IMG')),
    },
  },
  RoadmapGrid: {
    stories: composeStories(roadmapGridStories),
    expect: {
      CoversAutoGenerated: async (_canvas, container) => {
        const cards = () => [...container.querySelectorAll('[data-slot="roadmap-card"]')];
        await waitFor(() => expect(cards()).toHaveLength(roadmapSummaries.length));
        await waitFor(
          () => expect(container.querySelectorAll('[data-slot="cover-image"] img')).toHaveLength(cards().length),
          { timeout: 6000 },
        );
      },
      WithoutAutoGeneration: async (canvas, container) => {
        await canvas.findByRole('button', { name: 'Retry Cover Generation' });
        expect(container.querySelectorAll('[data-slot="cover-image"] img')).toHaveLength(2);
      },
      Empty: async (canvas) => expect(await canvas.findByText('Nothing here yet.')).toBeTruthy(),
      Loading: async (_canvas, container) => {
        await stillLoading(container, '[data-slot="roadmap-grid"]');
        expect(container.querySelector('[data-slot="roadmap-card"]')).toBeNull();
      },
      ServerError: async (canvas) =>
        expect((await canvas.findByRole('alert')).textContent).toBe('Something went wrong on our side.'),
    },
  },
  RouterLinks: {
    stories: composeStories(roadmapLinkStories),
    expect: {
      CustomLinkComponent: async (canvas, container) => {
        // The play function clicked the failed task's title: the story's router went there, the page stayed.
        expect(canvas.getByRole('status', { name: 'Location' }).textContent).toBe(`/tasks/${tasks.failed.task_id}`);
        const links = canvas.getAllByRole('link');
        expect(links).toHaveLength(taskSummaries.length + 2);
        for (const link of links) expect(link.hasAttribute('data-router-link')).toBe(true);
        expect(canvas.getAllByRole('link', { name: 'View roadmap' })[0]?.getAttribute('href')).toMatch(/^\/roadmaps\//);
        expect(await violations(container)).toEqual([]);
      },
    },
  },
  RoadmapView: {
    stories: composeStories(roadmapViewStories),
    expect: {
      InProgress: async (canvas, container) => {
        await canvas.findByRole('heading', { name: roadmap.title });
        expect(canvas.getByRole('link', { name: 'Ownership' }).getAttribute('href')).toBe('#/concepts/s1-m1-c1');
        const statuses = [...container.querySelectorAll<HTMLElement>('[data-kind]')].map((item) => item.dataset.status);
        expect(new Set(statuses)).toEqual(new Set(['completed', 'generating', 'pending', 'failed']));
        const exports = canvas.getByRole('group', { name: 'Export' });
        expect(
          within(exports)
            .getAllByRole('button')
            .map((button) => button.textContent),
        ).toEqual(['Markdown (.md)', 'JSON (.json)']);
        expect(await violations(container)).toEqual([]);
      },
      Exporting: async (canvas) => {
        expect(canvas.getByRole('button', { name: 'Markdown (.md)' }).getAttribute('aria-busy')).toBe('true');
        expect((canvas.getByRole('button', { name: 'Markdown (.md)' }) as HTMLButtonElement).disabled).toBe(true);
      },
      ExportFailed: async (canvas, container) => {
        expect(canvas.getByRole('alert').textContent).toBe(
          'Could not export: Storage is unavailable; try again in a moment.',
        );
        expect((canvas.getByRole('button', { name: 'Markdown (.md)' }) as HTMLButtonElement).disabled).toBe(false);
        expect(await violations(container)).toEqual([]);
      },
      Completed: async (canvas, container) => {
        await canvas.findByRole('heading', { name: tasks.completed.title });
        const statuses = [...container.querySelectorAll<HTMLElement>('[data-kind]')].map((item) => item.dataset.status);
        expect(new Set(statuses)).toEqual(new Set(['completed']));
      },
      Loading: async (canvas, container) => {
        await stillLoading(container, '[data-slot="roadmap-view"]');
        expect(canvas.getByText('Loading…')).toBeTruthy();
      },
      NotFound: async (canvas) => expect((await canvas.findByRole('alert')).textContent).toBe('Roadmap not found.'),
    },
  },
  QuizPractice: {
    stories: composeStories(quizPracticeStories),
    expect: {
      Unanswered: async (canvas, container) => {
        // A fieldset per question, named by its legend.
        expect(canvas.getAllByRole('group').map((group: HTMLElement) => group.getAttribute('data-result'))).toEqual([
          null,
          null,
          null,
        ]);
        expect(canvas.getByRole('group', { name: /Which of these types are/ })).toBeTruthy();
        expect(canvas.getAllByRole('radio')).toHaveLength(5);
        expect(canvas.getAllByRole('checkbox')).toHaveLength(4);
        expect(canvas.getByRole('status').textContent).toBe('');
        expect(await violations(container)).toEqual([]);
      },
      AllCorrect: async (canvas, container) => {
        expect(container.querySelectorAll('[data-result="correct"]')).toHaveLength(3);
        expect(canvas.getAllByText('Correct.')).toHaveLength(3);
        expect(canvas.getByText(/Plain scalars are `Copy`/)).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      SomeWrong: async (canvas, container) => {
        const results = [...container.querySelectorAll('fieldset')].map((set) => set.getAttribute('data-result'));
        // A multiple choice with only one of its two right answers is wrong.
        expect(results).toEqual(['incorrect', 'incorrect', 'correct']);
        expect(canvas.getByText(/The answer: It is moved and can no longer be used\./)).toBeTruthy();
        expect(canvas.getByText(/The answer: i32, bool\./)).toBeTruthy();
        const firstQuestion = container.querySelector('fieldset');
        const describedBy = firstQuestion?.getAttribute('aria-describedby');
        expect(describedBy && document.getElementById(describedBy)?.textContent).toMatch(/^Not quite\./);
        // fireEvent: a second copy of user-event beside the stories' would patch the same document twice.
        fireEvent.click(canvas.getByRole('button', { name: 'Try again' }));
        expect(canvas.getByRole('status').textContent).toBe('');
        expect(canvas.getAllByRole('radio').some((radio: HTMLElement) => (radio as HTMLInputElement).checked)).toBe(
          false,
        );
        expect(await violations(container)).toEqual([]);
      },
      Keyboard: (_canvas, container) => {
        expect(container.querySelectorAll('[data-result="correct"]')).toHaveLength(3);
      },
      Chinese: (canvas) => {
        expect(canvas.getByRole('button', { name: '再试一次' })).toBeTruthy();
        expect(canvas.getAllByText('选择一个答案。')).toHaveLength(2);
        expect(canvas.getByText('选择所有正确答案。')).toBeTruthy();
      },
    },
  },
  ConceptContent: {
    stories: composeStories(conceptContentStories),
    expect: {
      Streaming: async (canvas, container) => {
        // Grown to the whole tutorial: the streamed text is replaced by the complete one.
        await canvas.findByRole('link', { name: 'the Rust book' }, { timeout: 10_000 });
        await waitFor(() => expect(container.querySelector('[data-slot="streaming-tutorial"]')).toBeNull(), {
          timeout: 10_000,
        });
        expect(await violations(container)).toEqual([]);
      },
      FailedItem: async (canvas, container) => {
        const quiz = within(await canvas.findByRole('region', { name: 'Quiz' }));
        expect(quiz.getByText(/The quiz could not be generated\./).textContent).toBe(
          `The quiz could not be generated. ${quizError}`,
        );
        expect(quiz.getByRole('button', { name: `Retry quiz of ${conceptDetail.concept.name}` })).toBeTruthy();
        expect(container.querySelectorAll('[data-slot="item-failure"]')).toHaveLength(1);
        expect(await violations(container)).toEqual([]);
      },
      FailedItemRetried: (canvas) => {
        const quiz = within(canvas.getByRole('region', { name: 'Quiz' }));
        expect(quiz.queryByRole('button', { name: /^Retry quiz of/ })).toBeNull();
        expect(quiz.getByText('Not generated yet.')).toBeTruthy();
      },
      FailedItemRetryRefused: async (canvas, container) => {
        expect(canvas.getByRole('alert').textContent).toBe('Could not retry: The task is still generating this quiz.');
        expect(canvas.getByRole('button', { name: /^Retry quiz of/ })).toBeTruthy();
        expect(await violations(container)).toEqual([]);
      },
      StreamInterrupted: async (canvas, container) => {
        await canvas.findByText('Incomplete: the tutorial stopped before the end. Retry to generate it again.');
        expect(container.querySelector('[data-slot="streaming-tutorial"]')?.getAttribute('data-status')).toBe('failed');
        expect(await violations(container)).toEqual([]);
      },
      RegenerateWithFeedback: async (canvas, container) => {
        const tutorial = within(await canvas.findByRole('region', { name: 'Tutorial' }));
        expect((await tutorial.findByRole('combobox', { name: 'Version' })).textContent).toContain('2: More examples');
        expect(await violations(container)).toEqual([]);
      },
      Generated: async (canvas, container) => {
        await canvas.findByRole('heading', { name: 'Ownership', level: 2 });
        // The Markdown renderer is loaded on first use: its links appear once it is there.
        expect(
          (await canvas.findByRole('link', { name: 'the Rust book' }, { timeout: 10_000 })).getAttribute('href'),
        ).toMatch(/^https:/);
        expect(canvas.queryByRole('link', { name: 'malicious link' })).toBeNull();
        expect(canvas.getByText(/malicious link/)).toBeTruthy();
        expect(container.querySelector('img[onerror], [href^="javascript"]')).toBeNull();
        expect(canvas.getAllByRole('link', { name: /Rust|Rustlings|lifetime/ }).length).toBeGreaterThan(3);
        expect(container.querySelectorAll('.roadmap-quiz-questions > li')).toHaveLength(
          conceptDetail.quiz?.length ?? 0,
        );
        expect(canvas.getByRole('button', { name: 'Check answers' })).toBeTruthy();
      },
      NotGenerated: async (canvas) => {
        await canvas.findByRole('heading', { name: 'Futures and async/await' });
        expect(canvas.getAllByText('Not generated yet.')).toHaveLength(3);
      },
      Loading: async (canvas, container) => {
        await stillLoading(container, '[data-slot="concept-content"]');
        expect(canvas.getByText('Loading…')).toBeTruthy();
      },
      ServerError: async (canvas) =>
        expect((await canvas.findByRole('alert')).textContent).toBe('Something went wrong on our side.'),
      GitHubFlavoured: async (canvas, container) => {
        await canvas.findByRole('heading', { name: 'Ownership at a glance', level: 3 }, { timeout: 10_000 });
        const table = await canvas.findByRole('table');
        expect(
          within(table)
            .getAllByRole('columnheader')
            .map((header) => header.textContent),
        ).toEqual(['Type', 'Moves or copies?', 'Freed when']);
        expect(within(table).getAllByRole('row')).toHaveLength(4);
        expect(container.querySelectorAll('ul > li > ol > li > ul > li')).toHaveLength(2);
        expect(canvas.getByRole('checkbox', { name: 'Read chapter 4 of the book' })).toHaveProperty('checked', true);
        expect(canvas.getByRole('checkbox', { name: 'Finish the borrowing exercises' })).toHaveProperty(
          'checked',
          false,
        );
        const diagram = await waitFor(() => {
          const image = container.querySelector<HTMLImageElement>('figure[data-slot="mermaid"] img');
          expect(image).not.toBeNull();
          return image as HTMLImageElement;
        });
        expect(diagram.alt).toContain('flowchart LR');
        expect([diagram.width, diagram.height]).toEqual([320, 90]);
        expect(await violations(container)).toEqual([]);
      },
    },
  },
  GenerateRoadmapForm: {
    stories: composeStories(generateRoadmapFormStories),
    expect: {
      Default: (canvas) => {
        expect((canvas.getByLabelText('Hours per week') as HTMLInputElement).value).toBe('10');
        expect((canvas.getByLabelText('Current level') as HTMLSelectElement).value).toBe('beginner');
      },
      Valid: (canvas) => expect(canvas.getByLabelText('Learning goal').getAttribute('aria-invalid')).toBeNull(),
      ValidationErrors: (canvas) => {
        const goal = canvas.getByLabelText('Learning goal');
        const describedBy = goal.getAttribute('aria-describedby');
        expect(describedBy && document.getElementById(describedBy)?.textContent).toBeTruthy();
        expect(document.activeElement).toBe(goal);
      },
      ServerValidationError: (canvas) =>
        expect(canvas.getByLabelText('Learning goal').getAttribute('aria-invalid')).toBe('true'),
      WithEstimate: (canvas) =>
        expect(canvas.getByText(/model calls/).textContent).toBe('≈ $0.0244, about 39 model calls'),
      EstimateUnpriced: (canvas) => expect(canvas.getByText(/model calls/).textContent).toBe('About 75 model calls'),
      EstimateUnavailable: (canvas, container) => {
        expect(container.querySelector('[data-slot="estimate"]')?.textContent).toBe('');
        expect(canvas.queryByRole('alert')).toBeNull();
      },
    },
  },
} satisfies Record<string, { stories: Record<string, unknown>; expect: Record<string, Expectation> }>;

for (const [component, file] of Object.entries(files)) {
  describe(component, () => {
    const expectations: Record<string, Expectation> = file.expect;
    for (const [name, Story] of Object.entries(file.stories)) {
      it(name, async () => {
        const expectation = expectations[name];
        if (!expectation) throw new Error(`${component}/${name} has no expectation in stories.test.tsx`);
        await Story.load();
        const { container } = render(<Story />);
        await Story.play?.({ canvasElement: container });
        await expectation(within(container), container);
      });
    }
  });
}
