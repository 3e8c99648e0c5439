import { signJwt } from '@roadmap/express';
import type { Handler } from './expressApp.js';

/** The user the dev login signs in as. */
export const devLoginUser = 'demo';

/** How long a dev login token is valid. */
export const devLoginSeconds = 24 * 60 * 60;

/** How the dev login signs: the server's HS256 secret and the `iss`/`aud` it requires. */
export interface DevLoginSigning {
  secret: string;
  /** `iss` to put in the tokens (`ROADMAP_JWT_ISSUER`). Default: none. */
  issuer?: string | undefined;
  /** `aud` to put in the tokens (`ROADMAP_JWT_AUDIENCE`). Default: none. */
  audience?: string | undefined;
}

/** The dev login turned on (only with `ROADMAP_DEV_LOGIN=1`, which `NODE_ENV=production` refuses). */
export interface EnabledDevLogin extends DevLoginSigning {
  enabled: true;
  /** The user it signs in as. Default: {@link devLoginUser}. */
  userId?: string;
}

export type DevLoginOptions = EnabledDevLogin | { enabled: false };

/** A token for the dev login (the link printed at start and `POST /api/dev/login`). */
export function devLoginToken(signing: DevLoginSigning, userId: string = devLoginUser): string {
  return signJwt(
    {
      sub: userId,
      expiresInSeconds: devLoginSeconds,
      ...(signing.issuer === undefined ? {} : { issuer: signing.issuer }),
      ...(signing.audience === undefined ? {} : { audience: signing.audience }),
    },
    signing.secret,
  );
}

/**
 * `/api/dev/login` of the reference server, for the demo app's sign-in page:
 * - `GET` → 200 `{ enabled }`: whether this server hands out dev tokens;
 * - `POST` → 200 `{ token, user_id, expires_in }` when enabled, else 403 `{ detail, code: "dev_login_disabled" }`.
 *
 * Enabled only with `ROADMAP_DEV_LOGIN=1` (which `NODE_ENV=production` refuses), for local demos: then anyone who
 * reaches the server signs in as the demo user. Without the flag it is always refused. Mount it at
 * `/api/dev/login` (outside `/api/v1`).
 */
export function createDevLoginHandler(options: DevLoginOptions): Handler {
  return (request, response, next) => {
    if (request.path !== '/' && request.path !== '') return next();
    response.setHeader('Cache-Control', 'no-store');
    if (request.method === 'GET' || request.method === 'HEAD') {
      response.status(200).json({ enabled: options.enabled });
      return;
    }
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'GET, HEAD, POST');
      response.status(405).json({ detail: 'Use GET or POST.', code: 'method_not_allowed' });
      return;
    }
    if (!options.enabled) {
      response.status(403).json({
        detail:
          'Dev login is disabled on this server (it needs ROADMAP_DEV_LOGIN=1, outside production). ' +
          'Sign in with a token from your identity provider.',
        code: 'dev_login_disabled',
      });
      return;
    }
    const userId = options.userId ?? devLoginUser;
    response.status(200).json({ token: devLoginToken(options, userId), user_id: userId, expires_in: devLoginSeconds });
  };
}
