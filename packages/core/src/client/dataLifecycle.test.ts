import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRoadmapClient } from './index.js';

// The client's data lifecycle calls (SPEC §9): delete a task, export a roadmap, export and erase
// the caller's data.
const base = 'https://app.example.com';
const api = `${base}/api/v1`;
const server = setupServer();
const client = createRoadmapClient({ baseUrl: base, token: 'jwt-1' });

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const refusal = (status: number, code: string, detail: string) => HttpResponse.json({ detail, code }, { status });

describe('deleteTask', () => {
  it('sends DELETE /roadmaps/tasks/{id} with the token and resolves on 204', async () => {
    const seen: string[] = [];
    server.use(
      http.delete(`${api}/roadmaps/tasks/:taskId`, ({ request, params }) => {
        seen.push(`${request.method} ${params.taskId} ${request.headers.get('authorization')}`);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    await expect(client.deleteTask('t 1')).resolves.toBeUndefined();
    expect(seen).toEqual(['DELETE t 1 Bearer jwt-1']);
  });

  it('rejects with the server’s error on 403', async () => {
    server.use(http.delete(`${api}/roadmaps/tasks/:taskId`, () => refusal(403, 'forbidden', 'Not your task.')));
    await expect(client.deleteTask('t-1')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });
});

describe('exportRoadmap', () => {
  const exportRoute = (headers: Record<string, string>, body = '# Learn Rust\n') => {
    const seen: URL[] = [];
    server.use(
      http.get(`${api}/roadmaps/:roadmapId/export`, ({ request }) => {
        seen.push(new URL(request.url));
        return new HttpResponse(body, { headers });
      }),
    );
    return seen;
  };

  it('asks for Markdown by default and names the file from Content-Disposition', async () => {
    const seen = exportRoute({
      'content-type': 'text/markdown; charset=utf-8',
      'content-disposition': 'attachment; filename="learn-rust-1a2b3c4d.md"',
    });
    const file = await client.exportRoadmap('learn-rust-1a2b3c4d');
    expect(seen.map((url) => `${url.pathname}${url.search}`)).toEqual([
      '/api/v1/roadmaps/learn-rust-1a2b3c4d/export?format=md',
    ]);
    expect(file.filename).toBe('learn-rust-1a2b3c4d.md');
    expect(file.blob.type).toMatch(/^text\/markdown;/);
    expect(await file.blob.text()).toBe('# Learn Rust\n');
  });

  it('prefers the encoded filename* (as the server sends both) and falls back to the roadmap id and format', async () => {
    exportRoute({
      'content-disposition': `attachment; filename="r_sum_.json"; filename*=UTF-8''r%C3%A9sum%C3%A9.json`,
    });
    expect((await client.exportRoadmap('r-1', { format: 'json' })).filename).toBe('résumé.json');
    exportRoute({ 'content-type': 'application/json' }, '{}');
    const file = await client.exportRoadmap('r-1', { format: 'json' });
    expect(file.filename).toBe('r-1.json');
    expect(await file.blob.text()).toBe('{}');
  });

  it('rejects with the server’s error', async () => {
    server.use(http.get(`${api}/roadmaps/:roadmapId/export`, () => refusal(404, 'not_found', 'No such roadmap.')));
    await expect(client.exportRoadmap('r-1')).rejects.toMatchObject({ status: 404, detail: 'No such roadmap.' });
  });
});

describe('exportMe and deleteMe', () => {
  it('GET /me/export answers the caller’s data; DELETE /me what was erased', async () => {
    const exported = { user_id: 'u-1', exported_at: '2026-01-01T00:00:00.000Z', tasks: [], roadmaps: [] };
    const deleted = { deleted: { tasks: 2, roadmaps: 2, items: 18, events: 40, covers: 2, blobs: 1 } };
    const seen: string[] = [];
    server.use(
      http.get(`${api}/me/export`, ({ request }) => {
        seen.push(request.method);
        return HttpResponse.json(exported);
      }),
      http.delete(`${api}/me`, ({ request }) => {
        seen.push(request.method);
        return HttpResponse.json(deleted, { status: 202 });
      }),
    );
    expect(await client.exportMe()).toEqual(exported);
    expect(await client.deleteMe()).toEqual(deleted);
    expect(seen).toEqual(['GET', 'DELETE']);
  });
});
