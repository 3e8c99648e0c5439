import { toHttpResponse } from '@roadmap/http';
import type { ErrorRequestHandler, Request, Response } from 'express';

/** Sends an error response (status, JSON body and headers of `toHttpResponse`). */
export function sendError(response: Response, error: unknown): void {
  const { status, body, headers } = toHttpResponse(error);
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.status(status).json(body);
}

/**
 * The router's final error handler, for what Express raises before a route runs (a malformed `%` escape in a path
 * parameter is a 400): known errors become their status (SPEC §3), anything else a 500 with a generic detail;
 * `onError` receives every 5xx with its request.
 */
export function createErrorHandler(onError: (error: unknown, request: Request) => void): ErrorRequestHandler {
  return (error, request, response, next) => {
    if (response.headersSent) {
      next(error);
      return;
    }
    const { status } = toHttpResponse(error);
    if (status >= 500) {
      try {
        onError(error, request);
      } catch {
        // A failing logger must not turn into another error.
      }
    }
    sendError(response, error);
  };
}
