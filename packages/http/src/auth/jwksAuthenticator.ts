import { createRemoteJWKSet } from 'jose';
import { HttpError } from '../errors/httpError.js';
import { type Authenticate, readBearerToken } from './authenticate.js';
import { assertClaimOptions, type JwtClaimOptions, verifiedUser } from './jwtVerification.js';

export interface JwksAuthenticatorOptions extends JwtClaimOptions {
  /**
   * The identity provider's JSON Web Key Set (`jwks_uri` of its OpenID configuration), e.g.
   * `https://example.eu.auth0.com/.well-known/jwks.json`. Required.
   */
  jwksUrl: string | URL;
  /**
   * `iss` every token must carry: the provider's issuer identifier. Required: one provider's keys sign tokens for
   * every application and tenant it serves.
   */
  issuer: string | readonly string[];
  /** `aud` every token must carry (this API's identifier at the provider). Required, for the same reason. */
  audience: string | readonly string[];
  /** Signature algorithms accepted. Default: `['RS256']`. Symmetric ones (`HS…`) are refused. */
  algorithms?: readonly string[];
  /**
   * Least time between two fetches of the key set caused by a token whose `kid` is not in it (a key rotation), so
   * that tokens with made-up `kid`s cannot make this server hammer the provider. Default: 30 000 ms.
   */
  cooldownMs?: number;
  /** How long a fetched key set is used before it is fetched again. Default: 600 000 ms (10 minutes). */
  cacheMaxAgeMs?: number;
  /** Longest wait for the key set; then the request is answered 503. Default: 5 000 ms. */
  timeoutMs?: number;
  /** Seconds a client is told to wait (`Retry-After`) when the provider cannot be reached. Default: 5. */
  retryAfterSeconds?: number;
}

/**
 * An {@link Authenticate} for tokens of an identity provider (Auth0, Okta, Keycloak, Cognito, Entra ID…): RS256
 * JWTs verified by jose against the provider's JSON Web Key Set (`createRemoteJWKSet` + `jwtVerify`). The set is
 * fetched on first use, cached (`cacheMaxAgeMs`) and fetched again when a token names a `kid` it does not hold, so
 * key rotations need no restart. `iss` and `aud` are required; `exp` and `nbf` are checked with
 * `clockToleranceSeconds` of leeway; the non-empty `sub` becomes the user id. An invalid token resolves `null`
 * (401); a provider that cannot be reached throws a 503 `identity_provider_unavailable` {@link HttpError}, so that
 * clients keep their session instead of signing out.
 *
 * @example
 * const authenticate = createJwksAuthenticator({
 *   jwksUrl: 'https://example.eu.auth0.com/.well-known/jwks.json',
 *   issuer: 'https://example.eu.auth0.com/',
 *   audience: 'https://roadmap.example.com/api',
 * });
 * app.use('/api/v1', createRoadmapRouter(engine, { authenticate }));
 * attachRoadmapWebSocket(server, engine, { authenticate });
 */
export function createJwksAuthenticator(options: JwksAuthenticatorOptions): Authenticate {
  let url: URL;
  try {
    url = new URL(options.jwksUrl);
  } catch {
    throw new TypeError('createJwksAuthenticator: `jwksUrl` must be an absolute URL');
  }
  if (options.issuer === undefined || options.audience === undefined) {
    throw new TypeError('createJwksAuthenticator: `issuer` and `audience` are required');
  }
  assertClaimOptions('createJwksAuthenticator', options);
  const algorithms = options.algorithms ?? ['RS256'];
  if (algorithms.length === 0 || algorithms.some((algorithm) => algorithm.startsWith('HS') || algorithm === 'none')) {
    throw new TypeError('createJwksAuthenticator: `algorithms` must list asymmetric algorithms (RS256, ES256, …)');
  }
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const keySet = createRemoteJWKSet(url, {
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.timeoutMs ?? 5_000,
  });
  return async (request) => {
    const token = request.token ?? readBearerToken(request.headers);
    if (token === undefined) return null;
    try {
      return await verifiedUser(token, keySet, algorithms, options);
    } catch (error) {
      throw new HttpError(
        503,
        {
          detail: 'The identity provider could not be reached to check the token. Try again shortly.',
          code: 'identity_provider_unavailable',
        },
        { 'Retry-After': retryAfter },
        { cause: error },
      );
    }
  };
}
