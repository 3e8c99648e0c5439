// @vitest-environment jsdom
import type { ConceptDetail } from '@roadmap/core/client';
import { screen, waitFor } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { ConceptContent } from './conceptContent.js';
import { chineseLabels } from './labels.js';
import { conceptDetail } from './mockRoadmapApi.js';
import {
  api,
  expectNoAxeViolations,
  FakeWebSocket,
  renderWithProvider,
  server,
  setUpTestServer,
} from './testSupport.js';

setUpTestServer();

const tutorial = '# Borrowing\n\nA `&T` is a **shared** borrow.\n\n```mermaid\ngraph LR; Owner-->Borrower\n```\n';

function serveConcept(content = tutorial) {
  const detail: ConceptDetail = {
    ...conceptDetail,
    tutorial: { title: 'Borrowing', summary: 'Shared and mutable borrows.', content },
  };
  server.use(
    http.get(api('/roadmaps/r-1/concepts/c-1'), () => HttpResponse.json(detail)),
    http.get(api('/roadmaps/r-1/concepts/c-1/:kind/versions'), () => HttpResponse.json({ versions: [] })),
  );
}

function fakeMermaid() {
  return {
    initialize: vi.fn(),
    render: vi.fn(async (id: string) => ({
      svg: `<svg id="${id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 50"/>`,
    })),
  };
}

describe('ConceptContent', () => {
  it('shows the tutorial as plain text until the Markdown renderer has loaded, then rendered', async () => {
    serveConcept();
    const { container } = renderWithProvider(<ConceptContent roadmapId="r-1" conceptId="c-1" />);
    // The first time, the renderer (a separate entry point) is not loaded yet: the text shows as it is.
    await waitFor(() => expect(container.querySelector('[data-slot="markdown"]')).not.toBeNull());
    expect(container.querySelector('[data-slot="markdown"]')?.textContent).toBe(tutorial);
    expect(await screen.findByRole('heading', { name: 'Borrowing', level: 3 }, { timeout: 10_000 })).toBeTruthy();
    expect(container.querySelector('[data-slot="markdown"] strong')?.textContent).toBe('shared');
    // No loader given: the diagram stays code.
    expect(container.querySelector('figure[data-slot="mermaid"] code')?.textContent).toBe('graph LR; Owner-->Borrower');
  });

  it('hands loadMermaid to the renderer, and the provider’s labels reach it', async () => {
    serveConcept();
    const mermaid = fakeMermaid();
    const loadMermaid = vi.fn(async () => ({ default: mermaid }));
    const { container } = renderWithProvider(
      <ConceptContent roadmapId="r-1" conceptId="c-1" loadMermaid={loadMermaid} />,
      { labels: chineseLabels },
    );
    const image = await waitFor(() => {
      const found = container.querySelector<HTMLImageElement>('figure[data-slot="mermaid"] img');
      expect(found).not.toBeNull();
      return found as HTMLImageElement;
    });
    expect(image.alt).toBe('graph LR; Owner-->Borrower');
    expect(container.querySelector('figure figcaption')?.textContent).toBe(chineseLabels.mermaid);
    expect(loadMermaid).toHaveBeenCalledTimes(1);
  });

  it('uses renderMarkdown in place of the default renderer', async () => {
    serveConcept('Plain *text*');
    const renderMarkdown = vi.fn((source: string) => <output data-testid="custom">{source.toUpperCase()}</output>);
    const { container } = renderWithProvider(
      <ConceptContent roadmapId="r-1" conceptId="c-1" renderMarkdown={renderMarkdown} />,
    );
    expect((await screen.findByTestId('custom')).textContent).toBe('PLAIN *TEXT*');
    expect(renderMarkdown).toHaveBeenCalledWith('Plain *text*');
    expect(container.querySelector('[data-slot="markdown"]')).toBeNull();
  });
});

describe('ConceptContent while its tutorial streams (SPEC §7)', () => {
  function servePartial(partial: ConceptDetail['partial_tutorial']) {
    server.use(
      http.get(api('/roadmaps/r-1/concepts/c-1'), () =>
        HttpResponse.json({ ...conceptDetail, tutorial: null, partial_tutorial: partial } satisfies ConceptDetail),
      ),
      http.get(api('/roadmaps/r-1/concepts/c-1/:kind/versions'), () => HttpResponse.json({ versions: [] })),
    );
  }
  const delta = (seq: number, offset: number, text: string) => ({
    type: 'content_delta',
    seq,
    task_id: 't-1',
    user_id: 'u-1',
    timestamp: '2026-01-15T10:00:00.000Z',
    roadmap_id: 'r-1',
    concept_id: 'c-1',
    content_type: 'tutorial',
    offset,
    text,
  });

  it('shows the text streamed so far, busy, and grows it with each delta', async () => {
    servePartial({ content: '# Borrowing\n\nA shared', status: 'generating' });
    const { container } = renderWithProvider(<ConceptContent roadmapId="r-1" conceptId="c-1" />);
    const region = await waitFor(() => {
      const found = container.querySelector('[data-slot="streaming-tutorial"]');
      expect(found).not.toBeNull();
      return found as HTMLElement;
    });
    expect(region.getAttribute('aria-busy')).toBe('true');
    expect(region.textContent).toContain('A shared');
    expect(region.textContent).toContain('Writing…');
    const [socket] = FakeWebSocket.live('/api/v1/ws');
    socket?.open();
    socket?.receive(delta(1, 21, ' borrow is `&T`.'));
    await waitFor(() => expect(region.textContent).toContain('A shared borrow is'));
    // A retried call starts again.
    socket?.receive(delta(2, 0, '# Borrowing, again'));
    await waitFor(() => expect(region.textContent).toContain('# Borrowing, again'.replace('# ', '')));
    expect(region.textContent).not.toContain('A shared');
  });

  it('marks a text kept from an interrupted generation as incomplete', async () => {
    servePartial({ content: '# Borrowing\n\nHalf of it', status: 'failed' });
    const { container } = renderWithProvider(<ConceptContent roadmapId="r-1" conceptId="c-1" />);
    await screen.findByText('Incomplete: the tutorial stopped before the end. Retry to generate it again.');
    const region = container.querySelector('[data-slot="streaming-tutorial"]');
    expect(region?.getAttribute('aria-busy')).toBe('false');
    expect(region?.getAttribute('data-status')).toBe('failed');
    await expectNoAxeViolations(container);
  });
});
