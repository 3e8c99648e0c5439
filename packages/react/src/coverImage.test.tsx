// @vitest-environment jsdom
import { act, fireEvent, screen } from '@testing-library/react';
import { HttpResponse, http } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoverImage } from './coverImage.js';
import { api, expectNoAxeViolations, renderWithProvider, server, setUpTestServer } from './testSupport.js';

setUpTestServer();

const roadmapId = 'learn-rust-1a2b3c4d';
const cover = (status: string, fields: object = {}) => ({
  roadmap_id: roadmapId,
  cover_image_url: null,
  status,
  error: status === 'failed' ? 'provider down' : null,
  retry_count: 3,
  ...fields,
});

/** Serves a failed cover, then `generating` for `pollsUntilSuccess` polls after a generate, then success. */
function serveCovers(pollsUntilSuccess: number) {
  const calls = { get: 0, generate: 0 };
  let generated = false;
  server.use(
    http.get(api('/roadmap/:roadmapId/cover-image'), () => {
      calls.get += 1;
      if (!generated) return HttpResponse.json(cover('failed'));
      const polls = calls.get - 1;
      return HttpResponse.json(
        polls >= pollsUntilSuccess
          ? cover('success', { cover_image_url: `/api/v1/cover-images/${roadmapId}.png`, error: null })
          : cover('generating'),
      );
    }),
    http.post(api('/roadmap/:roadmapId/cover-image/generate'), () => {
      calls.generate += 1;
      generated = true;
      return HttpResponse.json(cover('pending'), { status: 202 });
    }),
  );
  return calls;
}

/** Lets msw answer (real microtasks and I/O), without moving the fake clock. */
const settle = () => act(() => vi.advanceTimersByTimeAsync(0));

describe('CoverImage', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('falls back to a gradient with the first letter, and offers a retry over a failed cover', async () => {
    serveCovers(0);
    const { container } = renderWithProvider(<CoverImage roadmapId={roadmapId} title="rust in depth" retry />);
    await vi.waitFor(() => expect(screen.getByRole('button', { name: 'Retry Cover Generation' })).toBeTruthy());
    expect(screen.getByRole('img', { name: 'Cover of rust in depth' }).textContent).toBe('R');
    vi.useRealTimers();
    await expectNoAxeViolations(container);
  });

  it('falls back to its artwork when the image fails to load, and offers a retry that generates it again', async () => {
    const url = `/api/v1/cover-images/${roadmapId}.png`;
    const calls = { generate: 0 };
    server.use(
      http.get(api('/roadmap/:roadmapId/cover-image'), () =>
        HttpResponse.json(cover('success', { cover_image_url: url, error: null })),
      ),
      http.post(api('/roadmap/:roadmapId/cover-image/generate'), () => {
        calls.generate += 1;
        return HttpResponse.json(cover('pending'), { status: 202 });
      }),
    );
    const { container } = renderWithProvider(<CoverImage roadmapId={roadmapId} title="rust in depth" retry />);
    await vi.waitFor(() => expect(container.querySelector('img')?.getAttribute('src')).toBe(url));
    expect(screen.queryByRole('button', { name: 'Retry Cover Generation' })).toBeNull();
    // The server lost the file: the browser's load fails.
    fireEvent.error(container.querySelector('img') as HTMLImageElement);
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('img', { name: 'Cover of rust in depth' }).textContent).toBe('R');
    expect(container.querySelector('[data-slot="cover-image"]')?.getAttribute('data-image-error')).toBe('true');
    fireEvent.click(screen.getByRole('button', { name: 'Retry Cover Generation' }));
    await vi.waitFor(() => expect(calls.generate).toBe(1));
    vi.useRealTimers();
    await expectNoAxeViolations(container);
  });

  it('does not offer a retry unless asked', async () => {
    const calls = serveCovers(0);
    renderWithProvider(<CoverImage roadmapId={roadmapId} title="Rust" />);
    await vi.waitFor(() => expect(calls.get).toBe(1));
    await settle();
    expect(document.querySelector('[data-slot="cover-image"]')?.getAttribute('data-status')).toBe('failed');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('generates again and polls once a second until the cover succeeds', async () => {
    const calls = serveCovers(3);
    renderWithProvider(<CoverImage roadmapId={roadmapId} title="Rust" retry />);
    const retry = await vi.waitFor(() => screen.getByRole('button', { name: 'Retry Cover Generation' }));
    fireEvent.click(retry);
    await settle();
    expect(calls.generate).toBe(1);
    expect(screen.getByRole('status').textContent).toBe('Generating...');
    expect(document.querySelector('[role="status"] svg')?.getAttribute('class')).toContain('roadmap-spin');
    expect(calls.get).toBe(1);

    await act(() => vi.advanceTimersByTimeAsync(999));
    expect(calls.get).toBe(1);
    await act(() => vi.advanceTimersByTimeAsync(1));
    expect(calls.get).toBe(2);
    await act(() => vi.advanceTimersByTimeAsync(2000));
    expect(calls.get).toBe(4);
    expect(screen.getByRole('img', { name: 'Cover of Rust' }).getAttribute('src')).toBe(
      `/api/v1/cover-images/${roadmapId}.png`,
    );
    await act(() => vi.advanceTimersByTimeAsync(10_000));
    expect(calls.get).toBe(4);
  });

  it('stops after 30 polls when the cover never settles', async () => {
    const calls = serveCovers(Number.POSITIVE_INFINITY);
    renderWithProvider(<CoverImage roadmapId={roadmapId} title="Rust" retry />);
    fireEvent.click(await vi.waitFor(() => screen.getByRole('button', { name: 'Retry Cover Generation' })));
    await settle();
    for (let second = 0; second < 40; second++) await act(() => vi.advanceTimersByTimeAsync(1000));
    expect(calls.get).toBe(1 + 30);
    expect(screen.queryByRole('status')).toBeTruthy(); // the server still says `generating`
  });
});
