import { RoadmapError } from '@roadmap/core';
import { type PathParameterName, parsePathParameter } from '../validation/pathParameters.js';
import type { RouteRequest } from './routeDefinition.js';

/** A path parameter as the host decoded it (always present on the routes that read it). */
export function rawParam(request: RouteRequest, name: string): string {
  const value = request.params[name];
  if (typeof value !== 'string') throw new RoadmapError('invalid_input', `Missing path parameter ${name}.`);
  return value;
}

/** A path parameter checked against its format (`pathParameters.ts`): a malformed one is a 400 before any read. */
export function param(request: RouteRequest, name: PathParameterName): string {
  return parsePathParameter(name, rawParam(request, name));
}

/** The first value of a header, by its lower-case name. */
export function header(request: RouteRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** A 200 (or `status`) JSON answer. */
export function json(status: number, body: unknown) {
  return { status, json: body };
}
