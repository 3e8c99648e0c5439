export type { S3BlobStore, S3BlobStoreOptions, S3Credentials } from './s3BlobStore.js';
export { createS3BlobStore } from './s3BlobStore.js';
