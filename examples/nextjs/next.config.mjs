import { fileURLToPath } from 'node:url';

/** The monorepo root: pnpm's node_modules live there, so Turbopack and output tracing start from it. */
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ['better-sqlite3'],
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
  // The repository's typecheck (`pnpm typecheck`, tsconfig.json at the root) covers src/; no second one in the build.
  typescript: { ignoreBuildErrors: true },
  poweredByHeader: false,
  // `next dev` would write an AGENTS.md into the app otherwise.
  agentRules: false,
  experimental: { agentUpgrade: false },
};

export default nextConfig;
