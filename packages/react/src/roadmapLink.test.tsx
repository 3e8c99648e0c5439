// @vitest-environment jsdom
import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConceptContent } from './conceptContent.js';
import { RoadmapCard } from './roadmapCard.js';
import { RoadmapGrid } from './roadmapGrid.js';
import type { RoadmapLinkProps } from './roadmapLink.js';
import { RoadmapView } from './roadmapView.js';
import { TaskDetail } from './taskDetail.js';
import { TaskList } from './taskList.js';
import {
  api,
  fullTask,
  listResponse,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
  taskSummary,
  timestamp,
} from './testSupport.js';

setUpTestServer();

/** Paths the test router went to, in order. */
let navigations: string[] = [];

/** A router's link, as a host app would pass it: navigates on click instead of letting the browser load the page. */
function RouterLink({ href, onClick, ...props }: RoadmapLinkProps) {
  return (
    <a
      {...props}
      href={href}
      data-router-link=""
      onClick={(event) => {
        onClick?.(event);
        event.preventDefault();
        navigations.push(href);
      }}
    />
  );
}

/** For each click that reaches the document: whether something before it stopped the browser's navigation. */
let clicksPrevented: boolean[] = [];
const recordClick = (event: MouseEvent) => {
  clicksPrevented.push(event.defaultPrevented);
  // jsdom cannot load another page: keep it from trying, once the outcome is recorded.
  event.preventDefault();
};

beforeEach(() => {
  navigations = [];
  clicksPrevented = [];
  document.addEventListener('click', recordClick);
});
afterEach(() => document.removeEventListener('click', recordClick));

/** Clicks `link` and asserts the router link took it: the router went to `href`, the browser was kept from it. */
async function expectRoutedClick(link: HTMLElement, href: string) {
  const location = window.location.href;
  expect(link.tagName).toBe('A');
  expect(link.hasAttribute('data-router-link')).toBe(true);
  expect(link.getAttribute('href')).toBe(href);
  await userEvent.click(link);
  expect(navigations).toEqual([href]);
  expect(clicksPrevented).toEqual([true]);
  expect(window.location.href).toBe(location);
  navigations = [];
  clicksPrevented = [];
}

const completedTask = taskSummary(3, { status: 'completed', current_step: 'completed', completed_at: timestamp });

