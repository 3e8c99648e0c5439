import { RoadmapError } from '../shared/errors.js';

const allowedCharacters = /^[A-Za-z0-9._/-]+$/;

/**
 * Throws `RoadmapError('invalid_input')` unless `key` is a safe relative blob key: 1–512 characters of
 * `A–Z a–z 0–9 . _ / -`, no leading or trailing `/`, no empty, `.` or `..` segment. Blob stores call it so a key
 * can never escape their directory or bucket prefix.
 */
export function assertValidBlobKey(key: string): void {
  const problem = blobKeyProblem(key);
  if (problem !== undefined) {
    throw new RoadmapError('invalid_input', `Invalid blob key ${JSON.stringify(key)}: ${problem}`, {
      errors: [{ path: 'key', message: problem }],
    });
  }
}

function blobKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'a key must not be empty';
  if (key.length > 512) return 'a key must be at most 512 characters long';
  if (!allowedCharacters.test(key)) return 'only letters, digits, ".", "_", "-" and "/" are allowed';
  if (key.startsWith('/')) return 'a key must not start with "/"';
  if (key.endsWith('/')) return 'a key must not end with "/"';
  const segments = key.split('/');
  if (segments.some((segment) => segment === '')) return 'a key must not contain "//"';
  if (segments.some((segment) => segment === '.' || segment === '..'))
    return 'a key must not contain "." or ".." segments';
  return undefined;
}
