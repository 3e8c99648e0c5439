import { signJwt } from '@roadmap/express';
import { ConfigError, resolveJwtSecret } from './config.js';

/**
 * `pnpm --silent --filter @roadmap/example-server run token [user-id]`: prints a JWT for `user-id` (default `dev-user`),
 * valid 24 hours, signed with `ROADMAP_JWT_SECRET` or the dev secret. Only the token goes to stdout.
 */
const userId = process.argv[2]?.trim() || 'dev-user';
try {
  const { secret, dev } = resolveJwtSecret(process.env);
  if (dev) process.stderr.write('Note: ROADMAP_JWT_SECRET is not set; signing with the dev secret.\n');
  process.stdout.write(`${signJwt({ sub: userId, expiresInSeconds: 24 * 60 * 60 }, secret)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(2);
}
