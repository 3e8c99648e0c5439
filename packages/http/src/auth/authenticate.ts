import type { CryptoKey } from 'jose';
import { assertClaimOptions, isJoseError, type JwtClaimOptions, verifiedUser } from './jwtVerification.js';
import { VerifiedTokenCache } from './verifiedTokenCache.js';

/** The caller of a request, as established by an {@link Authenticate} function. */
export interface AuthenticatedUser {
  /** Owner id of everything the caller creates and may read; the JWT's `sub`. */
  userId: string;
  /**
   * When the credential stops being valid, in ms since the epoch (the JWT's `exp`): a WebSocket opened with it is
   * closed then (`closing { reason: "token_expired" }`), so a connection never outlives its token; the client
   * reconnects with a fresh one. Omit for a credential that does not expire (a session checked elsewhere).
   */
  expiresAt?: number;
}

/**
 * Establishes who sent a request. REST routes pass the request's headers (`Authorization: Bearer <jwt>`); the
 * WebSocket upgrade also passes the `token` query parameter. Resolves `null` for a missing or invalid credential,
 * which the router answers with 401; may throw an `HttpError` when the credential cannot be checked right now (503
 * while an identity provider is unreachable). Bring your own (sessions…) or use {@link createJwtAuthenticator}
 * (HS256) or `createJwksAuthenticator` (an identity provider's key set).
 */
export type Authenticate = (request: {
  headers: Record<string, string | string[] | undefined>;
  token?: string;
}) => Promise<AuthenticatedUser | null>;

export interface JwtAuthenticatorOptions extends JwtClaimOptions {
  /** HS256 shared secret (the reference server reads `ROADMAP_JWT_SECRET`). Required, non-empty. */
  secret: string;
  /**
   * Tokens remembered once verified, by their exact text, so the same client's next requests skip the signature
   * check: each for at most a minute and never past its `exp`; only valid tokens are kept. `0` checks every request
   * from scratch. Default: 1000.
   */
  verifiedTokenCacheSize?: number;
}

/**
 * An {@link Authenticate} that accepts HS256 JWTs signed with `secret`, verified by jose (`jwtVerify`): only
 * `HS256` (so `none` and algorithm confusion are refused), `exp` required and `nbf` checked with
 * `clockToleranceSeconds` of leeway, `iss` and `aud` when `issuer` and `audience` are set, unknown `crit` headers
 * refused; the non-empty string `sub` (at most 256 characters) becomes the user id. Tokens over 8 KB are refused
 * unparsed. A verified token is remembered for up to a minute (never past its `exp`: `verifiedTokenCacheSize`). For
 * an identity provider's RS256 tokens use `createJwksAuthenticator`.
 *
 * @example
 * const authenticate = createJwtAuthenticator({
 *   secret: process.env.ROADMAP_JWT_SECRET ?? '',
 *   issuer: 'https://auth.example.com/',
 *   audience: 'roadmap-api',
 * });
 * app.use('/api/v1', createRoadmapRouter(engine, { authenticate }));
 */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticate {
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new TypeError('createJwtAuthenticator: `secret` must be a non-empty string');
  }
  assertClaimOptions('createJwtAuthenticator', options);
  // Imported once (WebCrypto), not at every verification.
  let key: Promise<CryptoKey> | undefined;
  const secretKey = () => {
    key ??= globalThis.crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(options.secret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    );
    return key;
  };
  const verified = new VerifiedTokenCache(options.now ?? Date.now, options.verifiedTokenCacheSize ?? 1000);
  return async (request) => {
    const token = request.token ?? readBearerToken(request.headers);
    if (token === undefined) return null;
    const known = verified.get(token);
    if (known) return known;
    try {
      const user = await verifiedUser(token, await secretKey(), ['HS256'], options);
      if (user) verified.set(token, user);
      return user;
    } catch (error) {
      // A shared secret involves no key fetch: whatever jose refuses is a bad token.
      if (isJoseError(error)) return null;
      throw error;
    }
  };
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined` when there is none. */
export function readBearerToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i.exec(header);
  return match?.[1];
}
