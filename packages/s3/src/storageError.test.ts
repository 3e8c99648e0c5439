import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import { RoadmapError } from '@roadmap/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createS3BlobStore } from './s3BlobStore.js';
import { toStorageError } from './storageError.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A server answering every request with an S3 error document, as S3 does. */
async function answerWithS3Error(status: number, code: string, headers: Record<string, string> = {}) {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(status, { 'content-type': 'application/xml', ...headers });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code} happened</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>`,
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  // One attempt, so the SDK's own retries do not slow the test; the store reports what the service answered.
  const client = new S3Client({
    region: 'auto',
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forcePathStyle: true,
    credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
  return { store: createS3BlobStore({ bucket: 'covers', client }), client };
}

async function putError(status: number, code: string): Promise<RoadmapError> {
  const { store, client } = await answerWithS3Error(status, code);
  try {
    await store.put('cover.png', new Uint8Array([1, 2, 3]), { contentType: 'image/png' });
  } catch (error) {
    if (RoadmapError.isInstance(error)) return error;
    throw error;
  } finally {
    client.destroy();
  }
  throw new Error('expected put to fail');
}

describe('S3 errors as storage_error', () => {
  it.each([
    [503, 'SlowDown'],
    [500, 'InternalError'],
    [429, 'TooManyRequests'],
    [400, 'Throttling'],
  ])('marks %i %s as retryable', async (status, code) => {
    const error = await putError(status, code);

    expect(error).toMatchObject({ code: 'storage_error', statusCode: status, retryable: true });
    expect(error.message).toContain(code);
    expect((error.cause as Error).name).toBe(code);
  });

  it.each([
    [403, 'AccessDenied'],
    [400, 'InvalidRequest'],
    [404, 'NoSuchBucket'],
  ])('marks %i %s as not retryable', async (status, code) => {
    const error = await putError(status, code);

    expect(error).toMatchObject({ code: 'storage_error', statusCode: status, retryable: false });
  });

  it('answers an error for get of a 403 instead of treating the object as missing', async () => {
    const { store, client } = await answerWithS3Error(403, 'AccessDenied');
    await expect(store.get('cover.png')).rejects.toMatchObject({ code: 'storage_error', statusCode: 403 });
    client.destroy();
  });

  it('marks a refused connection as retryable', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    const client = new S3Client({
      region: 'auto',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'key', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    const store = createS3BlobStore({ bucket: 'covers', client });

    await expect(store.get('cover.png')).rejects.toMatchObject({ code: 'storage_error', retryable: true });
    client.destroy();
  });

  it('passes a RoadmapError through unchanged', () => {
    const original = new RoadmapError('invalid_input', 'bad key');
    expect(toStorageError('put', 'covers/x.png', original)).toBe(original);
  });
});
