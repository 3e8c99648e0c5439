import { signJwt } from '@roadmap/http';
import { getRoadmapServer } from '../../../server/roadmapServer.js';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** The user the dev login signs in as. */
const devLoginUser = 'demo';
/** Lifetime of a dev login token: short, it is for a local demo. */
const devLoginSeconds = 60 * 60;

const noStore = { 'Cache-Control': 'no-store' };

/** `GET /api/dev-login` → `{ enabled }`: whether this server hands out dev tokens (the sign-in page asks). */
export async function GET(): Promise<Response> {
  const { config } = await getRoadmapServer();
  return Response.json({ enabled: config.devLogin }, { headers: noStore });
}

/**
 * `POST /api/dev-login` → `{ token, user_id, expires_in }` for the demo user, signed with the API's secret; only with
 * `ROADMAP_DEV_LOGIN=1` outside production, else 403 `dev_login_disabled`.
 */
export async function POST(): Promise<Response> {
  const { config } = await getRoadmapServer();
  if (!config.devLogin) {
    return Response.json(
      {
        detail:
          'Dev login is disabled on this server (it needs ROADMAP_DEV_LOGIN=1 under next dev, never in production). ' +
          'Sign in with the link pnpm demo:nextjs prints, or a token from your identity provider.',
        code: 'dev_login_disabled',
      },
      { status: 403, headers: noStore },
    );
  }
  const token = signJwt({ sub: devLoginUser, expiresInSeconds: devLoginSeconds }, config.jwtSecret);
  return Response.json({ token, user_id: devLoginUser, expires_in: devLoginSeconds }, { headers: noStore });
}
