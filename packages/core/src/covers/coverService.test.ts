import { afterEach, describe, expect, it } from 'vitest';
import type { CoverRecord } from '../domain/coverRecord.js';
import type { RoadmapEvent } from '../domain/events.js';
import type { CoverStatus } from '../domain/schemas.js';
import type { RoadmapEngine, RoadmapEngineOptions } from '../engine/engine.js';
import { type Clock, isoTime, sleep } from '../shared/clock.js';
import { abortError, RoadmapError } from '../shared/errors.js';
import type { Storage } from '../storage/storage.js';
import { createWorld, learnGo, settle, terminalEvent, type World } from '../testing/engineTestSupport.js';
import { nextTurn } from '../testing/manualClock.js';
import { makeRoadmap, makeTaskRecord } from '../testing/storage/fixtures.js';
import type { BlobStore } from './blobStore.js';
import { maxCoverUploadBytes } from './coverService.js';
import type { ImageProvider, ImageRequest, ImageResult } from './imageProvider.js';
import { createOfflineImageProvider } from './offlineImageProvider.js';

// ---------------------------------------------------------------------------------------------------------------
// Fakes
// ---------------------------------------------------------------------------------------------------------------

const ascii = (text: string) => new TextEncoder().encode(text);
const withHeader = (header: number[], size = 64) => {
  const bytes = new Uint8Array(size);
  bytes.set(header);
  return bytes;
};
const png = (size = 64) => withHeader([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], size);
const jpeg = (size = 64) => withHeader([0xff, 0xd8, 0xff, 0xe0], size);
const webp = (size = 64) => withHeader([...ascii('RIFF'), 0x24, 0, 0, 0, ...ascii('WEBPVP8 ')], size);

/** Never settles; rejects with an `AbortError` once `signal` aborts. */
function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const onAbort = () => reject(abortError(signal));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

interface ImageCall {
  request: ImageRequest;
  outcome: 'pending' | 'succeeded' | 'failed' | 'aborted';
}

type Reply = ImageResult | Error | 'hang';

/** An image provider whose calls take `latencyMs` on the clock, answer what `reply` says, and honour aborts. */
function createFakeImageProvider(
  clock: Clock,
  options: { latencyMs?: number; reply?: (request: ImageRequest, index: number) => Reply } = {},
) {
  const calls: ImageCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const provider: ImageProvider & {
    calls: ImageCall[];
    inFlight(): number;
    maxInFlight(): number;
    reply: (request: ImageRequest, index: number) => Reply;
  } = {
    specificationVersion: 'v1',
    provider: 'fake',
    calls,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    reply: options.reply ?? (() => ({ kind: 'bytes', data: png(), contentType: 'image/png' })),
    async generate(request) {
      const call: ImageCall = { request, outcome: 'pending' };
      calls.push(call);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const reply = provider.reply(request, calls.length);
        await sleep(clock, options.latencyMs ?? 0, request.abortSignal);
        if (reply === 'hang') await hang(request.abortSignal);
        if (reply instanceof Error) throw reply;
        call.outcome = 'succeeded';
        return reply as ImageResult;
      } catch (error) {
        call.outcome = request.abortSignal.aborted ? 'aborted' : 'failed';
        throw error;
      } finally {
        inFlight -= 1;
      }
    },
  };
  return provider;
}

/** A blob store in a map, serving from `https://cdn.test/`. */
function createFakeBlobStore() {
  const blobs = new Map<string, { data: Uint8Array; contentType: string }>();
  const store: BlobStore & { blobs: typeof blobs } = {
    specificationVersion: 'v1',
    blobs,
    async put(key, data, options) {
      blobs.set(key, { data, contentType: options.contentType });
      return { url: `https://cdn.test/${key}` };
    },
    async get(key) {
      return blobs.get(key) ?? null;
    },
    async delete(key) {
      blobs.delete(key);
    },
  };
  return store;
}

// ---------------------------------------------------------------------------------------------------------------
// World
// ---------------------------------------------------------------------------------------------------------------

let world: World;
afterEach(async () => {
  await world?.stopAll();
});

interface Setup {
  world: World;
  engine: RoadmapEngine;
  provider: ReturnType<typeof createFakeImageProvider>;
  blobStore: ReturnType<typeof createFakeBlobStore>;
  events: RoadmapEvent[];
  errors: unknown[];
}

