import { signJwt } from '@roadmap/express';
import { ConfigError, resolveTokenSigning } from './config.js';

/**
 * `pnpm --silent --filter @roadmap/example-server run token [user-id]`: prints a JWT for `user-id` (default
 * `dev-user`), valid 24 hours, signed with `ROADMAP_JWT_SECRET` (with the `iss`/`aud` of `ROADMAP_JWT_ISSUER` and
 * `ROADMAP_JWT_AUDIENCE` when set), or with the public dev secret under `ROADMAP_DEV_LOGIN=1`. Only the token goes to
 * stdout. Without either it refuses, as the server does.
 */
const userId = process.argv[2]?.trim() || 'dev-user';
try {
  const signing = resolveTokenSigning(process.env);
  if (signing.dev) process.stderr.write('Note: ROADMAP_DEV_LOGIN=1: signing with the public dev secret.\n');
  const token = signJwt(
    {
      sub: userId,
      expiresInSeconds: 24 * 60 * 60,
      ...(signing.issuer === undefined ? {} : { issuer: signing.issuer }),
      ...(signing.audience === undefined ? {} : { audience: signing.audience }),
    },
    signing.secret,
  );
  process.stdout.write(`${token}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
