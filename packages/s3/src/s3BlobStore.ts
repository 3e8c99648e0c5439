import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BlobStore } from '@roadmap/core';
import { RoadmapError } from '@roadmap/core';
import { abortError } from '@roadmap/core/internal';
import { assertValidKeyPrefix, objectKeyFor } from './objectKey.js';
import { normalizePublicBaseUrl, recordObjectUrl } from './objectUrl.js';
import { errorNameOf, httpStatusOf, toStorageError } from './storageError.js';

/** Access key of an S3 (or R2, MinIO) API token. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Session token of temporary credentials (AWS STS). Default: none. */
  sessionToken?: string;
}

export interface S3BlobStoreOptions {
  /** Bucket the objects are stored in. It must exist; the store never creates it. */
  bucket: string;
  /**
   * Bring your own configured `S3Client` (custom retries, HTTP agent, checksum settings, credential provider, …).
   * `close()` then leaves it open. Cannot be combined with `region`, `endpoint`, `forcePathStyle` or `credentials`,
   * which only configure the client the store creates. Default: a client the store creates from those options.
   */
  client?: S3Client;
  /**
   * Region to sign requests for. Default: `process.env.AWS_REGION`, else `'auto'` when `endpoint` is set (what
   * Cloudflare R2 expects), else the SDK's own lookup (`AWS_REGION`, `~/.aws/config`).
   */
  region?: string;
  /**
   * Endpoint of an S3-compatible service, e.g. `https://<account id>.r2.cloudflarestorage.com` for Cloudflare R2 or
   * `http://localhost:9000` for MinIO. Default: the AWS S3 endpoint of `region`.
   */
  endpoint?: string;
  /**
   * Address the bucket in the path (`https://host/bucket/key`) rather than in the host name
   * (`https://bucket.host/key`). Default: `true` when `endpoint` is set, else `false`.
   */
  forcePathStyle?: boolean;
  /**
   * Static credentials. Default: the SDK's credential chain (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`,
   * `~/.aws/credentials`, an instance or container role, …).
   */
  credentials?: S3Credentials;
  /** Prepended to every key, so the store can share a bucket: `''` or segments ending in `/`. Default: `'covers/'`. */
  keyPrefix?: string;
  /**
   * Stable public URL the objects are served from, e.g. a CDN or an R2 public bucket domain
   * (`https://covers.example.com`); `put` answers `${publicBaseUrl}/${keyPrefix}${key}`. Default: none, and `put`
   * answers the object's own endpoint URL (`${endpoint}/${bucket}/${object key}` path-style, or
   * `https://${bucket}.${host}/${object key}`), which only works for a publicly readable bucket. A private bucket
   * needs a proxy route that serves the objects through `get` (the reference server's
   * `/api/v1/cover-images/{file}`).
   */
  publicBaseUrl?: string;
  /** `Cache-Control` stored with every object and sent to readers. Default: `'public, max-age=31536000, immutable'`. */
  cacheControl?: string;
}

/** A `BlobStore` on an S3-compatible bucket. */
export interface S3BlobStore extends BlobStore {
  /** Bucket the objects are stored in. */
  readonly bucket: string;
  /** Prefix of every object key. */
  readonly keyPrefix: string;
  /** Releases the sockets of the client the store created; a brought-in `client` is left open. */
  close(): void;
}

const defaultKeyPrefix = 'covers/';
const defaultCacheControl = 'public, max-age=31536000, immutable';

/**
 * Creates a `BlobStore` that keeps cover images in an S3-compatible bucket (AWS S3, Cloudflare R2, MinIO, …).
 * Keys are checked like file names (`[A-Za-z0-9._-]` segments joined by `/`); every SDK failure becomes a
 * `RoadmapError` with code `storage_error`.
 *
 * @example
 * ```ts
 * const blobStore = createS3BlobStore({
 *   bucket: 'roadmap-covers',
 *   endpoint: `https://${process.env.R2_ACCOUNT_ID}.r2.cloudflarestorage.com`,
 *   credentials: { accessKeyId: process.env.R2_ACCESS_KEY_ID!, secretAccessKey: process.env.R2_SECRET_ACCESS_KEY! },
 *   publicBaseUrl: 'https://covers.example.com',
 * });
 * const { url } = await blobStore.put('learn-rust-1a2b3c4d.png', png, { contentType: 'image/png' });
 * // url === 'https://covers.example.com/covers/learn-rust-1a2b3c4d.png'
 * ```
 */
