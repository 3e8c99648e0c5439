// @vitest-environment jsdom
import { screen } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ConceptContent } from './conceptContent.js';
import { RoadmapView } from './roadmapView.js';
import {
  api,
  expectNoAxeViolations,
  renderWithProvider,
  roadmapFixture,
  server,
  setUpTestServer,
} from './testSupport.js';

setUpTestServer();

describe('RoadmapView', () => {
  it('shows stages, modules and concepts with their content statuses', async () => {
    server.use(http.get(api('/roadmaps/:roadmapId'), () => HttpResponse.json(roadmapFixture())));
    const { container } = renderWithProvider(
      <RoadmapView roadmapId="learn-rust-00000001" getConceptHref={(id) => `/concepts/${id}`} />,
      { strict: true },
    );
    await screen.findByRole('heading', { name: 'Learn Rust' });
    expect(screen.getByRole('heading', { name: 'Foundations' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Borrowing' }).getAttribute('href')).toBe('/concepts/s1-m1-c2');
    expect(
      container.querySelector('[data-concept-id="s1-m1-c2"] [data-kind="resources"]')?.getAttribute('data-status'),
    ).toBe('failed');
    await expectNoAxeViolations(container);
  });
});

describe('ConceptContent', () => {
  it('renders the tutorial safely, the resources and the quiz', async () => {
    const [concept] = roadmapFixture().stages[0]?.modules[0]?.concepts ?? [];
    server.use(
      http.get(api('/roadmaps/:roadmapId/concepts/:conceptId'), () =>
        HttpResponse.json({
          concept,
          tutorial: { title: 'Moves', summary: 'Moves.', content: '## Moves\n\n<script>x</script> **bold**' },
          resources: [
            { title: 'The Book', url: 'https://doc.rust-lang.org/book/', type: 'book', description: 'Official.' },
            { title: 'Evil', url: 'javascript:alert(1)', type: 'article', description: 'Nope.' },
          ],
          quiz: null,
        }),
      ),
    );
    const { container } = renderWithProvider(<ConceptContent roadmapId="learn-rust-00000001" conceptId="s1-m1-c1" />);
    await screen.findByRole('heading', { name: 'Moves', level: 4 });
    expect(container.querySelector('script')).toBeNull();
    expect(screen.getByRole('link', { name: 'The Book' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Evil' })).toBeNull();
    expect(screen.getByText('Not generated yet.')).toBeTruthy();
    await expectNoAxeViolations(container);
  });
});
