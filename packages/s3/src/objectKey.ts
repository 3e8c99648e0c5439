import { RoadmapError } from '@roadmap/core';

/** One path segment: letters, digits, `.`, `_` and `-`. */
const segmentPattern = /^[A-Za-z0-9._-]+$/;

/** S3 refuses keys longer than 1024 bytes; every allowed character is one byte. */
const maximumKeyLength = 1024;

/**
 * Checks a blob key the way a filesystem store would: segments of `[A-Za-z0-9._-]` joined by `/`, no leading or
 * trailing `/`, no empty, `.` or `..` segment. Throws `RoadmapError('invalid_input')` otherwise.
 */
export function assertValidKey(key: string): void {
  const problem = keyProblem(key);
  if (problem !== undefined) throw invalidKey(`Invalid blob key ${JSON.stringify(key)}: ${problem}`, 'key', problem);
}

/**
 * Checks a key prefix: empty, or key segments followed by `/` (e.g. `covers/`, `tenant-a/covers/`).
 * Throws `RoadmapError('invalid_input')` otherwise.
 */
export function assertValidKeyPrefix(keyPrefix: string): void {
  if (keyPrefix === '') return;
  const problem = keyPrefix.endsWith('/') ? keyProblem(keyPrefix.slice(0, -1)) : 'it must end with "/"';
  if (problem !== undefined) {
    throw invalidKey(`Invalid keyPrefix ${JSON.stringify(keyPrefix)}: ${problem}`, 'keyPrefix', problem);
  }
}

/** The object key of a blob key under `keyPrefix`, checked against the S3 length limit. */
export function objectKeyFor(keyPrefix: string, key: string): string {
  assertValidKey(key);
  const objectKey = `${keyPrefix}${key}`;
  if (objectKey.length > maximumKeyLength) {
    const problem = `with its prefix it is longer than ${maximumKeyLength} characters`;
    throw invalidKey(`Invalid blob key ${JSON.stringify(key)}: ${problem}`, 'key', problem);
  }
  return objectKey;
}

function keyProblem(key: string): string | undefined {
  if (key === '') return 'it is empty';
  if (key.startsWith('/')) return 'it must not start with "/"';
  for (const segment of key.split('/')) {
    if (segment === '') return 'it has an empty path segment';
    if (segment === '.' || segment === '..') return `it has a "${segment}" path segment`;
    if (!segmentPattern.test(segment)) return 'only letters, digits, ".", "_", "-" and "/" are allowed';
  }
  return undefined;
}

function invalidKey(message: string, path: string, problem: string): RoadmapError {
  return new RoadmapError('invalid_input', message, { errors: [{ path, message: problem }] });
}
