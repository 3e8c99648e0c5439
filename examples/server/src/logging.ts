import { type Logger, pino } from 'pino';
import type { Handler } from './expressApp.js';

export type { Logger } from 'pino';

/** A JSON logger on stdout (pipe it through `pino-pretty` for reading). */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'roadmap-kit' } });
}

/** Logs every HTTP request once it is answered: method, path (no query: WebSocket tokens travel there), status, duration. */
export function requestLogger(logger: Logger): Handler {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const status = response.statusCode;
      const entry = {
        method: request.method,
        path: request.originalUrl.split('?')[0],
        status,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (status >= 500) logger.error(entry, 'request');
      else logger.info(entry, 'request');
    });
    next();
  };
}
