import { Problem } from '../problem.js';

/**
 * What a media id may look like. WeChat's are 64 characters of [A-Za-z0-9_-]; the storage uses
 * the id as a file name, so nothing else (no dot, slash or backslash) is ever let through. At
 * most 100: Fastify's default maxParamLength, past which the router answers 414 by itself.
 */
export const MEDIA_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export function isValidMediaId(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_ID_PATTERN.test(value);
}

/** 400 `INVALID_MEDIA_ID` unless `value` is a well-formed media id. */
export function assertMediaId(value: unknown): asserts value is string {
  if (!isValidMediaId(value)) {
    throw new Problem(400, 'INVALID_MEDIA_ID', 'mediaId must be 1 to 100 characters of A-Z, a-z, 0-9, _ and -');
  }
}
