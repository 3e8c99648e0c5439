import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/** What a WebSocket upgrade request asks for, read from its URL. */
export interface UpgradeTarget {
  /** The task of `GET {path}/{task_id}`; `null` for the user-wide `GET {path}`. */
  taskId: string | null;
  /** The `token` query parameter, if any. */
  token: string | undefined;
  /** The raw `since` query parameter, if any (validated by {@link parseSince}). */
  since: string | undefined;
}

/** `null` when the URL is not one of the two WebSocket endpoints under `path` (another upgrade handler may take it). */
export function parseUpgradeTarget(url: string | undefined, path: string): UpgradeTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url ?? '/', 'http://localhost');
  } catch {
    return null;
  }
  const base = path.replace(/\/+$/, '');
  const pathname = parsed.pathname.replace(/\/+$/, '');
  let taskId: string | null;
  if (pathname === base) taskId = null;
  else if (pathname.startsWith(`${base}/`)) {
    const rest = pathname.slice(base.length + 1);
    if (rest.includes('/')) return null;
    try {
      taskId = decodeURIComponent(rest);
    } catch {
      taskId = rest;
    }
  } else return null;
  return {
    taskId,
    token: parsed.searchParams.get('token') ?? undefined,
    since: parsed.searchParams.get('since') ?? undefined,
  };
}

/** `since` as a seq: `undefined` when absent, `null` when it is not a whole number ≥ 0. */
export function parseSince(raw: string | undefined): number | undefined | null {
  if (raw === undefined) return undefined;
  if (!/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/** Answers an upgrade request with a plain HTTP error (SPEC §3 error body) and closes the socket. */
export function rejectUpgrade(
  socket: Duplex,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ detail, code });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
  ];
  if (status === 401) head.push('WWW-Authenticate: Bearer');
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  socket.once('finish', () => socket.destroy());
  socket.once('error', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
