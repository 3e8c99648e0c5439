import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Agent, createServer } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { isAbortError, RoadmapError } from '@roadmap/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createS3BlobStore, type S3BlobStoreOptions } from './s3BlobStore.js';
import { s3rverCredentials, startS3rver, type TestS3Server, testBucket } from './s3rverTestSupport.js';

/** A real 1×1 PNG. */
const png = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
    'base64',
  ),
);

let server: TestS3Server;

beforeAll(async () => {
  server = await startS3rver();
});

afterAll(async () => {
  await server?.stop();
});

function createStore(options: Partial<S3BlobStoreOptions> = {}) {
  return createS3BlobStore({
    bucket: testBucket,
    endpoint: server.endpoint,
    credentials: s3rverCredentials,
    ...options,
  });
}

/** A key no other test uses. */
const uniqueKey = (name: string) => `${globalThis.crypto.randomUUID()}/${name}`;

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('createS3BlobStore on a real S3-compatible server (s3rver)', () => {
  it('stores a PNG and reads back the same bytes and content type', async () => {
    const store = createStore();
    const key = uniqueKey('cover.png');
    await store.put(key, png, { contentType: 'image/png' });

    const stored = await store.get(key);

    expect(stored?.contentType).toBe('image/png');
    expect(Buffer.from(stored?.data ?? []).equals(Buffer.from(png))).toBe(true);
    expect(Array.from(stored?.data.subarray(0, 8) ?? [])).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(store.specificationVersion).toBe('v1');
    store.close();
  });

  it('answers the path-style object URL without publicBaseUrl, and that URL serves the image', async () => {
    const store = createStore();
    const key = uniqueKey('cover.png');

    const { url } = await store.put(key, png, { contentType: 'image/png' });

    expect(url).toBe(`${server.endpoint}/${testBucket}/covers/${key}`);
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(png))).toBe(true);
    store.close();
  });

  it('answers publicBaseUrl + "/" + object key with publicBaseUrl, a trailing slash trimmed', async () => {
    const store = createStore({ publicBaseUrl: 'https://covers.example.com/' });
    const key = uniqueKey('cover.png');

    const { url } = await store.put(key, png, { contentType: 'image/png' });

    expect(url).toBe(`https://covers.example.com/covers/${key}`);
    expect((await store.get(key))?.contentType).toBe('image/png');
    store.close();
  });

  it('answers the virtual-hosted object URL when the bucket is addressed in the host name', async () => {
    const virtualHostServer = await startS3rver({ serviceEndpoint: 'roadmap.test' });
    // Every `*.roadmap.test` host name resolves to the local server, as a wildcard DNS record would.
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    };
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: `http://s3.roadmap.test:${virtualHostServer.port}`,
      forcePathStyle: false,
      credentials: s3rverCredentials,
      requestHandler: { httpAgent: new Agent({ lookup }) },
    });
    const store = createS3BlobStore({ bucket: testBucket, client });
    try {
      const key = uniqueKey('cover.png');
      const { url } = await store.put(key, png, { contentType: 'image/png' });

      expect(url).toBe(`http://${testBucket}.s3.roadmap.test:${virtualHostServer.port}/covers/${key}`);
      expect((await store.get(key))?.data).toEqual(png);
    } finally {
      client.destroy();
      await virtualHostServer.stop();
    }
  });

  it('stores every object under keyPrefix', async () => {
    const tenantStore = createStore({ keyPrefix: 'tenant-a/covers/' });
    const unprefixedStore = createStore({ keyPrefix: '' });
    const key = uniqueKey('cover.png');

    const { url } = await tenantStore.put(key, png, { contentType: 'image/png' });

    expect(url).toBe(`${server.endpoint}/${testBucket}/tenant-a/covers/${key}`);
    expect(tenantStore.keyPrefix).toBe('tenant-a/covers/');
    expect((await unprefixedStore.get(`tenant-a/covers/${key}`))?.data).toEqual(png);
    expect(await unprefixedStore.get(key)).toBeNull();
    expect(await createStore().get(key)).toBeNull();
    tenantStore.close();
    unprefixedStore.close();
  });

  it('stores the configured Cache-Control with the object', async () => {
    const store = createStore({ cacheControl: 'public, max-age=60' });
    const { url } = await store.put(uniqueKey('cover.png'), png, { contentType: 'image/png' });

    expect((await fetch(url)).headers.get('cache-control')).toBe('public, max-age=60');
    store.close();
  });

  it('answers null for a key that was never stored', async () => {
    const store = createStore();
    expect(await store.get(uniqueKey('missing.png'))).toBeNull();
    store.close();
  });

  it('deletes an object, and deleting it again (or a key never stored) succeeds', async () => {
    const store = createStore();
    const key = uniqueKey('cover.png');
    await store.put(key, png, { contentType: 'image/png' });

    await store.delete(key);

    expect(await store.get(key)).toBeNull();
    await expect(store.delete(key)).resolves.toBeUndefined();
    await expect(store.delete(uniqueKey('never-stored.png'))).resolves.toBeUndefined();
    store.close();
  });

  it('round-trips a 1 MB object intact', async () => {
    const store = createStore();
    const key = uniqueKey('large.bin');
    const data = Uint8Array.from(randomBytes(1024 * 1024));

    await store.put(key, data, { contentType: 'application/octet-stream' });
    const stored = await store.get(key);

    expect(stored?.data.byteLength).toBe(data.byteLength);
    expect(Buffer.from(stored?.data ?? []).equals(Buffer.from(data))).toBe(true);
    store.close();
  });

  it('replaces an object put again under the same key', async () => {
    const store = createStore();
    const key = uniqueKey('cover');
    await store.put(key, png, { contentType: 'image/png' });
    await store.put(key, new TextEncoder().encode('<svg/>'), { contentType: 'image/svg+xml' });

    const stored = await store.get(key);

    expect(stored?.contentType).toBe('image/svg+xml');
    expect(new TextDecoder().decode(stored?.data)).toBe('<svg/>');
    store.close();
  });

  it.each([
    ['../escape.png'],
    ['covers/../../escape.png'],
    ['/absolute.png'],
    ['a//b.png'],
    ['./cover.png'],
    ['folder/'],
    [''],
    ['with space.png'],
    ['back\\slash.png'],
    ['query?.png'],
    ['ünïcode.png'],
    [`${'a'.repeat(1020)}.png`],
  ])('rejects the key %j with invalid_input before any request', async (key) => {
    const store = createStore();
    for (const operation of [
      () => store.put(key, png, { contentType: 'image/png' }),
      () => store.get(key),
      () => store.delete(key),
    ]) {
      const error = await caught(operation());
      expect(RoadmapError.isInstance(error) && error.code).toBe('invalid_input');
    }
    store.close();
  });

  it('accepts keys of letters, digits, ".", "_", "-" and "/"', async () => {
    const store = createStore();
    const key = `${globalThis.crypto.randomUUID()}/Learn_Rust-1a2b.v2/cover.final.png`;
    await store.put(key, png, { contentType: 'image/png' });
    expect((await store.get(key))?.data).toEqual(png);
    store.close();
  });

  it.each([['/covers/'], ['covers'], ['../covers/'], ['a b/']])(
    'refuses the keyPrefix %j when created',
    (keyPrefix) => {
      expect(() => createStore({ keyPrefix })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    },
  );

  it('refuses a missing bucket, a relative publicBaseUrl, and client together with connection options', () => {
    expect(() => createStore({ bucket: '' })).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => createStore({ publicBaseUrl: 'covers.example.com' })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    const client = new S3Client({ region: 'auto' });
    expect(() => createS3BlobStore({ bucket: testBucket, client, endpoint: server.endpoint })).toThrow(
      expect.objectContaining({ code: 'invalid_input' }),
    );
    client.destroy();
  });

  it('rejects with AbortError and stores nothing when the signal is already aborted', async () => {
    const store = createStore();
    const key = uniqueKey('cover.png');
    const controller = new AbortController();
    controller.abort();

    const error = await caught(store.put(key, png, { contentType: 'image/png', abortSignal: controller.signal }));

    expect((error as Error).name).toBe('AbortError');
    expect(isAbortError(error)).toBe(true);
    expect(await store.get(key)).toBeNull();
    store.close();
  });

  it('rejects with AbortError and stores nothing when aborted while the request is being prepared', async () => {
    let credentialsRequested!: () => void;
    const requested = new Promise<void>((resolve) => {
      credentialsRequested = resolve;
    });
    const controller = new AbortController();
    const client = new S3Client({
      region: 'auto',
      endpoint: server.endpoint,
      forcePathStyle: true,
      // A slow credential provider (an STS or container role lookup): the put is under way but not yet sent.
      credentials: async () => {
        credentialsRequested();
        await once(controller.signal, 'abort');
        return s3rverCredentials;
      },
    });
    const store = createS3BlobStore({ bucket: testBucket, client });
    const key = uniqueKey('cover.png');

    const putting = caught(store.put(key, png, { contentType: 'image/png', abortSignal: controller.signal }));
    await requested;
    controller.abort();
    const error = await putting;

    expect((error as Error).name).toBe('AbortError');
    expect(await createStore().get(key)).toBeNull();
    client.destroy();
  });

  it('rejects with AbortError as soon as the signal aborts while the request is on the wire', async () => {
    // A server that takes the request and never answers, like a stalled connection.
    const stalled = createServer(() => {});
    stalled.listen(0, '127.0.0.1');
    await once(stalled, 'listening');
    const requestArrived = once(stalled, 'request');
    const store = createStore({ endpoint: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}` });
    const controller = new AbortController();
    try {
      const putting = caught(store.put('cover.png', png, { contentType: 'image/png', abortSignal: controller.signal }));
      await requestArrived;
      controller.abort();
      const error = await putting;

      expect((error as Error).name).toBe('AbortError');
      expect(error).toBe(controller.signal.reason);
    } finally {
      store.close();
      stalled.closeAllConnections();
      stalled.close();
    }
  });

  it('reports a bucket that does not exist as storage_error on put, get and delete', async () => {
    const store = createStore({ bucket: 'no-such-bucket' });
    for (const operation of [
      () => store.put('cover.png', png, { contentType: 'image/png' }),
      () => store.get('cover.png'),
      () => store.delete('cover.png'),
    ]) {
      const error = await caught(operation());
      expect(RoadmapError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'storage_error', statusCode: 404, retryable: false });
      expect((error as RoadmapError).message).toContain('NoSuchBucket');
      expect(((error as RoadmapError).cause as Error).name).toBe('NoSuchBucket');
    }
    store.close();
  });

  it('reports an unknown access key as a storage_error that is not retryable', async () => {
    // s3rver checks the access key id but not SigV4 signatures, so a wrong secret would pass here.
    const store = createStore({ credentials: { accessKeyId: 'UNKNOWN', secretAccessKey: 'S3RVER' } });

    const error = await caught(store.put(uniqueKey('cover.png'), png, { contentType: 'image/png' }));

    expect(error).toMatchObject({ code: 'storage_error', statusCode: 403, retryable: false });
    expect((error as RoadmapError).message).toContain('InvalidAccessKeyId');
    store.close();
  });

  it('releases the connections of the client it created on close', async () => {
    const ownServer = await startS3rver();
    const store = createS3BlobStore({
      bucket: testBucket,
      endpoint: ownServer.endpoint,
      credentials: s3rverCredentials,
    });
    try {
      await store.put('cover.png', png, { contentType: 'image/png' });
      expect(await ownServer.openConnections()).toBe(1);

      store.close();

      await vi.waitFor(async () => expect(await ownServer.openConnections()).toBe(0));
    } finally {
      await ownServer.stop();
    }
  });

  it('leaves a brought-in client open on close', async () => {
    const ownServer = await startS3rver();
    const client = new S3Client({
      region: 'auto',
      endpoint: ownServer.endpoint,
      forcePathStyle: true,
      credentials: s3rverCredentials,
    });
    const store = createS3BlobStore({ bucket: testBucket, client });
    try {
      await store.put('cover.png', png, { contentType: 'image/png' });

      store.close();
      await new Promise((resolve) => setTimeout(resolve, 50));

      expect(await ownServer.openConnections()).toBe(1);
      expect((await store.get('cover.png'))?.data).toEqual(png);
    } finally {
      client.destroy();
      await ownServer.stop();
    }
  });
});
