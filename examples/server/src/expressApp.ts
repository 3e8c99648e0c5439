import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { createRoadmapRouter } from '@roadmap/express';

/*
 * express 5 ships no types and @types/express is not a dependency of this example (packages/express has it), so
 * the few pieces used here are typed from the Router that @roadmap/express returns.
 */

/** An Express router, as `createRoadmapRouter` and `createHealthRouter` return it. */
export type Router = ReturnType<typeof createRoadmapRouter>;
export type Request = Parameters<Router>[0];
export type Response = Parameters<Router>[1];
export type NextFunction = Parameters<Router>[2];
export type Handler = (request: Request, response: Response, next: NextFunction) => void;

/** The part of an Express application this server uses. */
export interface App {
  (request: IncomingMessage, response: ServerResponse): void;
  use(handler: Handler | Router): App;
  use(path: string, handler: Handler | Router): App;
  disable(setting: string): App;
}

/** The options of `express.static` (serve-static) used here. */
export interface StaticOptions {
  index?: string | false;
  redirect?: boolean;
  fallthrough?: boolean;
  dotfiles?: 'allow' | 'deny' | 'ignore';
  setHeaders?: (response: ServerResponse, filePath: string) => void;
}

const require = createRequire(import.meta.url);
const express = require('express') as (() => App) & { static(root: string, options?: StaticOptions): Handler };

/** `express()`: a new application. */
export const createExpressApp = (): App => express();

/** `express.static(root, options)`: serves the files under `root`. */
export const serveStatic = (root: string, options?: StaticOptions): Handler => express.static(root, options);