export function createS3BlobStore(options: S3BlobStoreOptions): S3BlobStore {
  const { bucket } = options;
  if (typeof bucket !== 'string' || bucket === '') {
    throw new RoadmapError('invalid_input', 'createS3BlobStore needs a bucket', {
      errors: [{ path: 'bucket', message: 'it is required' }],
    });
  }
  assertNoClientConflict(options);
  const keyPrefix = options.keyPrefix ?? defaultKeyPrefix;
  assertValidKeyPrefix(keyPrefix);
  const publicBaseUrl = options.publicBaseUrl === undefined ? undefined : normalizePublicBaseUrl(options.publicBaseUrl);
  const cacheControl = options.cacheControl ?? defaultCacheControl;
  const ownsClient = options.client === undefined;
  const client = options.client ?? createClient(options);

  return {
    specificationVersion: 'v1',
    bucket,
    keyPrefix,

    async put(key, data, { contentType, abortSignal }) {
      const objectKey = objectKeyFor(keyPrefix, key);
      if (abortSignal?.aborted) throw abortError(abortSignal);
      const command = new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: data,
        ContentType: contentType,
        CacheControl: cacheControl,
      });
      const objectUrl = recordObjectUrl(command);
      try {
        await client.send(command, { abortSignal });
      } catch (error) {
        if (abortSignal?.aborted) throw abortError(abortSignal);
        throw toStorageError('put', objectKey, error);
      }
      if (publicBaseUrl !== undefined) return { url: `${publicBaseUrl}/${objectKey}` };
      const url = objectUrl();
      if (url === undefined) throw new RoadmapError('storage_error', `S3 put of "${objectKey}" sent no request`);
      return { url };
    },

    async get(key) {
      const objectKey = objectKeyFor(keyPrefix, key);
      try {
        const response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
        if (response.Body === undefined) return { data: new Uint8Array(), contentType: contentTypeOf(response) };
        return { data: await response.Body.transformToByteArray(), contentType: contentTypeOf(response) };
      } catch (error) {
        if (isMissingObject(error)) return null;
        throw toStorageError('get', objectKey, error);
      }
    },

    async has(key) {
      const objectKey = objectKeyFor(keyPrefix, key);
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket, Key: objectKey }));
        return true;
      } catch (error) {
        if (isMissingObject(error)) return false;
        throw toStorageError('head', objectKey, error);
      }
    },

    async delete(key) {
      const objectKey = objectKeyFor(keyPrefix, key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: objectKey }));
      } catch (error) {
        // S3 answers 204 for a missing key; a few compatible services answer NoSuchKey. Both mean "gone".
        if (errorNameOf(error) === 'NoSuchKey') return;
        throw toStorageError('delete', objectKey, error);
      }
    },

    close() {
      if (ownsClient) client.destroy();
    },
  };
}

function createClient(options: S3BlobStoreOptions): S3Client {
  const { endpoint } = options;
  return new S3Client({
    region: options.region ?? (endpoint === undefined ? undefined : (process.env.AWS_REGION ?? 'auto')),
    endpoint,
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    credentials: options.credentials,
  });
}

function assertNoClientConflict(options: S3BlobStoreOptions): void {
  if (options.client === undefined) return;
  const conflicting = (['region', 'endpoint', 'forcePathStyle', 'credentials'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (conflicting.length === 0) return;
  throw new RoadmapError(
    'invalid_input',
    `createS3BlobStore: pass either client or ${conflicting.join(', ')}, not both (they only configure a client the store creates)`,
    { errors: conflicting.map((path) => ({ path, message: 'not allowed together with client' })) },
  );
}

function contentTypeOf(response: { ContentType?: string }): string {
  return response.ContentType ?? 'application/octet-stream';
}

/** `NoSuchKey`, or a bare 404 (HEAD-like answers without a body); a missing bucket is an error, not a miss. */
function isMissingObject(error: unknown): boolean {
  const name = errorNameOf(error);
  if (name === 'NoSuchKey') return true;
  return httpStatusOf(error) === 404 && name !== 'NoSuchBucket';
}