describe('linkComponent of RoadmapProvider', () => {
  it("renders a TaskList row's title and View roadmap through it", async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse([completedTask]))));
    renderWithProvider(
      <TaskList getTaskHref={(task) => `/tasks/${task.task_id}`} getRoadmapHref={(id) => `/roadmaps/${id}`} />,
      { strict: true, linkComponent: RouterLink },
    );
    const title = await screen.findByRole('link', { name: completedTask.title });
    expect(title.className).toBe('roadmap-link');
    await expectRoutedClick(title, `/tasks/${completedTask.task_id}`);
    const viewRoadmap = screen.getByRole('link', { name: 'View roadmap' });
    expect(viewRoadmap.className).toContain('roadmap-button');
    await expectRoutedClick(viewRoadmap, `/roadmaps/${completedTask.roadmap_id}`);
    expect(screen.getAllByRole('link')).toHaveLength(2);
  });

  it("renders TaskDetail's View roadmap through it", async () => {
    const task = fullTask({ status: 'completed', current_step: 'completed', completed_at: timestamp });
    server.use(
      http.get(api('/roadmaps/tasks/:taskId'), () => HttpResponse.json(task)),
      http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture(task.roadmap_id))),
    );
    renderWithProvider(<TaskDetail taskId={task.task_id} getRoadmapHref={(id) => `/roadmaps/${id}`} />, {
      strict: true,
      linkComponent: RouterLink,
    });
    await expectRoutedClick(await screen.findByRole('link', { name: 'View roadmap' }), `/roadmaps/${task.roadmap_id}`);
  });

  it("renders each RoadmapGrid card's title through it", async () => {
    const summary = (roadmapId: string, title: string) => ({
      roadmap_id: roadmapId,
      title,
      total_concepts: 10,
      completed_concepts: 4,
      task_id: null,
      task_status: 'completed',
      created_at: timestamp,
    });
    server.use(
      http.get(api('/roadmaps'), () =>
        HttpResponse.json({ roadmaps: [summary('rust-0001', 'Rust'), summary('go-0002', 'Go')] }),
      ),
      http.post(api('/cover-images/batch-get'), async ({ request }) => {
        const { roadmap_ids: ids } = (await request.json()) as { roadmap_ids: string[] };
        return HttpResponse.json(
          ids.map((id) => ({ roadmap_id: id, cover_image_url: null, status: 'not_started', error: null })),
        );
      }),
    );
    renderWithProvider(<RoadmapGrid autoGenerateCovers={false} getRoadmapHref={(id) => `/roadmaps/${id}`} />, {
      strict: true,
      linkComponent: RouterLink,
    });
    await expectRoutedClick(await screen.findByRole('link', { name: 'Rust' }), '/roadmaps/rust-0001');
    await expectRoutedClick(screen.getByRole('link', { name: 'Go' }), '/roadmaps/go-0002');
  });

  it("renders the concepts of RoadmapView's tree through it", async () => {
    server.use(http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())));
    renderWithProvider(
      <RoadmapView roadmapId="learn-rust-00000001" getConceptHref={(id) => `/roadmaps/learn-rust/concepts/${id}`} />,
      { strict: true, linkComponent: RouterLink },
    );
    await expectRoutedClick(
      await screen.findByRole('link', { name: 'Moves' }),
      '/roadmaps/learn-rust/concepts/s1-m1-c1',
    );
    await expectRoutedClick(screen.getByRole('link', { name: 'Borrowing' }), '/roadmaps/learn-rust/concepts/s1-m1-c2');
  });

  it('leaves external links (resources) as plain anchors opening a new tab', async () => {
    const [concept] = roadmapFixture().stages[0]?.modules[0]?.concepts ?? [];
    server.use(
      http.get(api('/roadmaps/:roadmapId/concepts/:conceptId'), () =>
        HttpResponse.json({
          concept,
          tutorial: null,
          resources: [
            { title: 'The Book', url: 'https://doc.rust-lang.org/book/', type: 'book', description: 'Official.' },
          ],
          quiz: null,
        }),
      ),
      http.get(api('/roadmaps/:roadmapId/concepts/:conceptId/:kind/versions'), () =>
        HttpResponse.json({ versions: [] }),
      ),
    );
    renderWithProvider(<ConceptContent roadmapId="learn-rust-00000001" conceptId="s1-m1-c1" />, {
      linkComponent: RouterLink,
    });
    const resource = await screen.findByRole('link', { name: 'The Book' });
    expect(resource.hasAttribute('data-router-link')).toBe(false);
    expect(resource.getAttribute('target')).toBe('_blank');
  });
});

describe('without a linkComponent', () => {
  it('renders plain anchors and lets the browser follow them', async () => {
    server.use(http.get(api('/roadmaps/tasks'), () => HttpResponse.json(listResponse([completedTask]))));
    renderWithProvider(<TaskList getTaskHref={(task) => `/tasks/${task.task_id}`} />, { strict: true });
    const title = await screen.findByRole('link', { name: completedTask.title });
    expect(title.tagName).toBe('A');
    expect(title.hasAttribute('data-router-link')).toBe(false);
    expect(title.getAttribute('href')).toBe(`/tasks/${completedTask.task_id}`);
    await userEvent.click(title);
    expect(clicksPrevented).toEqual([false]);
  });

  it('renders the same anchor as before links could be replaced', () => {
    const { container } = renderWithProvider(
      <RoadmapCard
        roadmap={{ ...roadmapFixture(), total_concepts: 2, completed_concepts: 1, task_id: null, task_status: null }}
        href="/roadmaps/learn-rust"
        cover={{ roadmap_id: 'learn-rust', status: 'not_started', cover_image_url: null, error: null, retry_count: 0 }}
        fetchCover={false}
      />,
    );
    const link = within(container).getByRole('link', { name: 'Learn Rust' });
    expect(link.outerHTML).toBe('<a class="roadmap-link" href="/roadmaps/learn-rust">Learn Rust</a>');
  });
});