async function setup(
  options: { latencyMs?: number; reply?: (request: ImageRequest, index: number) => Reply } = {},
  engineOptions: Partial<RoadmapEngineOptions> = {},
): Promise<Setup> {
  world = createWorld();
  const provider = createFakeImageProvider(world.clock, options);
  const blobStore = createFakeBlobStore();
  const errors: unknown[] = [];
  const engine = await world.engine(world.model(), {
    imageProvider: provider,
    blobStore,
    onError: (error) => errors.push(error),
    ...engineOptions,
  });
  const events: RoadmapEvent[] = [];
  engine.subscribe((event) => events.push(event));
  return { world, engine, provider, blobStore, events, errors };
}

/** Another engine on the same storage and clock (a restarted process). */
async function restart(
  setupOf: Setup,
  options: { latencyMs?: number; reply?: (request: ImageRequest, index: number) => Reply } = {},
) {
  const provider = createFakeImageProvider(setupOf.world.clock, options);
  const engine = await setupOf.world.engine(setupOf.world.model(), {
    imageProvider: provider,
    blobStore: setupOf.blobStore,
    onError: (error) => setupOf.errors.push(error),
  });
  return { engine, provider };
}

/** Stores a roadmap (and the task that made it) straight into storage, as a finished pipeline leaves it. */
async function seedRoadmap(storage: Storage, userId = 'u1'): Promise<string> {
  const task = await storage.createTask(makeTaskRecord({ user_id: userId }));
  const token = `seed-${task.task.task_id}`;
  await storage.acquireLease(task.task.task_id, { token, now: 0, expiresAt: Number.MAX_SAFE_INTEGER, updatedAt: '' });
  const roadmap = makeRoadmap({ roadmap_id: task.task.roadmap_id, user_id: userId, title: 'Learn TypeScript' });
  await storage.saveRoadmap({ taskId: task.task.task_id, leaseToken: token }, roadmap);
  return roadmap.roadmap_id;
}

async function seedMany(storage: Storage, count: number, userId = 'u1'): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index += 1) ids.push(await seedRoadmap(storage, userId));
  return ids;
}

/** Puts a cover straight into a status (storage only, no events). */
async function forceStatus(storage: Storage, roadmapId: string, status: CoverStatus, patch: Partial<CoverRecord> = {}) {
  const tasks = await storage.listTasks({ roadmapId, limit: 1 });
  const task = tasks.tasks[0];
  if (!task) throw new Error(`no task for ${roadmapId}`);
  await storage.ensureCover({ roadmap_id: roadmapId, user_id: task.user_id, task_id: task.task_id, created_at: '' });
  await storage.transitionCover(roadmapId, {
    from: ['not_started', 'pending', 'generating', 'success', 'failed'],
    to: status,
    patch: { updated_at: isoTime(world.clock.now()), ...patch },
  });
}

/** Runs the event loop until `check` holds (bounded: no wall-clock waits). */
async function until(check: () => boolean | Promise<boolean>, turns = 200): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) {
    if (await check()) return;
    await nextTurn();
  }
  throw new Error('condition not reached');
}

const coverEvents = (events: RoadmapEvent[], roadmapId?: string) =>
  events.flatMap((event) =>
    event.type === 'cover_updated' && (roadmapId === undefined || event.roadmap_id === roadmapId) ? [event] : [],
  );

