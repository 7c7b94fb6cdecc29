import { Logger } from '@nestjs/common';
import { Problem } from '../core/problem.js';

const logger = new Logger('S3MediaStorage');

export const nameOf = (error: unknown) => (error as { name?: string })?.name;
export const statusOf = (error: unknown) => (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;

/** "No such key": the object is not there (a media not saved). A missing bucket is not that. */
export const isMissingObject = (error: unknown) =>
  nameOf(error) !== 'NoSuchBucket' && (statusOf(error) === 404 || nameOf(error) === 'NoSuchKey');

/**
 * What the store's failure means to a client: it refused us (an HTTP 4xx: 502) or did not answer
 * (no connection, a timeout, a 5xx: 503). A missing bucket is a misconfiguration, not a missing
 * media: 503, and one error line naming the bucket. Failures of the body being uploaded surface
 * here too; the callers tell those apart by the body's own state (size limit, WeChat breaking off).
 */
export function storageProblem(error: unknown, bucket: MissingBucketLog): Problem {
  if (error instanceof Problem) return error;
  const status = statusOf(error);
  const missingBucket = nameOf(error) === 'NoSuchBucket';
  if (missingBucket) bucket.report();
  const problem =
    status !== undefined && status < 500 && !missingBucket
      ? new Problem(502, 'MEDIA_STORAGE_REFUSED', `the media storage refused the request (${nameOf(error) ?? status})`, {
          status,
        })
      : new Problem(503, 'MEDIA_STORAGE_UNAVAILABLE', 'the media storage is not answering; try again shortly');
  Object.defineProperty(problem, 'cause', { value: error, enumerable: false });
  return problem;
}

/** Says once per bucket (per process) that it does not exist: a configuration to fix, not a passing fault. */
export class MissingBucketLog {
  private reported = false;

  constructor(private readonly bucket: string) {}

  report(): void {
    if (this.reported) return;
    this.reported = true;
    logger.error(
      `the S3 bucket "${this.bucket}" does not exist (NoSuchBucket): no media can be read or saved until S3_BUCKET (or the s3 option's bucket) names an existing bucket`,
    );
  }
}
