import { createHmac, timingSafeEqual } from 'node:crypto';

/** The caller of a request, as established by an {@link Authenticate} function. */
export interface AuthenticatedUser {
  /** Owner id of everything the caller creates and may read; the JWT's `sub`. */
  userId: string;
}

/**
 * Establishes who sent a request. REST routes pass the request's headers (`Authorization: Bearer <jwt>`); the
 * WebSocket upgrade also passes the `token` query parameter. Resolves `null` for a missing or invalid credential,
 * which the router answers with 401. Bring your own (sessions, an identity provider's JWKS…) or use
 * {@link createJwtAuthenticator}.
 */
export type Authenticate = (request: {
  headers: Record<string, string | string[] | undefined>;
  token?: string;
}) => Promise<AuthenticatedUser | null>;

export interface JwtAuthenticatorOptions {
  /** HS256 shared secret (the reference server reads `ROADMAP_JWT_SECRET`). Required, non-empty. */
  secret: string;
  /** Seconds of clock skew accepted on `exp` and `nbf`. Default: 5. */
  clockToleranceSeconds?: number;
  /** Whether a token without `exp` is refused. Default: true (a token without expiry would be valid forever). */
  requireExpiration?: boolean;
  /** Current time in milliseconds, for tests. Default: `Date.now`. */
  now?: () => number;
}

/** Tokens longer than this are refused without parsing. */
const maximumTokenLength = 8192;
/** User ids longer than this are refused. */
const maximumSubjectLength = 256;

/**
 * An {@link Authenticate} that accepts HS256 JWTs signed with `secret`: the signature is compared in constant time,
 * the header's `alg` must be `HS256` (so `none` and algorithm confusion are refused), `exp` and `nbf` are checked
 * with `clockToleranceSeconds` of leeway, and the non-empty string `sub` becomes the user id.
 *
 * @example
 * const authenticate = createJwtAuthenticator({ secret: process.env.ROADMAP_JWT_SECRET ?? '' });
 * app.use('/api/v1', createRoadmapRouter(engine, { authenticate }));
 */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticate {
  if (typeof options.secret !== 'string' || options.secret.length === 0) {
    throw new TypeError('createJwtAuthenticator: `secret` must be a non-empty string');
  }
  const secret = options.secret;
  const toleranceSeconds = options.clockToleranceSeconds ?? 5;
  const requireExpiration = options.requireExpiration ?? true;
  const now = options.now ?? Date.now;
  return async (request) => {
    const token = request.token ?? readBearerToken(request.headers);
    if (token === undefined) return null;
    const subject = verifyJwt(token, secret, { toleranceSeconds, requireExpiration, nowSeconds: now() / 1000 });
    return subject === null ? null : { userId: subject };
  };
}

/** The token of an `Authorization: Bearer <token>` header, or `undefined` when there is none. */
export function readBearerToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const header = headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([A-Za-z0-9\-_.~+/]+=*)[ ]*$/i.exec(header);
  return match?.[1];
}

interface VerifyOptions {
  toleranceSeconds: number;
  requireExpiration: boolean;
  nowSeconds: number;
}

/** The `sub` of a valid token, else `null`. Never throws. */
function verifyJwt(token: string, secret: string, options: VerifyOptions): string | null {
  if (token.length === 0 || token.length > maximumTokenLength) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const base64Url = /^[A-Za-z0-9\-_]*$/;
  if (!base64Url.test(encodedHeader) || !base64Url.test(encodedPayload) || !base64Url.test(encodedSignature)) {
    return null;
  }
  const header = parseJsonObject(encodedHeader);
  if (header === null || header.alg !== 'HS256') return null;
  if (header.typ !== undefined && header.typ !== 'JWT') return null;
  if (header.crit !== undefined) return null;

  const expected = createHmac('sha256', secret).update(`${encodedHeader}.${encodedPayload}`).digest();
  const actual = Buffer.from(encodedSignature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;

  const payload = parseJsonObject(encodedPayload);
  if (payload === null) return null;
  const { exp, nbf, sub } = payload;
  if (exp === undefined) {
    if (options.requireExpiration) return null;
  } else if (typeof exp !== 'number' || !Number.isFinite(exp) || options.nowSeconds >= exp + options.toleranceSeconds) {
    return null;
  }
  if (nbf !== undefined) {
    if (typeof nbf !== 'number' || !Number.isFinite(nbf) || options.nowSeconds < nbf - options.toleranceSeconds) {
      return null;
    }
  }
  if (typeof sub !== 'string' || sub.trim().length === 0 || sub.length > maximumSubjectLength) return null;
  return sub;
}

function parseJsonObject(encoded: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

export interface SignJwtClaims {
  /** The user id. */
  sub: string;
  /** Lifetime of the token in seconds. Default: 3600. */
  expiresInSeconds?: number;
  /** Issue time in milliseconds, for tests. Default: `Date.now()`. */
  nowMs?: number;
}

/**
 * Signs an HS256 JWT with `sub`, `iat` and `exp`, for tests and the reference server's dev token script.
 *
 * @example
 * const token = signJwt({ sub: 'user-1', expiresInSeconds: 600 }, secret);
 */
export function signJwt(claims: SignJwtClaims, secret: string): string {
  const issuedAt = Math.floor((claims.nowMs ?? Date.now()) / 1000);
  const header = encodeJson({ alg: 'HS256', typ: 'JWT' });
  const payload = encodeJson({ sub: claims.sub, iat: issuedAt, exp: issuedAt + (claims.expiresInSeconds ?? 3600) });
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}
