// @vitest-environment jsdom
import { screen, waitFor } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { RoadmapGrid } from './roadmapGrid.js';
import { api, expectNoAxeViolations, renderWithProvider, server, setUpTestServer, timestamp } from './testSupport.js';

setUpTestServer();

const summary = (roadmapId: string, title: string) => ({
  roadmap_id: roadmapId,
  title,
  total_concepts: 10,
  completed_concepts: 4,
  task_id: null,
  task_status: 'completed',
  created_at: timestamp,
});
const cover = (roadmapId: string, status: string) => ({
  roadmap_id: roadmapId,
  cover_image_url: status === 'success' ? `/api/v1/cover-images/${roadmapId}.png` : null,
  status,
  error: null,
  retry_count: 0,
});

function serve() {
  const requests = { batchGet: [] as unknown[], batchGenerate: [] as unknown[], single: 0 };
  server.use(
    http.get(api('/roadmaps'), () =>
      HttpResponse.json({
        roadmaps: [
          summary('rust-0001', 'Rust'),
          summary('go-0002', 'Go'),
          summary('zig-0003', 'Zig'),
          summary('c-0004', 'C'),
        ],
      }),
    ),
    http.post(api('/cover-images/batch-get'), async ({ request }) => {
      const { roadmap_ids: ids } = (await request.json()) as { roadmap_ids: string[] };
      requests.batchGet.push(ids);
      const generated = requests.batchGenerate.length > 0;
      return HttpResponse.json(
        [
          cover('rust-0001', 'success'),
          cover('go-0002', generated ? 'success' : 'not_started'),
          cover('zig-0003', generated ? 'success' : 'failed'),
          cover('c-0004', 'generating'),
        ].filter((entry) => ids.includes(entry.roadmap_id)),
      );
    }),
    http.post(api('/cover-images/batch-generate'), async ({ request }) => {
      const body = (await request.json()) as { roadmap_ids: string[] };
      requests.batchGenerate.push(body.roadmap_ids);
      return HttpResponse.json({
        triggered: 2,
        skipped: 0,
        roadmap_ids: body.roadmap_ids,
        not_found: [],
        message: 'Triggered 2 cover image generation tasks, skipped 0 already successful',
      });
    }),
    http.get(api('/roadmap/:roadmapId/cover-image'), () => {
      requests.single += 1;
      return HttpResponse.json(cover('x', 'success'));
    }),
  );
  return requests;
}

describe.each([
  ['without StrictMode', false],
  ['under StrictMode', true],
])('RoadmapGrid %s', (_name, strict) => {
  it('reads covers in one batch and triggers generation of the missing ones exactly once', async () => {
    const requests = serve();
    const { container } = renderWithProvider(<RoadmapGrid getRoadmapHref={(id) => `/roadmaps/${id}`} />, { strict });
    await screen.findByRole('link', { name: 'Rust' });
    await waitFor(() => expect(requests.batchGenerate).toHaveLength(1));
    expect(requests.batchGenerate).toEqual([['go-0002', 'zig-0003']]);
    expect(requests.batchGet[0]).toEqual(['rust-0001', 'go-0002', 'zig-0003', 'c-0004']);
    expect(requests.single).toBe(0);
    expect(screen.getByRole('img', { name: 'Cover of Rust' }).getAttribute('src')).toBe(
      '/api/v1/cover-images/rust-0001.png',
    );
    await expectNoAxeViolations(container);
    expect(requests.batchGenerate).toHaveLength(1);
  });
});
