import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { signJwt } from '@roadmap/express';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from './config.js';
import { type RunningServer, startServer } from './createServerApp.js';
import { createLogger } from './logging.js';

/**
 * The reference server's token checks as the environment configures them (in process): `ROADMAP_JWT_ISSUER` and
 * `ROADMAP_JWT_AUDIENCE` with a secret, and `ROADMAP_JWKS_URL` against an identity provider stand-in on 127.0.0.1.
 */

const issuer = 'https://auth.test.example/';
const audience = 'roadmap-api';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(environment: Record<string, string>): Promise<RunningServer> {
  const root = mkdtempSync(path.join(tmpdir(), 'roadmap-auth-'));
  const config = parseConfig({
    PORT: '0',
    ROADMAP_LOG_LEVEL: 'silent',
    ROADMAP_DATA_DIR: path.join(root, 'data'),
    ROADMAP_WEB_DIR: path.join(root, 'no-web'),
    ...environment,
  });
  const server = await startServer(config, createLogger('silent'));
  cleanups.push(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });
  return server;
}

const listRoadmaps = (server: RunningServer, token: string) =>
  fetch(`${server.url}/api/v1/roadmaps`, { headers: { authorization: `Bearer ${token}` } });

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** An RS256 JWT signed with node:crypto, as an identity provider issues them. */
function rs256(privateKey: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const input = `${base64Url({ alg: 'RS256', kid, typ: 'JWT' })}.${base64Url({ iat: now, exp: now + 600, ...claims })}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url');
  return `${input}.${signature}`;
}

async function startKeySet(keys: object[]): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((_request, response) => {
    requests += 1;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    requests: () => requests,
  };
}

describe('reference server authentication', () => {
  it('with ROADMAP_JWT_ISSUER and ROADMAP_JWT_AUDIENCE, refuses HS256 tokens without that iss and aud', async () => {
    const secret = 's'.repeat(40);
    const server = await start({
      ROADMAP_JWT_SECRET: secret,
      ROADMAP_JWT_ISSUER: issuer,
      ROADMAP_JWT_AUDIENCE: audience,
    });
    expect((await listRoadmaps(server, signJwt({ sub: 'alice' }, secret))).status).toBe(401);
    expect((await listRoadmaps(server, signJwt({ sub: 'alice', issuer }, secret))).status).toBe(401);
    expect((await listRoadmaps(server, signJwt({ sub: 'alice', issuer, audience: 'other' }, secret))).status).toBe(401);
    expect((await listRoadmaps(server, signJwt({ sub: 'alice', issuer, audience }, secret))).status).toBe(200);
  });

  it('with ROADMAP_JWKS_URL, takes RS256 tokens of the provider for this audience, and nothing signed with a secret', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'provider-key-1', alg: 'RS256', use: 'sig' };
    const keySet = await startKeySet([jwk]);
    const server = await start({
      ROADMAP_JWKS_URL: keySet.url,
      ROADMAP_JWT_ISSUER: issuer,
      ROADMAP_JWT_AUDIENCE: audience,
    });
    const good = rs256(privateKey, 'provider-key-1', { sub: 'alice', iss: issuer, aud: audience });
    expect((await listRoadmaps(server, good)).status).toBe(200);
    expect(
      (await listRoadmaps(server, rs256(privateKey, 'provider-key-1', { sub: 'alice', iss: issuer, aud: 'x' }))).status,
    ).toBe(401);
    expect((await listRoadmaps(server, signJwt({ sub: 'alice', issuer, audience }, JSON.stringify(jwk)))).status).toBe(
      401,
    );
    const login = await fetch(`${server.url}/api/dev/login`, { method: 'POST' });
    expect(login.status).toBe(403);
    expect(keySet.requests()).toBe(1);
  });
});
