import { ConfigError, parseConfig } from './config.js';
import { startServer } from './createServerApp.js';
import { devLoginToken, devLoginUser } from './devLogin.js';
import { createLogger } from './logging.js';

/**
 * Entry point of `pnpm --filter @roadmap/example-server start` (and of `run demo`, which sets `ROADMAP_DEV_LOGIN=1`
 * first): configure from the environment, serve, shut down on signals. Refuses to start (exit code 2) without a
 * way to check tokens: `ROADMAP_JWT_SECRET`, `ROADMAP_JWKS_URL`, or `ROADMAP_DEV_LOGIN=1` outside production.
 */
async function main(): Promise<void> {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = parseConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  for (const warning of config.warnings) logger.warn(warning);

  const server = await startServer(config, logger);
  const what = config.role === 'worker' ? 'worker (health endpoints only)' : 'server';
  process.stdout.write(`Roadmap Kit ${what} listening on ${server.url}\n`);
  if (config.role !== 'worker') {
    if (server.webDir) {
      process.stdout.write(`Web app: ${server.url}/\n`);
    } else {
      process.stdout.write(
        `Web app not built (no ${config.webDir}/index.html): ` +
          'node scripts/pnpm.mjs --filter @roadmap/example-web run build, then restart. The API works without it.\n',
      );
    }
  }
  if (config.devLogin && config.auth.kind === 'secret' && config.role !== 'worker') {
    if (server.webDir) {
      process.stdout.write(
        `Dev login (ROADMAP_DEV_LOGIN=1), open as user "${devLoginUser}": ${server.url}/#token=${devLoginToken(config.auth)}\n`,
      );
    }
    if (config.usingDevJwtSecret) {
      process.stdout.write(
        'Dev login for the API: TOKEN=$(ROADMAP_DEV_LOGIN=1 pnpm --silent --filter @roadmap/example-server run token alice) && ' +
          `curl -H "Authorization: Bearer $TOKEN" ${server.url}/api/v1/roadmaps\n`,
      );
    }
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal during shutdown: exiting at once');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'signal received');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  process.stderr.write(`Roadmap Kit server failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
