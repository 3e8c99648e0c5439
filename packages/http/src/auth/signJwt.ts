// Node only: `signJwt` signs synchronously with node:crypto's HMAC (WebCrypto has no synchronous signing), for
// tests, scripts and the reference server's dev login. Nothing on the fetch handler's code path imports this file
// (handler/handlerLayering.test.ts checks it), so the handler runs where `node:crypto` does not exist.
import { createHmac } from 'node:crypto';

/** The claims {@link signJwt} puts in a token. */
export interface SignJwtClaims {
  /** The user id. */
  sub: string;
  /** `iss` to put in the token (for a server that requires one). Default: none. */
  issuer?: string;
  /** `aud` to put in the token (for a server that requires one). Default: none. */
  audience?: string;
  /** Lifetime of the token in seconds. Default: 3600. */
  expiresInSeconds?: number;
  /** Issue time in milliseconds, for tests. Default: `Date.now()`. */
  nowMs?: number;
}

/**
 * Signs an HS256 JWT with `sub`, `iat` and `exp` (and `iss`/`aud` when given), for tests and the reference server's
 * dev token script. Synchronous on purpose (node:crypto's HMAC), so scripts and fixtures need no `await`.
 *
 * @example
 * const token = signJwt({ sub: 'user-1', expiresInSeconds: 600 }, secret);
 */
export function signJwt(claims: SignJwtClaims, secret: string): string {
  const issuedAt = Math.floor((claims.nowMs ?? Date.now()) / 1000);
  const header = encodeJson({ alg: 'HS256', typ: 'JWT' });
  const payload = encodeJson({
    sub: claims.sub,
    ...(claims.issuer === undefined ? {} : { iss: claims.issuer }),
    ...(claims.audience === undefined ? {} : { aud: claims.audience }),
    iat: issuedAt,
    exp: issuedAt + (claims.expiresInSeconds ?? 3600),
  });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
