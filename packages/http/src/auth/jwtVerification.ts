import { type CryptoKey, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { AuthenticatedUser } from './authenticate.js';

/** Checks of a token's claims, shared by the HS256 and the JWKS authenticators. */
export interface JwtClaimOptions {
  /**
   * `iss` a token must carry (one of these, when several). Unset: `iss` is not looked at. Set it whenever one
   * issuer signs tokens for more than this API.
   */
  issuer?: string | readonly string[];
  /**
   * `aud` a token must carry, as a string or in its array (one of these, when several). Unset: `aud` is not looked
   * at. Set it whenever the same issuer signs tokens for other applications.
   */
  audience?: string | readonly string[];
  /** Seconds of clock skew accepted on `exp` and `nbf`. Default: 5. */
  clockToleranceSeconds?: number;
  /** Whether a token without `exp` is refused. Default: true (a token without expiry would be valid forever). */
  requireExpiration?: boolean;
  /** Current time in milliseconds, for tests. Default: `Date.now`. */
  now?: () => number;
}

/** Tokens longer than this are refused without parsing. */
export const maximumTokenLength = 8192;
/** User ids (`sub`) longer than this are refused. */
const maximumSubjectLength = 256;

/** jose errors that say the token is not valid (answered 401); any other error means the keys could not be had. */
const invalidTokenCodes: ReadonlySet<string> = new Set([
  errors.JWTExpired.code,
  errors.JWTClaimValidationFailed.code,
  errors.JWTInvalid.code,
  errors.JWSInvalid.code,
  errors.JWSSignatureVerificationFailed.code,
  errors.JOSEAlgNotAllowed.code,
  errors.JOSENotSupported.code,
  errors.JWKSNoMatchingKey.code,
  errors.JWKSMultipleMatchingKeys.code,
  errors.JWKInvalid.code,
]);

/** Whether jose refused the token itself (as opposed to failing to get the keys). */
export function isInvalidTokenError(error: unknown): boolean {
  return error instanceof errors.JOSEError && invalidTokenCodes.has(error.code);
}

/** Whether `error` came from jose at all. */
export function isJoseError(error: unknown): boolean {
  return error instanceof errors.JOSEError;
}

function list(value: string | readonly string[] | undefined): string | string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? value : [...value];
}

/** Throws a `TypeError` when an `issuer` or `audience` option is given but empty. */
export function assertClaimOptions(name: string, options: JwtClaimOptions): void {
  for (const claim of ['issuer', 'audience'] as const) {
    const value = options[claim];
    if (value === undefined) continue;
    const values = typeof value === 'string' ? [value] : value;
    if (values.length === 0 || values.some((entry) => typeof entry !== 'string' || entry.length === 0)) {
      throw new TypeError(`${name}: \`${claim}\` must be a non-empty string or a list of them`);
    }
  }
}

/**
 * Verifies `token` with jose (`jwtVerify`: signature with one of `algorithms`, `exp`/`nbf` with tolerance, `iss`
 * and `aud` when required, `crit` refused) and answers its `sub` and `exp` (as {@link AuthenticatedUser}), or
 * `null` when the token is not valid or its `sub` is not a non-empty string of at most 256 characters. Errors
 * other than an invalid token (the key set could not be fetched) are thrown.
 */
export async function verifiedUser(
  token: string,
  key: Uint8Array | CryptoKey | JWTVerifyGetKey,
  algorithms: readonly string[],
  options: JwtClaimOptions,
): Promise<AuthenticatedUser | null> {
  if (token.length === 0 || token.length > maximumTokenLength) return null;
  const issuer = list(options.issuer);
  const audience = list(options.audience);
  let subject: unknown;
  let expiration: unknown;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [...algorithms],
      clockTolerance: options.clockToleranceSeconds ?? 5,
      currentDate: new Date((options.now ?? Date.now)()),
      requiredClaims: (options.requireExpiration ?? true) ? ['exp'] : [],
      ...(issuer === undefined ? {} : { issuer }),
      ...(audience === undefined ? {} : { audience }),
    });
    subject = payload.sub;
    expiration = payload.exp;
  } catch (error) {
    if (isInvalidTokenError(error)) return null;
    throw error;
  }
  if (typeof subject !== 'string' || subject.trim().length === 0 || subject.length > maximumSubjectLength) return null;
  return typeof expiration === 'number' ? { userId: subject, expiresAt: expiration * 1000 } : { userId: subject };
}
