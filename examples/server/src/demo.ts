/**
 * Entry point of `npm run demo` (root) and `pnpm --filter @roadmap/example-server run demo`: the reference server
 * with `ROADMAP_DEV_LOGIN=1` (a public dev secret and a dev login, for a local demo), set here rather than in the
 * package script so that it works in every shell. `start` never sets it: a server started without a secret refuses
 * to start instead of falling back to the dev secret.
 */
process.env.ROADMAP_DEV_LOGIN = '1';
// The demo model's own pace: a roadmap takes about 30 s, slow enough to watch its progress and cancel it by hand.
process.env.ROADMAP_DEMO_LATENCY_MS ??= 'realistic';
await import('./main.js');
