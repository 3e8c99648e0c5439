import { runBlobStoreConformance } from '@roadmap/core/testing';
import { afterAll, beforeAll } from 'vitest';
import { createS3BlobStore } from './s3BlobStore.js';
import { s3rverCredentials, startS3rver, type TestS3Server, testBucket } from './s3rverTestSupport.js';

let server: TestS3Server;
let round = 0;

beforeAll(async () => {
  server = await startS3rver();
});
afterAll(async () => {
  await server?.stop();
});

// The BlobStore contract every store passes, against a real S3-compatible server; each test gets its own prefix, so
// it starts empty.
runBlobStoreConformance('createS3BlobStore (s3rver)', () => {
  round += 1;
  const blobStore = createS3BlobStore({
    bucket: testBucket,
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: s3rverCredentials,
    keyPrefix: `conformance-${process.pid}-${round}/`,
  });
  return { blobStore, cleanup: () => blobStore.close() };
});
