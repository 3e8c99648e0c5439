import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface S3rverOptions {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  serviceEndpoint?: string;
  configureBuckets: Array<{ name: string }>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  httpServer: Server;
}

// s3rver is CommonJS without type declarations; the members above are all the tests use.
const requireCommonJs = createRequire(import.meta.url);
const S3rver = requireCommonJs('s3rver') as new (options: S3rverOptions) => S3rverInstance;

/** The credentials s3rver accepts (it checks the access key id, not SigV4 signatures). */
export const s3rverCredentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** The bucket every test server starts with. */
export const testBucket = 'covers';

export interface TestS3Server {
  /** Path-style endpoint, `http://127.0.0.1:<port>`. */
  endpoint: string;
  port: number;
  /** How many client connections are open (keep-alive sockets included). */
  openConnections(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Starts a real S3-compatible server (s3rver) on a free port of 127.0.0.1, storing into a fresh temporary directory,
 * with the bucket {@link testBucket}. `serviceEndpoint` makes it accept virtual-hosted requests to
 * `<bucket>.s3.<serviceEndpoint>`.
 */
export async function startS3rver(options: { serviceEndpoint?: string } = {}): Promise<TestS3Server> {
  const directory = await mkdtemp(join(tmpdir(), 'roadmap-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: [{ name: testBucket }],
    ...options,
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    openConnections: () =>
      new Promise((resolve, reject) =>
        server.httpServer.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    async stop() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
