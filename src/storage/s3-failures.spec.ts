import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { Problem } from '../core/problem.js';
import { isMissingObject, MissingBucketLog, nameOf, statusOf, storageProblem } from './s3-failures.js';

/** An error as the AWS SDK throws it: a name, and the HTTP status of the answer when there was one. */
const s3Error = (name: string | undefined, httpStatusCode?: number) =>
  Object.assign(new Error('from S3'), { name, $metadata: { httpStatusCode } });

/** A MissingBucketLog that counts its reports instead of logging. */
function bucketLog() {
  const log = { reports: 0, report: () => void log.reports++ };
  return log as unknown as MissingBucketLog & { reports: number };
}

describe('nameOf and statusOf', () => {
  it('read the name and HTTP status of an SDK error', () => {
    expect(nameOf(s3Error('NoSuchKey', 404))).toBe('NoSuchKey');
    expect(statusOf(s3Error('NoSuchKey', 404))).toBe(404);
  });

  it('answer undefined for what is not an SDK error, even nothing at all', () => {
    for (const error of [undefined, null, {}, new Error('plain'), { $metadata: {} }]) {
      expect(statusOf(error)).toBeUndefined();
    }
    expect(nameOf(undefined)).toBeUndefined();
    expect(nameOf(null)).toBeUndefined();
    expect(nameOf({})).toBeUndefined();
  });
});

describe('isMissingObject', () => {
  it('is a 404 or a NoSuchKey, either one', () => {
    expect(isMissingObject(s3Error('NotFound', 404))).toBe(true);
    expect(isMissingObject(s3Error('NoSuchKey'))).toBe(true);
    expect(isMissingObject(s3Error('NoSuchKey', 404))).toBe(true);
  });

  it('is not a missing bucket, though S3 answers that with 404 too', () => {
    expect(isMissingObject(s3Error('NoSuchBucket', 404))).toBe(false);
  });

  it('is not any other failure', () => {
    expect(isMissingObject(s3Error('AccessDenied', 403))).toBe(false);
    expect(isMissingObject(s3Error('InternalError', 500))).toBe(false);
    expect(isMissingObject(new Error('socket hang up'))).toBe(false);
    expect(isMissingObject(undefined)).toBe(false);
  });
});

describe('storageProblem', () => {
  it('passes a Problem on as it is', () => {
    const problem = new Problem(413, 'MEDIA_TOO_LARGE', 'too large');
    const bucket = bucketLog();
    expect(storageProblem(problem, bucket)).toBe(problem);
    expect(bucket.reports).toBe(0);
  });

  it('a refusal (4xx) is 502 MEDIA_STORAGE_REFUSED with the status, named by the error or else its status', () => {
    const denied = storageProblem(s3Error('AccessDenied', 403), bucketLog());
    expect(denied).toMatchObject({ statusCode: 502, code: 'MEDIA_STORAGE_REFUSED', extra: { status: 403 } });
    expect(denied.message).toBe('the media storage refused the request (AccessDenied)');
    const unnamed = storageProblem(s3Error(undefined, 499), bucketLog());
    expect(unnamed).toMatchObject({ statusCode: 502, code: 'MEDIA_STORAGE_REFUSED', extra: { status: 499 } });
    expect(unnamed.message).toBe('the media storage refused the request (499)');
  });

  it('a 5xx, or no answer at all, is 503 MEDIA_STORAGE_UNAVAILABLE', () => {
    for (const error of [s3Error('InternalError', 500), s3Error('SlowDown', 503), new Error('connect ECONNREFUSED'), undefined]) {
      const problem = storageProblem(error, bucketLog());
      expect(problem).toMatchObject({ statusCode: 503, code: 'MEDIA_STORAGE_UNAVAILABLE', extra: {} });
    }
  });

  it('a missing bucket is 503 (a misconfiguration, not a refusal) and is reported to the bucket log', () => {
    const bucket = bucketLog();
    expect(storageProblem(s3Error('NoSuchBucket', 404), bucket)).toMatchObject({
      statusCode: 503,
      code: 'MEDIA_STORAGE_UNAVAILABLE',
    });
    expect(bucket.reports).toBe(1);
    // no other failure is reported as a missing bucket
    for (const error of [s3Error('NoSuchKey', 404), s3Error('InternalError', 500), new Error('down')])
      storageProblem(error, bucket);
    expect(bucket.reports).toBe(1);
  });

  it('keeps the error as its cause, out of sight of whatever lists the problem’s own properties', () => {
    const error = s3Error('AccessDenied', 403);
    const problem = storageProblem(error, bucketLog());
    expect(problem.cause).toBe(error);
    expect(Object.keys(problem)).not.toContain('cause');
    const down = new Error('down');
    expect(storageProblem(down, bucketLog()).cause).toBe(down);
  });
});

describe('MissingBucketLog', () => {
  it('logs one error naming the bucket, the first time only', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const log = new MissingBucketLog('media-bucket');
      log.report();
      log.report();
      log.report();
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0][0])).toContain('"media-bucket" does not exist');
      // another bucket's log is its own
      new MissingBucketLog('other-bucket').report();
      expect(errors).toHaveBeenCalledTimes(2);
      expect(String(errors.mock.calls[1][0])).toContain('"other-bucket"');
    } finally {
      errors.mockRestore();
    }
  });
});
