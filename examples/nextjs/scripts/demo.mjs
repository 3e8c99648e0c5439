// `pnpm demo:nextjs` (after `next build`): starts the production server (`next start`, PORT honoured, default 3000)
// with a fresh random ROADMAP_JWT_SECRET — the dev login is refused in production — and prints a sign-in link for
// the demo user, signed with that secret. A ROADMAP_JWT_SECRET already set is used as it is.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { signJwt } from '@roadmap/http';

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const secret = process.env.ROADMAP_JWT_SECRET || randomBytes(32).toString('hex');
const port = process.env.PORT || '3000';
const token = signJwt({ sub: 'demo', expiresInSeconds: 24 * 60 * 60 }, secret);

const child = spawn(process.execPath, [nextBin, 'start', '--hostname', '127.0.0.1'], {
  env: { ...process.env, ROADMAP_JWT_SECRET: secret, PORT: port },
  stdio: ['inherit', 'pipe', 'inherit'],
});
let announced = false;
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (!announced && chunk.toString().includes('Ready')) {
    announced = true;
    process.stdout.write(
      `\nRoadmap Kit on Next.js — sign in as the demo user (24 h):\n  http://127.0.0.1:${port}/#token=${token}\n\n`,
    );
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
