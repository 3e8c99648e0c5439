import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJwtAuthenticator, readBearerToken } from './authenticate.js';
import { signJwt } from './signJwt.js';

const secret = 'unit-test-secret';
const nowMs = Date.UTC(2030, 0, 1);
const authenticate = createJwtAuthenticator({ secret, now: () => nowMs });
const withHeader = (authorization: string) => authenticate({ headers: { authorization } });

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A token with any header and payload, signed HS256 with `key`. */
function handMade(header: unknown, payload: unknown, key = secret): string {
  const signingInput = `${encode(header)}.${encode(payload)}`;
  return `${signingInput}.${createHmac('sha256', key).update(signingInput).digest('base64url')}`;
}

const exp = nowMs / 1000 + 60;

describe('createJwtAuthenticator', () => {
  it('accepts a valid HS256 token from the Authorization header or the token parameter', async () => {
    const token = signJwt({ sub: 'user-1', nowMs }, secret);
    await expect(withHeader(`Bearer ${token}`)).resolves.toMatchObject({ userId: 'user-1' });
    await expect(withHeader(`bearer ${token}`)).resolves.toMatchObject({ userId: 'user-1' });
    await expect(authenticate({ headers: {}, token })).resolves.toMatchObject({ userId: 'user-1' });
  });

  it.each([
    ['no credential', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['two parts', 'Bearer abc.def'],
    ['garbage', 'Bearer !!!.###.$$$'],
    ['a header that is not JSON', `Bearer bm90IGpzb24.${encode({ sub: 'u', exp })}.c2ln`],
  ])('refuses %s', async (_name, authorization) => {
    await expect(authenticate({ headers: authorization === undefined ? {} : { authorization } })).resolves.toBeNull();
  });

  it('says when the token expires (its exp, in ms), so an open WebSocket can be closed then', async () => {
    const token = signJwt({ sub: 'user-1', nowMs, expiresInSeconds: 600 }, secret);
    await expect(authenticate({ headers: {}, token })).resolves.toEqual({
      userId: 'user-1',
      expiresAt: nowMs + 600_000,
    });
  });

  it('refuses a wrong signature, and a signature of the right length but other bytes', async () => {
    await expect(withHeader(`Bearer ${signJwt({ sub: 'u', nowMs }, 'other-secret')}`)).resolves.toBeNull();
    const token = signJwt({ sub: 'u', nowMs }, secret);
    const flipped = `${token.slice(0, -2)}${token.endsWith('AA') ? 'BB' : 'AA'}`;
    await expect(withHeader(`Bearer ${flipped}`)).resolves.toBeNull();
  });

  it('refuses alg none and every algorithm but HS256', async () => {
    const unsigned = `${encode({ alg: 'none', typ: 'JWT' })}.${encode({ sub: 'u', exp })}.`;
    await expect(withHeader(`Bearer ${unsigned}`)).resolves.toBeNull();
    await expect(authenticate({ headers: {}, token: unsigned })).resolves.toBeNull();
    await expect(withHeader(`Bearer ${handMade({ alg: 'HS512' }, { sub: 'u', exp })}`)).resolves.toBeNull();
    await expect(withHeader(`Bearer ${handMade({ alg: 'RS256' }, { sub: 'u', exp })}`)).resolves.toBeNull();
    await expect(withHeader(`Bearer ${handMade({ alg: 'HS256' }, { sub: 'u', exp })}`)).resolves.toMatchObject({
      userId: 'u',
    });
  });

  it('checks exp and nbf with 5 s of tolerance', async () => {
    const at = nowMs / 1000;
    const token = (payload: object) => `Bearer ${handMade({ alg: 'HS256', typ: 'JWT' }, payload)}`;
    await expect(withHeader(token({ sub: 'u', exp: at - 10 }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: 'u', exp: at - 4 }))).resolves.toMatchObject({ userId: 'u' });
    await expect(withHeader(token({ sub: 'u', exp: 'tomorrow' }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: 'u', exp, nbf: at + 10 }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: 'u', exp, nbf: at + 4 }))).resolves.toMatchObject({ userId: 'u' });
    await expect(withHeader(token({ sub: 'u' }))).resolves.toBeNull();
    const lenient = createJwtAuthenticator({ secret, requireExpiration: false, now: () => nowMs });
    await expect(lenient({ headers: { authorization: token({ sub: 'u' }) } })).resolves.toMatchObject({ userId: 'u' });
  });

  it('requires a non-empty string sub', async () => {
    const token = (payload: object) => `Bearer ${handMade({ alg: 'HS256' }, payload)}`;
    await expect(withHeader(token({ exp }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: '', exp }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: '   ', exp }))).resolves.toBeNull();
    await expect(withHeader(token({ sub: 42, exp }))).resolves.toBeNull();
    await expect(withHeader(`Bearer ${handMade({ alg: 'HS256' }, ['sub'])}`)).resolves.toBeNull();
  });

  it('refuses an empty secret at creation', () => {
    expect(() => createJwtAuthenticator({ secret: '' })).toThrow(TypeError);
  });

  it('requires iss and aud when issuer and audience are set (aud as a string or an array)', async () => {
    const strict = createJwtAuthenticator({
      secret,
      issuer: 'https://auth.example',
      audience: 'roadmap-api',
      now: () => nowMs,
    });
    const check = (payload: object) => strict({ headers: {}, token: handMade({ alg: 'HS256', typ: 'JWT' }, payload) });
    const iss = 'https://auth.example';
    await expect(check({ sub: 'u', exp, iss, aud: 'roadmap-api' })).resolves.toMatchObject({ userId: 'u' });
    await expect(check({ sub: 'u', exp, iss, aud: ['other-app', 'roadmap-api'] })).resolves.toMatchObject({
      userId: 'u',
    });
    await expect(check({ sub: 'u', exp })).resolves.toBeNull();
    await expect(check({ sub: 'u', exp, iss })).resolves.toBeNull();
    await expect(check({ sub: 'u', exp, aud: 'roadmap-api' })).resolves.toBeNull();
    await expect(check({ sub: 'u', exp, iss: 'https://evil.example', aud: 'roadmap-api' })).resolves.toBeNull();
    await expect(check({ sub: 'u', exp, iss, aud: 'other-app' })).resolves.toBeNull();
    await expect(check({ sub: 'u', exp, iss, aud: ['other-app'] })).resolves.toBeNull();
    // signJwt puts them in when asked, so the dev login and the token script can satisfy such a server.
    const signed = signJwt({ sub: 'u', nowMs, issuer: iss, audience: 'roadmap-api' }, secret);
    await expect(strict({ headers: {}, token: signed })).resolves.toMatchObject({ userId: 'u' });
    // Without the options, iss and aud are not looked at.
    await expect(withHeader(`Bearer ${signed}`)).resolves.toMatchObject({ userId: 'u' });
  });

  it('refuses tokens longer than 8 KB and a sub longer than 256 characters without verifying them', async () => {
    const longSub = handMade({ alg: 'HS256' }, { sub: 'u'.repeat(257), exp });
    await expect(withHeader(`Bearer ${longSub}`)).resolves.toBeNull();
    const huge = handMade({ alg: 'HS256' }, { sub: 'u', exp, pad: 'x'.repeat(9000) });
    await expect(authenticate({ headers: {}, token: huge })).resolves.toBeNull();
  });

  describe('verified tokens remembered', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it("checks a token's signature once, then answers from memory; a refused token is checked every time", async () => {
      const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
      const remembering = createJwtAuthenticator({ secret, now: () => nowMs });
      const token = signJwt({ sub: 'user-1', nowMs, expiresInSeconds: 600 }, secret);
      const first = await remembering({ headers: {}, token });
      const second = await remembering({ headers: { authorization: `Bearer ${token}` } });
      expect(second).toEqual(first);
      expect(verify).toHaveBeenCalledTimes(1);

      const forged = signJwt({ sub: 'user-1', nowMs, expiresInSeconds: 600 }, 'other-secret');
      await expect(remembering({ headers: {}, token: forged })).resolves.toBeNull();
      await expect(remembering({ headers: {}, token: forged })).resolves.toBeNull();
      expect(verify).toHaveBeenCalledTimes(3);
    });

    it("never past the token's exp, nor longer than a minute; verifiedTokenCacheSize 0 checks every request", async () => {
      let clock = nowMs;
      const verify = vi.spyOn(globalThis.crypto.subtle, 'verify');
      const remembering = createJwtAuthenticator({ secret, now: () => clock, clockToleranceSeconds: 0 });
      const shortLived = signJwt({ sub: 'user-1', nowMs, expiresInSeconds: 30 }, secret);
      await expect(remembering({ headers: {}, token: shortLived })).resolves.toMatchObject({ userId: 'user-1' });
      clock = nowMs + 30_000;
      await expect(remembering({ headers: {}, token: shortLived })).resolves.toBeNull();

      const longLived = signJwt({ sub: 'user-2', nowMs, expiresInSeconds: 3600 }, secret);
      verify.mockClear();
      await remembering({ headers: {}, token: longLived });
      clock += 59_999;
      await remembering({ headers: {}, token: longLived });
      expect(verify).toHaveBeenCalledTimes(1);
      clock += 1;
      await expect(remembering({ headers: {}, token: longLived })).resolves.toMatchObject({ userId: 'user-2' });
      expect(verify).toHaveBeenCalledTimes(2);

      verify.mockClear();
      const checking = createJwtAuthenticator({ secret, now: () => clock, verifiedTokenCacheSize: 0 });
      await checking({ headers: {}, token: longLived });
      await checking({ headers: {}, token: longLived });
      expect(verify).toHaveBeenCalledTimes(2);
    });
  });

  it('reads only a single Bearer header', () => {
    expect(readBearerToken({ authorization: 'Bearer a.b.c' })).toBe('a.b.c');
    expect(readBearerToken({ authorization: ['Bearer a.b.c'] })).toBeUndefined();
    expect(readBearerToken({})).toBeUndefined();
  });
});