async function rejection(promise: Promise<unknown>): Promise<RoadmapError> {
  try {
    await promise;
  } catch (error) {
    if (RoadmapError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a RoadmapError');
}

// ---------------------------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------------------------

describe('covers: automatic generation', () => {
  it('generates the cover once the framework is stored: pending → generating → success on the task stream', async () => {
    const { engine, provider, blobStore, events, errors } = await setup({ latencyMs: 1_000 });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect((await terminalEvent(engine, task.task_id)).type).toBe('completed');
    await until(() => provider.calls.length === 1);
    expect(await engine.covers.get(task.roadmap_id, { userId: 'u1' })).toMatchObject({ status: 'generating' });

    await world.clock.advance(1_000);
    await until(async () => (await engine.covers.get(task.roadmap_id)).status === 'success');
    const cover = await engine.covers.get(task.roadmap_id, { userId: 'u1' });
    expect(cover).toEqual({
      roadmap_id: task.roadmap_id,
      cover_image_url: expect.stringMatching(new RegExp(`^https://cdn\\.test/${task.roadmap_id}-\\w+\\.png$`)),
      status: 'success',
      error: null,
      retry_count: 0,
    });
    const stored = await world.storage.getCover(task.roadmap_id);
    expect(stored).toMatchObject({ provider: 'fake', task_id: task.task_id, user_id: 'u1' });
    expect(blobStore.blobs.get(stored?.blob_key ?? '')?.contentType).toBe('image/png');

    const request = provider.calls[0]?.request;
    const roadmap = await engine.getRoadmap(task.roadmap_id);
    expect(request?.title).toBe(roadmap?.title);
    expect(request?.prompt).toContain(roadmap?.title);
    const updates = coverEvents(events, task.roadmap_id);
    expect(updates.map((event) => [event.status, event.cover_image_url])).toEqual([
      ['pending', null],
      ['generating', null],
      ['success', cover.cover_image_url],
    ]);
    expect(updates.every((event) => event.task_id === task.task_id && event.user_id === 'u1')).toBe(true);
    expect(await engine.listEvents({ taskId: task.task_id })).toEqual(
      expect.arrayContaining(updates.map((event) => expect.objectContaining({ seq: event.seq }))),
    );
    expect(errors).toEqual([]);
  });

  it('uses the offline provider and the memory blob store by default', async () => {
    world = createWorld();
    const engine = await world.engine(world.model());
    // Wait for the event rather than for a number of event-loop turns.
    const succeeded = new Promise<void>((resolve) => {
      engine.on('cover_updated', (event) => {
        if (event.status === 'success') resolve();
      });
    });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    await succeeded;
    const stored = await world.storage.getCover(task.roadmap_id);
    expect(stored).toMatchObject({
      provider: 'offline',
      cover_image_url: expect.stringMatching(/^\/api\/v1\/cover-images\//),
    });
    const blob = await engine.blobStore.get(stored?.blob_key as string);
    // The offline artwork is SVG, stored under a .svg key with its type.
    expect(blob?.contentType).toBe('image/svg+xml');
    expect(stored?.blob_key).toMatch(/\.svg$/);
    expect(new TextDecoder().decode(blob?.data).startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
  });

  it('a cover that cannot even be created never fails the pipeline; the error goes to onError', async () => {
    world = createWorld();
    const errors: unknown[] = [];
    const storage: Storage = {
      ...world.storage,
      ensureCover: () => Promise.reject(new Error('covers table is missing')),
    };
    const engine = await world.engine(world.model(), { storage, onError: (error) => errors.push(error) });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    expect((await terminalEvent(engine, task.task_id)).type).toBe('completed');
    await until(() => errors.length > 0);
    expect(String(errors[0])).toContain('covers table is missing');
  });

  it('with autoGenerate false, the cover exists but is not_started and nothing is generated', async () => {
    const { engine, provider } = await setup({}, { covers: { autoGenerate: false } });
    const { task } = await engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(engine, task.task_id);
    await settle();
    expect(await world.storage.getCover(task.roadmap_id)).toMatchObject({ status: 'not_started', retry_count: 0 });
    expect(provider.calls).toHaveLength(0);
  });
});

describe('covers: an image that is gone', () => {
  it('a success cover whose image blob is gone is generated again when read, never served as a broken link', async () => {
    const current = await setup();
    const { task } = await current.engine.generate({ userId: 'u1', request: learnGo });
    await terminalEvent(current.engine, task.task_id);
    await until(async () => (await current.engine.covers.get(task.roadmap_id)).status === 'success');
    const lost = await current.world.storage.getCover(task.roadmap_id);
    // The folder was deleted, or the blob store was memory and the process restarted.
    await current.blobStore.delete(lost?.blob_key as string);
    const restarted = await restart(current);
    const events: RoadmapEvent[] = [];
    restarted.engine.subscribe((event) => events.push(event));

    const read = await restarted.engine.covers.get(task.roadmap_id, { userId: 'u1' });
    expect(read).toMatchObject({ status: 'pending', cover_image_url: null });
    await until(async () => (await restarted.engine.covers.get(task.roadmap_id)).status === 'success');
    const regenerated = await current.world.storage.getCover(task.roadmap_id);
    expect(regenerated?.blob_key).not.toBe(lost?.blob_key);
    expect(await current.blobStore.get(regenerated?.blob_key as string)).not.toBeNull();
    expect(coverEvents(events, task.roadmap_id).map((event) => event.status)).toEqual([
      'pending',
      'generating',
      'success',
    ]);
    expect(restarted.provider.calls).toHaveLength(1);
  });

  it('batchGet notices a lost image too; a present image is looked up once per process', async () => {
    const current = await setup();
    const [kept, lost] = await seedMany(current.world.storage, 2);
    for (const roadmapId of [kept, lost] as string[]) {
      const key = `covers/${roadmapId}.png`;
      await current.blobStore.put(key, png(), { contentType: 'image/png' });
      await forceStatus(current.world.storage, roadmapId, 'success', { blob_key: key, cover_image_url: `/x/${key}` });
    }
    await current.blobStore.delete(`covers/${lost}.png`);
    const lookups: string[] = [];
    const get = current.blobStore.get.bind(current.blobStore);
    current.blobStore.get = async (key) => {
      lookups.push(key);
      return get(key);
    };

    const first = await current.engine.covers.batchGet([kept as string, lost as string], { userId: 'u1' });
    expect(first.map((cover) => cover.status)).toEqual(['success', 'pending']);
    await current.engine.covers.batchGet([kept as string], { userId: 'u1' });
    await current.engine.covers.get(kept as string, { userId: 'u1' });
    expect(lookups.filter((key) => key === `covers/${kept}.png`)).toHaveLength(1);
    await until(async () => (await current.engine.covers.get(lost as string)).status === 'success');
    expect(current.errors).toEqual([]);
  });
});

describe('covers: batchGenerate', () => {
  it('triggers only not_started and failed covers; skips success and in-progress ones; reports the unknown', async () => {
    const { engine, world, provider } = await setup({ latencyMs: 1_000 });
    const [fresh1, fresh2, failed, succeeded, pending, generating] = await seedMany(world.storage, 6);
    const foreign = await seedRoadmap(world.storage, 'u2');
    await forceStatus(world.storage, failed as string, 'failed', { retry_count: 3, error: 'boom' });
    await forceStatus(world.storage, succeeded as string, 'success', { cover_image_url: 'https://cdn.test/old.png' });
    await forceStatus(world.storage, pending as string, 'pending');
    await forceStatus(world.storage, generating as string, 'generating');

    const result = await engine.covers.batchGenerate(
      [fresh1, 'no-such-roadmap', failed, succeeded, pending, generating, foreign, fresh2, fresh1] as string[],
      { userId: 'u1' },
    );
    expect(result).toEqual({
      triggered: 3,
      skipped: 3,
      roadmap_ids: [fresh1, failed, fresh2],
      not_found: ['no-such-roadmap', foreign],
      message: 'Triggered 3 cover image generation tasks, skipped 3 already successful',
    });
    expect(await engine.covers.get(failed as string)).toMatchObject({
      status: expect.stringMatching(/^(pending|generating)$/),
      error: null,
      retry_count: 3,
    });
    expect(await engine.covers.get(succeeded as string)).toMatchObject({ status: 'success' });
    expect(await engine.covers.get(foreign as string)).toMatchObject({ status: 'not_started' });
    // In-progress covers were not re-triggered (the original did): the provider is asked only for the triggered.
    await settle();
    expect(provider.calls.map((call) => call.request.roadmapId).sort()).toEqual([fresh1, failed, fresh2].sort());
  });

  it('returns at once for 100 covers and generates them at most `concurrency` at a time', async () => {
    const { engine, provider, world, events } = await setup({ latencyMs: 1_000 }, { covers: { concurrency: 3 } });
    const ids = await seedMany(world.storage, 100);

    const result = await engine.covers.batchGenerate(ids, { userId: 'u1' });
    expect(result.triggered).toBe(100);
    expect(result.roadmap_ids).toEqual(ids);
    // Nothing was waited for: no provider call finished, and the clock has not moved.
    expect(provider.calls.every((call) => call.outcome === 'pending')).toBe(true);
    await settle();
    expect(provider.inFlight()).toBe(3);
    const again = await engine.covers.batchGenerate(ids, { userId: 'u1' });
    expect(again).toMatchObject({ triggered: 0, skipped: 100, roadmap_ids: [] });

    for (let round = 0; round < 34; round += 1) {
      await world.clock.advance(1_000);
      await settle();
      expect(provider.inFlight()).toBeLessThanOrEqual(3);
    }
    const covers = await engine.covers.batchGet(ids, { userId: 'u1' });
    expect(covers.every((cover) => cover.status === 'success')).toBe(true);
    expect(provider.calls).toHaveLength(100);
    expect(provider.maxInFlight()).toBe(3);
    expect(coverEvents(events).filter((event) => event.status === 'success')).toHaveLength(100);
  });

  it('rejects an empty batch and one of more than 100 ids', async () => {
    const { engine } = await setup();
    expect((await rejection(engine.covers.batchGenerate([], { userId: 'u1' }))).code).toBe('invalid_input');
    const tooMany = Array.from({ length: 101 }, (_, index) => `roadmap-${index}`);
    expect((await rejection(engine.covers.batchGenerate(tooMany, { userId: 'u1' }))).code).toBe('invalid_input');
    expect((await rejection(engine.covers.batchGet(tooMany, { userId: 'u1' }))).code).toBe('invalid_input');
    expect((await rejection(engine.covers.batchGet([''], { userId: 'u1' }))).code).toBe('invalid_input');
  });
});

describe('covers: batchGet and ownership', () => {
  it('answers in request order; unknown and foreign ids come back as not_found', async () => {
    const { engine, world } = await setup();
    const [first, second] = await seedMany(world.storage, 2);
    const foreign = await seedRoadmap(world.storage, 'u2');
    await forceStatus(world.storage, second as string, 'success', { cover_image_url: 'https://cdn.test/2.png' });

    const covers = await engine.covers.batchGet([second, 'missing', first, foreign, second] as string[], {
      userId: 'u1',
    });
    expect(covers).toEqual([
      { roadmap_id: second, cover_image_url: 'https://cdn.test/2.png', status: 'success', error: null, retry_count: 0 },
      { roadmap_id: 'missing', status: 'not_found', cover_image_url: null },
      { roadmap_id: first, cover_image_url: null, status: 'not_started', error: null, retry_count: 0 },
      { roadmap_id: foreign, status: 'not_found', cover_image_url: null },
      { roadmap_id: second, cover_image_url: 'https://cdn.test/2.png', status: 'success', error: null, retry_count: 0 },
    ]);
  });

  it('get, generate and upload refuse another user (forbidden) and an unknown roadmap (not_found)', async () => {
    const { engine, world, provider } = await setup();
    const roadmapId = await seedRoadmap(world.storage, 'u1');
    for (const call of [
      () => engine.covers.get(roadmapId, { userId: 'u2' }),
      () => engine.covers.generate(roadmapId, { userId: 'u2' }),
      () => engine.covers.upload(roadmapId, png(), { userId: 'u2' }),
    ]) {
      expect((await rejection(call())).code).toBe('forbidden');
    }
    for (const call of [
      () => engine.covers.get('missing', { userId: 'u1' }),
      () => engine.covers.generate('missing', { userId: 'u1' }),
      () => engine.covers.upload('missing', png(), { userId: 'u1' }),
    ]) {
      expect((await rejection(call())).code).toBe('not_found');
    }
    await settle();
    expect(provider.calls).toHaveLength(0);
    expect(await engine.covers.get(roadmapId, { userId: 'u1' })).toMatchObject({ status: 'not_started' });
  });
});

describe('covers: reads have no side effects', () => {
  it('get and batchGet write no cover row: an own roadmap without one reads not_started; foreign and unknown ids nothing', async () => {
    const { engine, world, events } = await setup();
    const own = await seedRoadmap(world.storage, 'u1');
    const foreign = await seedRoadmap(world.storage, 'u2');
    const unknown = 'learn-nothing-00000000';

    expect(await engine.covers.get(own, { userId: 'u1' })).toEqual({
      roadmap_id: own,
      cover_image_url: null,
      status: 'not_started',
      error: null,
      retry_count: 0,
    });
    expect((await rejection(engine.covers.get(foreign, { userId: 'u1' }))).code).toBe('forbidden');
    expect((await rejection(engine.covers.get(unknown, { userId: 'u1' }))).code).toBe('not_found');
    expect(await engine.covers.batchGet([foreign, own, unknown, foreign], { userId: 'u1' })).toEqual([
      { roadmap_id: foreign, status: 'not_found', cover_image_url: null },
      { roadmap_id: own, cover_image_url: null, status: 'not_started', error: null, retry_count: 0 },
      { roadmap_id: unknown, status: 'not_found', cover_image_url: null },
      { roadmap_id: foreign, status: 'not_found', cover_image_url: null },
    ]);
    // Without a caller (a trusted server-side read), a roadmap without a cover row reads not_started too.
    expect(await engine.covers.get(foreign)).toMatchObject({ status: 'not_started' });

    await settle();
    expect(await world.storage.getCovers([own, foreign, unknown])).toEqual([]);
    expect(coverEvents(events)).toEqual([]);
  });

  it("batchGenerate creates and triggers the caller's covers only: another user's id gets no row", async () => {
    const { engine, world } = await setup({}, { covers: { autoGenerate: false } });
    const own = await seedRoadmap(world.storage, 'u1');
    const foreign = await seedRoadmap(world.storage, 'u2');
    const result = await engine.covers.batchGenerate([foreign, own], { userId: 'u1' });
    expect(result).toMatchObject({ triggered: 1, roadmap_ids: [own], not_found: [foreign] });
    expect(await world.storage.getCover(foreign)).toBeNull();
    expect(await world.storage.getCover(own)).not.toBeNull();
    await until(async () => (await engine.covers.get(own)).status === 'success');
  });
});

describe('covers: failures and retries', () => {
  it('retries a failed cover automatically with backoff until retry_count 3; a manual generate still works', async () => {
    let failing = true;
    const { engine, provider, world, events } = await setup(
      {
        reply: () =>
          failing ? new Error('image service down') : { kind: 'bytes', data: png(), contentType: 'image/png' },
      },
      { covers: { sweepIntervalMs: 1_000, retryBaseMs: 30_000, maxRetries: 3 } },
    );
    const roadmapId = await seedRoadmap(world.storage);
    const startedAt = world.clock.now();
    expect(await engine.covers.generate(roadmapId, { userId: 'u1' })).toMatchObject({ status: 'pending' });
    await until(async () => (await engine.covers.get(roadmapId)).status === 'failed');
    expect(await engine.covers.get(roadmapId)).toEqual({
      roadmap_id: roadmapId,
      cover_image_url: null,
      status: 'failed',
      error: 'image service down',
      retry_count: 1,
    });
    expect((await world.storage.getCover(roadmapId))?.next_attempt_at).toBe(startedAt + 30_000);

    await world.clock.advance(29_000);
    expect(provider.calls).toHaveLength(1);
    await world.clock.advance(1_000);
    await until(async () => (await engine.covers.get(roadmapId)).retry_count === 2);
    expect(provider.calls).toHaveLength(2);
    expect((await world.storage.getCover(roadmapId))?.next_attempt_at).toBe(world.clock.now() + 60_000);

    await world.clock.advance(59_000);
    expect(provider.calls).toHaveLength(2);
    await world.clock.advance(1_000);
    await until(async () => (await engine.covers.get(roadmapId)).retry_count === 3);
    expect(await world.storage.getCover(roadmapId)).toMatchObject({ status: 'failed', next_attempt_at: null });

    await world.clock.advance(3_600_000);
    expect(provider.calls).toHaveLength(3);

    failing = false;
    expect(await engine.covers.generate(roadmapId, { userId: 'u1' })).toMatchObject({ status: 'pending' });
    await until(async () => (await engine.covers.get(roadmapId)).status === 'success');
    expect(provider.calls).toHaveLength(4);
    expect(await engine.covers.get(roadmapId)).toMatchObject({ status: 'success', error: null, retry_count: 0 });
    expect(coverEvents(events).map((event) => event.status)).toEqual([
      ...['pending', 'generating', 'failed'],
      ...['pending', 'generating', 'failed'],
      ...['pending', 'generating', 'failed'],
      ...['pending', 'generating', 'success'],
    ]);
  });

  it('fails a cover whose provider returns bytes that are not an image, and rejects non-http URLs', async () => {
    const offlineArtwork = await createOfflineImageProvider().generate({
      roadmapId: 'r',
      prompt: 'Go',
      title: 'Go',
      abortSignal: new AbortController().signal,
    });
    if (offlineArtwork.kind !== 'bytes') throw new Error('expected bytes');
    const replies: Reply[] = [
      { kind: 'bytes', data: ascii('<svg onload="alert(1)"/>'), contentType: 'image/png' },
      { kind: 'url', url: 'javascript:alert(1)' },
      // Only the offline provider's own SVG is stored: the same bytes from another provider are refused.
      { kind: 'bytes', data: offlineArtwork.data.slice(), contentType: 'image/svg+xml' },
    ];
    const { engine, world, blobStore } = await setup({ reply: (_, index) => replies[index - 1] ?? 'hang' });
    const ids = (await seedMany(world.storage, 3)) as [string, string, string];
    await engine.covers.batchGenerate(ids, { userId: 'u1' });
    await until(async () => (await engine.covers.batchGet(ids)).every((c) => c.status === 'failed'));
    const [one, two, three] = await engine.covers.batchGet(ids);
    expect(one).toMatchObject({ status: 'failed', error: expect.stringContaining('not a PNG, JPEG or WebP') });
    expect(two).toMatchObject({ status: 'failed', error: expect.stringContaining('not http(s)') });
    expect(three).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('image/svg+xml bytes that are not'),
    });
    expect(blobStore.blobs.size).toBe(0);
  });

  it('keeps a URL the provider hosts as it is, with its attribution', async () => {
    const attribution = {
      author: 'Ada',
      authorUrl: 'https://x.test/ada',
      source: 'Unsplash',
      sourceUrl: 'https://x.test',
    };
    const { engine, world, blobStore } = await setup({
      reply: () => ({ kind: 'url', url: 'https://images.test/photo.jpg', attribution }),
    });
    const roadmapId = await seedRoadmap(world.storage);
    await engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(async () => (await engine.covers.get(roadmapId)).status === 'success');
    expect(await world.storage.getCover(roadmapId)).toMatchObject({
      cover_image_url: 'https://images.test/photo.jpg',
      attribution,
      blob_key: null,
    });
    expect(blobStore.blobs.size).toBe(0);
  });

  it('a manual generate of a pending or generating cover returns it as it is; of a success, regenerates it', async () => {
    const { engine, world, provider, blobStore } = await setup({ latencyMs: 1_000 });
    const roadmapId = await seedRoadmap(world.storage);
    await engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(() => provider.calls.length === 1);
    expect(await engine.covers.generate(roadmapId, { userId: 'u1' })).toMatchObject({ status: 'generating' });
    await world.clock.advance(1_000);
    await until(async () => (await engine.covers.get(roadmapId)).status === 'success');
    const first = await engine.covers.get(roadmapId);
    const firstKey = (await world.storage.getCover(roadmapId))?.blob_key as string;

    const regenerating = await engine.covers.generate(roadmapId, { userId: 'u1' });
    // The current image stays visible until the new one replaces it.
    expect(regenerating).toMatchObject({ status: 'pending', cover_image_url: first.cover_image_url });
    await until(() => provider.calls.length === 2);
    await world.clock.advance(1_000);
    await until(async () => (await engine.covers.get(roadmapId)).cover_image_url !== first.cover_image_url);
    expect(provider.calls).toHaveLength(2);
    expect(blobStore.blobs.has(firstKey)).toBe(false);
    expect(blobStore.blobs.size).toBe(1);
  });

  it('fails a generation that takes longer than staleAfterMs as timed out', async () => {
    const { engine, world, provider } = await setup(
      { reply: () => 'hang' },
      { covers: { staleAfterMs: 60_000, maxRetries: 1 } },
    );
    const roadmapId = await seedRoadmap(world.storage);
    await engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(() => provider.calls.length === 1);
    await world.clock.advance(60_000);
    await until(async () => (await engine.covers.get(roadmapId)).status === 'failed');
    expect(await engine.covers.get(roadmapId)).toMatchObject({ error: 'Cover generation timed out after 60 s.' });
    expect(provider.calls[0]?.outcome).toBe('aborted');
  });
});

describe('covers: stop and restart', () => {
  it('stop aborts the provider call in flight and leaves the cover pending; a restarted engine regenerates it once stale', async () => {
    const first = await setup({ reply: () => 'hang' });
    const roadmapId = await seedRoadmap(first.world.storage);
    await first.engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(() => first.provider.calls.length === 1);
    const signal = first.provider.calls[0]?.request.abortSignal;
    expect(signal?.aborted).toBe(false);

    await first.engine.stop();
    expect(signal?.aborted).toBe(true);
    expect(first.provider.calls[0]?.outcome).toBe('aborted');
    expect(await first.world.storage.getCover(roadmapId)).toMatchObject({ status: 'pending' });
    expect(coverEvents(first.events).map((event) => event.status)).toEqual(['pending', 'generating', 'pending']);

    const second = await restart(first);
    await settle();
    // Not stale yet: another live process might still be working on it.
    expect(second.provider.calls).toHaveLength(0);
    await world.clock.advance(300_000 + 60_000);
    await until(async () => (await second.engine.covers.get(roadmapId)).status === 'success');
    expect(second.provider.calls).toHaveLength(1);
    expect(first.errors).toEqual([]);
  });

  it('after a crash (nothing written) the generating cover is regenerated by the next process once stale', async () => {
    const first = await setup({ reply: () => 'hang' });
    const roadmapId = await seedRoadmap(first.world.storage);
    await first.engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(() => first.provider.calls.length === 1);
    await first.engine.stop({ releaseTasks: false });
    expect(await first.world.storage.getCover(roadmapId)).toMatchObject({ status: 'generating' });

    await world.clock.advance(300_001);
    const second = await restart(first);
    // The restarted engine's first sweep (at start) finds it stale.
    await until(async () => (await second.engine.covers.get(roadmapId)).status === 'success');
    expect(second.provider.calls).toHaveLength(1);
    expect(coverEvents(first.events).map((event) => event.status)).toEqual(['pending', 'generating']);
  });
});

describe('covers: upload', () => {
  it('accepts PNG, JPEG and WebP by their bytes and stores them with the detected type', async () => {
    const { engine, world, blobStore, events } = await setup();
    const roadmapId = await seedRoadmap(world.storage);
    for (const [bytes, type, extension] of [
      [png(), 'image/png', 'png'],
      [jpeg(), 'image/jpeg', 'jpg'],
      [webp(), 'image/webp', 'webp'],
    ] as const) {
      const cover = await engine.covers.upload(roadmapId, bytes, { userId: 'u1' });
      expect(cover).toMatchObject({ status: 'success', error: null, retry_count: 0 });
      expect(cover.cover_image_url).toMatch(new RegExp(`^https://cdn\\.test/${roadmapId}-\\w+\\.${extension}$`));
      const stored = await world.storage.getCover(roadmapId);
      expect(stored).toMatchObject({ provider: 'upload', attribution: null });
      expect(blobStore.blobs.get(stored?.blob_key as string)?.contentType).toBe(type);
      // The replaced image is deleted.
      expect(blobStore.blobs.size).toBe(1);
    }
    expect(coverEvents(events).map((event) => event.status)).toEqual(['success', 'success', 'success']);
    // Exactly 2 MB is allowed.
    expect(await engine.covers.upload(roadmapId, png(maxCoverUploadBytes), { userId: 'u1' })).toMatchObject({
      status: 'success',
    });
  });

  it('rejects a text file named .png and an image over 2 MB, and keeps the previous cover', async () => {
    const { engine, world, blobStore } = await setup();
    const roadmapId = await seedRoadmap(world.storage);
    const previous = await engine.covers.upload(roadmapId, png(), { userId: 'u1' });
    const storedBefore = await world.storage.getCover(roadmapId);

    const text = ascii('just some notes, saved as cover.png');
    expect((await rejection(engine.covers.upload(roadmapId, text, { userId: 'u1' }))).code).toBe(
      'unsupported_media_type',
    );
    expect((await rejection(engine.covers.upload(roadmapId, new Uint8Array(), { userId: 'u1' }))).code).toBe(
      'unsupported_media_type',
    );
    const tooBig = png(maxCoverUploadBytes + 1);
    expect((await rejection(engine.covers.upload(roadmapId, tooBig, { userId: 'u1' }))).code).toBe('payload_too_large');
    expect(await engine.covers.get(roadmapId)).toEqual(previous);
    expect(await world.storage.getCover(roadmapId)).toEqual(storedBefore);
    expect(blobStore.blobs.size).toBe(1);
  });

  it('an upload during a generation wins: the generation is abandoned and writes nothing', async () => {
    const { engine, world, provider, blobStore } = await setup({ latencyMs: 1_000 });
    const roadmapId = await seedRoadmap(world.storage);
    await engine.covers.generate(roadmapId, { userId: 'u1' });
    await until(() => provider.calls.length === 1);
    const uploaded = await engine.covers.upload(roadmapId, jpeg(), { userId: 'u1' });
    await settle();
    expect(provider.calls[0]?.outcome).toBe('aborted');
    await world.clock.advance(1_000);
    await settle();
    expect(await engine.covers.get(roadmapId)).toEqual(uploaded);
    expect(blobStore.blobs.size).toBe(1);
  });
});
