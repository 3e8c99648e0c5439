import { RoadmapError } from '@roadmap/core';

/** Error names S3 and S3-compatible services use when they throttle a caller. */
const throttlingNames = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);

/** Network failures after which the same request may well succeed. */
const transientNetworkCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

interface SdkErrorFields {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

/** The HTTP status of an AWS SDK error, when the service answered. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const status = (error as SdkErrorFields).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** The error name (S3 error code, e.g. `NoSuchKey`) of an AWS SDK error. */
export function errorNameOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const name = (error as SdkErrorFields).name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Turns an error of the AWS SDK into a `RoadmapError` with code `storage_error`: the original as `cause`, the HTTP
 * status as `statusCode`, and `retryable` for 5xx answers, throttling (`SlowDown`, 429, …) and transient network
 * failures. A `RoadmapError` passes through unchanged.
 */
export function toStorageError(operation: string, objectKey: string, error: unknown): RoadmapError {
  if (RoadmapError.isInstance(error)) return error;
  const statusCode = httpStatusOf(error);
  const name = errorNameOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const detail = name !== undefined && name !== 'Error' && !message.includes(name) ? `${name}: ${message}` : message;
  return new RoadmapError('storage_error', `S3 ${operation} of "${objectKey}" failed: ${detail}`, {
    cause: error,
    retryable: isRetryable(error, statusCode, name),
    statusCode,
  });
}

function isRetryable(error: unknown, statusCode: number | undefined, name: string | undefined): boolean {
  if (statusCode !== undefined && (statusCode >= 500 || statusCode === 429)) return true;
  if (name !== undefined && (throttlingNames.has(name) || name === 'TimeoutError')) return true;
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as SdkErrorFields;
  if (fields.$retryable?.throttling === true) return true;
  return typeof fields.code === 'string' && transientNetworkCodes.has(fields.code);
}
