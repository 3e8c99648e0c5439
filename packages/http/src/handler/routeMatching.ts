import type { ApiErrorBody } from '@roadmap/core';
import { HttpError } from '../errors/httpError.js';
import type { RouteDefinition } from '../routes/routeDefinition.js';

/** A route with its path split into segments once. */
interface CompiledRoute {
  route: RouteDefinition;
  /** Literal segments as they are; `:name` segments as `{ name }`. */
  segments: Array<string | { name: string }>;
}

/** The body of a 405: a known path asked with a method none of its routes takes (sent with `Allow`). */
export const methodNotAllowed: ApiErrorBody = {
  detail: 'This route does not take this method.',
  code: 'method_not_allowed',
};

/** What a path matched: the route serving the method, or the methods the path allows. */
export type RouteMatch =
  | { kind: 'route'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'methodNotAllowed'; allow: string[] }
  | { kind: 'notFound' };

/**
 * Matches request paths against the route table as Express would: segments compared as they are sent
 * (percent-encoded), each `:param` one non-empty segment, decoded once (a malformed escape is a 400), the first
 * entry of the table that fits the method winning; one trailing slash is ignored.
 *
 * @internal Shared by the fetch handler and the Express binding, so both answer 404, 405 and `Allow` alike.
 */
export function createRouteMatcher(routes: readonly RouteDefinition[]): (method: string, path: string) => RouteMatch {
  const compiled: CompiledRoute[] = routes.map((route) => ({
    route,
    segments: route.path
      .split('/')
      .slice(1)
      .map((segment) => (segment.startsWith(':') ? { name: segment.slice(1) } : segment)),
  }));
  return (method, path) => {
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const requested = trimmed.split('/').slice(1);
    const lookup = method === 'HEAD' ? 'GET' : method;
    const allow = new Set<string>();
    for (const { route, segments } of compiled) {
      if (!fits(segments, requested)) continue;
      if (route.method !== lookup) {
        allow.add(route.method);
        continue;
      }
      return { kind: 'route', route, params: paramsOf(segments, requested) };
    }
    if (allow.size === 0) return { kind: 'notFound' };
    if (allow.has('GET')) allow.add('HEAD');
    return { kind: 'methodNotAllowed', allow: [...allow] };
  };
}

function fits(segments: CompiledRoute['segments'], requested: string[]): boolean {
  if (segments.length !== requested.length) return false;
  return segments.every((segment, index) => {
    const value = requested[index] ?? '';
    return typeof segment === 'string' ? segment === value : value.length > 0;
  });
}

function paramsOf(segments: CompiledRoute['segments'], requested: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  segments.forEach((segment, index) => {
    if (typeof segment === 'string') return;
    const value = requested[index] ?? '';
    try {
      params[segment.name] = decodeURIComponent(value);
    } catch {
      throw new HttpError(400, { detail: 'The request is malformed.', code: 'bad_request' });
    }
  });
  return params;
}
