import { signJwt } from '@roadmap/express';
import type { Handler } from './expressApp.js';

/** The user the dev login signs in as. */
export const devLoginUser = 'demo';

/** How long a dev login token is valid. */
export const devLoginSeconds = 24 * 60 * 60;

export interface DevLoginOptions {
  /** Only when the built-in dev secret is in use and `NODE_ENV` is not `production`. */
  enabled: boolean;
  secret: string;
  /** Default {@link devLoginUser}. */
  userId?: string;
}

/** A token for the dev login (the link printed at start and `POST /api/dev/login`). */
export function devLoginToken(secret: string, userId: string = devLoginUser): string {
  return signJwt({ sub: userId, expiresInSeconds: devLoginSeconds }, secret);
}

/**
 * `/api/dev/login` of the reference server, for the demo app's sign-in page:
 * - `GET` → 200 `{ enabled }`: whether this server hands out dev tokens;
 * - `POST` → 200 `{ token, user_id, expires_in }` when enabled, else 403 `{ detail, code: "dev_login_disabled" }`.
 *
 * Enabled only while the server signs with the public dev secret outside production: then anyone can mint tokens
 * anyway, and this merely saves a copy and paste. With a real `ROADMAP_JWT_SECRET` or `NODE_ENV=production` it is
 * always refused. Mount it at `/api/dev/login` (outside `/api/v1`).
 */
export function createDevLoginHandler(options: DevLoginOptions): Handler {
  const userId = options.userId ?? devLoginUser;
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
          'Dev login is disabled: this server uses its own ROADMAP_JWT_SECRET or runs with NODE_ENV=production. ' +
          'Sign in with a token from your identity provider.',
        code: 'dev_login_disabled',
      });
      return;
    }
    response
      .status(200)
      .json({ token: devLoginToken(options.secret, userId), user_id: userId, expires_in: devLoginSeconds });
  };
}
