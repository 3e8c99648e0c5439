import {
  createDemoModel,
  createMemoryBlobStore,
  createMemoryQueue,
  createMemoryStorage,
  createOfflineImageProvider,
  RoadmapEngine,
} from '@roadmap/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJwtAuthenticator } from '../auth/authenticate.js';
import { signJwt } from '../auth/signJwt.js';
import { createRoadmapHandler, type RoadmapHandler, type RoadmapHandlerOptions } from './createRoadmapHandler.js';
import { defaultSecurityHeaders } from './securityHeaders.js';

const secret = 'roadmap-http-handler-test-secret-0123456789';
const authorization = `Bearer ${signJwt({ sub: 'user-1' }, secret)}`;
const learnRust = { preferences: { learning_goal: 'Learn Rust for systems programming' } };

let engine: RoadmapEngine;
let serverErrors: unknown[];
beforeEach(async () => {
  engine = new RoadmapEngine({
    storage: createMemoryStorage(),
    queue: createMemoryQueue(),
    model: createDemoModel({ latencyMs: 0 }),
    imageProvider: createOfflineImageProvider(),
    blobStore: createMemoryBlobStore(),
    worker: false,
  });
  await engine.start();
  serverErrors = [];
});
afterEach(() => engine.stop());

function handlerWith(options: Partial<RoadmapHandlerOptions> = {}): RoadmapHandler {
  return createRoadmapHandler(engine, {
    authenticate: createJwtAuthenticator({ secret }),
    onError: (error) => serverErrors.push(error),
    ...options,
  });
}

const call = (handler: RoadmapHandler, path: string, init: RequestInit = {}) =>
  handler(new Request(`http://localhost${path}`, init));

describe('createRoadmapHandler', () => {
  it('serves the API under basePath only; outside it and on unknown paths 404 not_found', async () => {
    const handler = handlerWith();
    const listed = await call(handler, '/api/v1/roadmaps', { headers: { authorization } });
    expect(listed.status).toBe(200);
    expect(listed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await listed.json()).toEqual({ roadmaps: [], next_cursor: null });
    for (const path of ['/roadmaps', '/api/v2/roadmaps', '/api/v1x/roadmaps', '/api/v1/no-such-route', '/api/v1']) {
      const response = await call(handler, path, { headers: { authorization } });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual({ detail: expect.any(String), code: 'not_found' });
    }
    const elsewhere = handlerWith({ basePath: '/roadmap-api/' });
    expect((await call(elsewhere, '/roadmap-api/roadmaps', { headers: { authorization } })).status).toBe(200);
    expect((await call(elsewhere, '/api/v1/roadmaps', { headers: { authorization } })).status).toBe(404);
  });

  it('answers a known path with another method 405 with Allow; OPTIONS 204 with Allow; HEAD as GET without a body', async () => {
    const handler = handlerWith();
    const wrong = await call(handler, '/api/v1/roadmaps/generate', { method: 'DELETE', headers: { authorization } });
    expect(wrong.status).toBe(405);
    // GET /roadmaps/generate is GET /roadmaps/:roadmapId (a 400 for its id), as on Express.
    expect(wrong.headers.get('allow')).toBe('POST, GET, HEAD');
    expect(await wrong.json()).toEqual({ detail: expect.any(String), code: 'method_not_allowed' });
    const cover = await call(handler, '/api/v1/roadmap/learn-rust-1a2b3c4d/cover-image', { method: 'DELETE' });
    expect(cover.status).toBe(405);
    expect(cover.headers.get('allow')).toBe('GET, PUT, HEAD');
    const options = await call(handler, '/api/v1/roadmaps/tasks', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD');
    const head = await call(handler, '/api/v1/usage', { method: 'HEAD', headers: { authorization } });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('answers 401 with WWW-Authenticate, and a malformed escape in a path parameter 400', async () => {
    const handler = handlerWith();
    const anonymous = await call(handler, '/api/v1/usage');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const invalid = await call(handler, '/api/v1/usage', { headers: { authorization: 'Bearer a.b.c' } });
    expect(invalid.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const malformed = await call(handler, '/api/v1/cover-images/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ detail: expect.any(String), code: 'bad_request' });
    expect(serverErrors).toEqual([]);
  });

  it("sends helmet's default headers unless securityHeaders is false; a route's own headers win", async () => {
    const withHeaders = await call(handlerWith(), '/api/v1/usage', { headers: { authorization } });
    for (const [name, value] of Object.entries(defaultSecurityHeaders))
      expect(withHeaders.headers.get(name)).toBe(value);
    const without = await call(handlerWith({ securityHeaders: false }), '/api/v1/usage', {
      headers: { authorization },
    });
    for (const name of Object.keys(defaultSecurityHeaders)) expect(without.headers.get(name)).toBeNull();

    await engine.blobStore.put('cover-1.png', pngBytes(), { contentType: 'image/png' });
    const image = await call(handlerWith(), '/api/v1/cover-images/cover-1.png');
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(image.headers.get('content-security-policy')).toBe("default-src 'none'; sandbox");
    expect(new Uint8Array(await image.arrayBuffer())).toEqual(pngBytes());
  });

  it('reads a streamed body only up to the limit: 413 and the stream cancelled, the rest never pulled', async () => {
    let pulled = 0;
    let cancelled = false;
    // An endless body without Content-Length: a reader that did not stop at the limit would never answer.
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new TextEncoder().encode(`{"x":"${'a'.repeat(1000)}`));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await call(handlerWith({ jsonBodyLimit: '8kb' }), '/api/v1/roadmaps/generate', {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: expect.any(String), code: 'payload_too_large' });
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(12);
    expect((await engine.listTasks({ userId: 'user-1' })).total).toBe(0);
  });

  it('refuses a declared Content-Length over the limit before reading; takes a body within it', async () => {
    const handler = handlerWith({ jsonBodyLimit: 100 });
    const post = (body: string) =>
      call(handler, '/api/v1/roadmaps/generate', {
        method: 'POST',
        headers: { authorization, 'content-type': 'application/json' },
        body,
      });
    expect((await post(JSON.stringify({ ...learnRust, additional_context: 'x'.repeat(100) }))).status).toBe(413);
    const accepted = await post(JSON.stringify(learnRust));
    expect(accepted.status).toBe(202);
    expect(await accepted.json()).toMatchObject({ status: 'pending' });
  });
});

/** A 1 × 1 PNG. */
function pngBytes(): Uint8Array {
  return Uint8Array.from(
    atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
    (character) => character.charCodeAt(0),
  );
}

describe('event streams per user (maxConnectionsPerUser)', () => {
  it('refuses one more stream with 429 rate_limited once the cap is held, and admits one again when a stream ends', async () => {
    const handler = handlerWith({ maxConnectionsPerUser: 2 });
    const open = async () => {
      const controller = new AbortController();
      const response = await call(handler, '/api/v1/events', {
        headers: { authorization },
        signal: controller.signal,
      });
      return { response, controller };
    };
    const first = await open();
    const second = await open();
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    const refused = await open();
    expect(refused.response.status).toBe(429);
    expect(await refused.response.json()).toMatchObject({ code: 'rate_limited' });

    // A stream that ends gives its slot back: the client going away cancels the body.
    await first.response.body?.cancel();
    const again = await open();
    expect(again.response.status).toBe(200);
    await second.response.body?.cancel();
    await again.response.body?.cancel();
  });

  it('rejects a cap below 1 when the handler is created', () => {
    expect(() => handlerWith({ maxConnectionsPerUser: 0 })).toThrow(/maxConnectionsPerUser/);
  });
});
