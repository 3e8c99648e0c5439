import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoModel, createMemoryQueue, createMemoryStorage, RoadmapEngine, type Storage } from '@roadmap/core';
import express from 'express';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createHealthRouter, type HealthRouterOptions } from './healthRouter.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(storage: Storage, options?: HealthRouterOptions) {
  const engine = new RoadmapEngine({ storage, queue: createMemoryQueue(), model: createDemoModel(), worker: false });
  const app = express();
  app.use(createHealthRouter(engine, options));
  server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, () => resolve(listening));
  });
  return supertest(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
}

describe('createHealthRouter', () => {
  it('answers /healthz and /readyz with 200 { status: ok } while storage answers', async () => {
    const http = await serve(createMemoryStorage());
    expect((await http.get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
    expect((await http.get('/readyz').expect(200)).body).toEqual({ status: 'ok' });
  });

  it('answers /readyz 503 when storage fails or hangs, or an extra check fails; /healthz stays 200', async () => {
    const failing = { ...createMemoryStorage(), getTask: () => Promise.reject(new Error('ECONNREFUSED secret-host')) };
    const http = await serve(failing);
    const response = await http.get('/readyz').expect(503);
    expect(response.body).toEqual({ status: 'unavailable', detail: 'Not answering: storage.' });
    await http.get('/healthz').expect(200);
    await new Promise<void>((resolve) => server?.close(() => resolve()));

    const hanging = { ...createMemoryStorage(), getTask: () => new Promise<null>(() => {}) };
    const slow = await serve(hanging, { timeoutMs: 20, checks: { redis: () => Promise.reject(new Error('down')) } });
    expect((await slow.get('/readyz').expect(503)).body.detail).toBe('Not answering: storage, redis.');
  });
});
