import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDemoModel, createMemoryQueue, createMemoryStorage, RoadmapEngine } from '@roadmap/core';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../errors/httpError.js';
import { createRoadmapHandler } from '../handler/createRoadmapHandler.js';
import { createJwksAuthenticator, type JwksAuthenticatorOptions } from './jwksAuthenticator.js';
import { signJwt } from './signJwt.js';

/**
 * The JWKS authenticator against a real identity provider stand-in: an HTTP server on 127.0.0.1 serving a JSON Web
 * Key Set of RSA keys generated here, whose keys the tests rotate.
 */

const issuer = 'https://auth.test.example/';
const audience = 'roadmap-api';
const nowMs = Date.UTC(2030, 0, 1);
const nowSeconds = nowMs / 1000;

interface SigningKey {
  kid: string;
  jwk: JWK;
  privateKey: CryptoKey;
}

async function makeKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }, privateKey };
}

interface KeyServer {
  url: string;
  /** The key set served now. */
  keys: JWK[];
  /** Status answered instead of the key set, when set. */
  failWith: number | undefined;
  /** GETs of the key set so far. */
  requests: number;
  close(): Promise<void>;
}

async function startKeyServer(keys: JWK[]): Promise<KeyServer> {
  const state: KeyServer = {
    url: '',
    keys,
    failWith: undefined,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/.well-known/jwks.json') {
      response.writeHead(404).end();
      return;
    }
    state.requests += 1;
    if (state.failWith !== undefined) {
      response.writeHead(state.failWith, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return state;
}

interface Claims {
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
}

function sign(key: SigningKey, claims: Claims = {}, kid: string = key.kid): Promise<string> {
  const payload = { sub: 'user-1', iss: issuer, aud: audience, exp: nowSeconds + 600, ...claims };
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuedAt(nowSeconds)
    .sign(key.privateKey);
}

let keyServer: KeyServer | undefined;
afterEach(async () => {
  await keyServer?.close();
  keyServer = undefined;
});

function authenticatorFor(server: KeyServer, options: Partial<JwksAuthenticatorOptions> = {}) {
  return createJwksAuthenticator({ jwksUrl: server.url, issuer, audience, now: () => nowMs, ...options });
}

describe('createJwksAuthenticator', () => {
  it('accepts an RS256 token signed by a key of the set, from the header or the token parameter', async () => {
    const key = await makeKey('key-1');
    keyServer = await startKeyServer([key.jwk]);
    const authenticate = authenticatorFor(keyServer);
    const token = await sign(key);
    await expect(authenticate({ headers: { authorization: `Bearer ${token}` } })).resolves.toMatchObject({
      userId: 'user-1',
    });
    await expect(authenticate({ headers: {}, token })).resolves.toMatchObject({ userId: 'user-1' });
    await expect(authenticate({ headers: {} })).resolves.toBeNull();
    expect(keyServer.requests).toBe(1);
  });

  it('refuses another issuer or audience, an expired token, a foreign key, HS256 and alg none', async () => {
    const key = await makeKey('key-1');
    const impostor = await makeKey('key-1');
    keyServer = await startKeyServer([key.jwk]);
    const authenticate = authenticatorFor(keyServer);
    const check = async (token: string | Promise<string>) => authenticate({ headers: {}, token: await token });

    await expect(check(sign(key, { aud: ['other-app', audience] }))).resolves.toMatchObject({ userId: 'user-1' });
    await expect(check(sign(key, { iss: 'https://evil.example/' }))).resolves.toBeNull();
    await expect(check(sign(key, { aud: 'other-app' }))).resolves.toBeNull();
    await expect(check(sign(key, { exp: nowSeconds - 60 }))).resolves.toBeNull();
    await expect(check(sign(key, { sub: '' }))).resolves.toBeNull();
    // Same kid, another private key: the signature does not verify.
    await expect(check(sign(impostor))).resolves.toBeNull();
    // Algorithm confusion: an HS256 token keyed with the public key's text.
    await expect(check(signJwt({ sub: 'user-1', nowMs }, JSON.stringify(key.jwk)))).resolves.toBeNull();
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: 'key-1' })).toString('base64url')}.${Buffer.from(
      JSON.stringify({ sub: 'user-1', iss: issuer, aud: audience, exp: nowSeconds + 60 }),
    ).toString('base64url')}.`;
    await expect(check(none)).resolves.toBeNull();
    await expect(check('not-a-token')).resolves.toBeNull();
  });

  it('follows a key rotation: a token with a new kid makes it fetch the set again; a retired key is refused', async () => {
    const first = await makeKey('key-1');
    const second = await makeKey('key-2');
    keyServer = await startKeyServer([first.jwk]);
    const authenticate = authenticatorFor(keyServer, { cooldownMs: 0 });
    await expect(authenticate({ headers: {}, token: await sign(first) })).resolves.toMatchObject({ userId: 'user-1' });
    expect(keyServer.requests).toBe(1);

    // The provider rotates: key-2 signs from now on, key-1 is retired.
    keyServer.keys = [second.jwk];
    await expect(authenticate({ headers: {}, token: await sign(second, { sub: 'user-2' }) })).resolves.toMatchObject({
      userId: 'user-2',
    });
    expect(keyServer.requests).toBe(2);
    await expect(authenticate({ headers: {}, token: await sign(second, { sub: 'user-3' }) })).resolves.toMatchObject({
      userId: 'user-3',
    });
    expect(keyServer.requests).toBe(2);
    await expect(authenticate({ headers: {}, token: await sign(first) })).resolves.toBeNull();
  });

  it('fetches the set once for many requests at the same time', async () => {
    const key = await makeKey('key-1');
    keyServer = await startKeyServer([key.jwk]);
    const authenticate = authenticatorFor(keyServer);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => sign(key, { sub: `user-${index}` })));
    const users = await Promise.all(tokens.map((token) => authenticate({ headers: {}, token })));
    expect(users.map((user) => user?.userId)).toEqual(tokens.map((_, index) => `user-${index}`));
    expect(keyServer.requests).toBe(1);
  });

  it('answers 503 (never 401, which would sign users out) while the provider cannot be reached', async () => {
    const key = await makeKey('key-1');
    keyServer = await startKeyServer([key.jwk]);
    keyServer.failWith = 500;
    const authenticate = authenticatorFor(keyServer);
    const token = await sign(key);
    const failure = await authenticate({ headers: {}, token }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ status: 503, body: { code: 'identity_provider_unavailable' } });

    keyServer.failWith = undefined;
    await expect(authenticate({ headers: {}, token })).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('requires the issuer and the audience, since one provider signs tokens for many applications', () => {
    const base = { jwksUrl: 'https://auth.example/jwks.json', issuer, audience };
    expect(() => createJwksAuthenticator({ ...base, issuer: '' })).toThrow(TypeError);
    expect(() => createJwksAuthenticator({ ...base, audience: '' })).toThrow(TypeError);
    expect(() => createJwksAuthenticator({ ...base, jwksUrl: 'not a url' })).toThrow(TypeError);
  });
});

describe('the fetch handler with a JWKS authenticator', () => {
  let engine: RoadmapEngine | undefined;
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });

  it('serves a user signed in by the provider, 401 for a bad token, 503 while the provider is down', async () => {
    const key = await makeKey('key-1');
    keyServer = await startKeyServer([key.jwk]);
    engine = new RoadmapEngine({
      storage: createMemoryStorage(),
      queue: createMemoryQueue(),
      model: createDemoModel({ latencyMs: 0 }),
      worker: false,
    });
    const serverErrors: unknown[] = [];
    const handler = createRoadmapHandler(engine, {
      authenticate: createJwksAuthenticator({ jwksUrl: keyServer.url, issuer, audience, cooldownMs: 0 }),
      onError: (error) => serverErrors.push(error),
    });
    const list = (authorization: string) =>
      handler(new Request('http://localhost/api/v1/roadmaps', { headers: { authorization } }));
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sub: 'alice', iss: issuer, aud: audience })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
    const listed = await list(`Bearer ${token}`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ roadmaps: [] });
    expect((await list('Bearer a.b.c')).status).toBe(401);

    const unknownKid = await new SignJWT({ sub: 'alice', iss: issuer, aud: audience })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-unknown' })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(key.privateKey);
    keyServer.failWith = 502;
    const down = await list(`Bearer ${unknownKid}`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ detail: expect.any(String), code: 'identity_provider_unavailable' });
    expect(down.headers.get('retry-after')).toBe('5');
    // A 503 is a server-side fault: reported, with the provider's error as its cause.
    expect(serverErrors).toEqual([expect.objectContaining({ status: 503 })]);
  });
});
