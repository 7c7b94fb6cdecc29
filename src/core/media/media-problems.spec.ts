import { Problem } from '../problem.js';
import {
  accountNotAllowed,
  formatUnavailable,
  mediaBusy,
  mediaNotFound,
  mediaTooLarge,
  retryAfterOfProblem,
  transcodeTimeout,
} from './media-problems.js';

describe('the answers of the media layer', () => {
  it('each has its status and code, and carries what a client acts on (the limit, the wait)', () => {
    const bodies = [
      mediaNotFound(),
      mediaTooLarge(1024),
      formatUnavailable('ffmpeg is not available on this server'),
      mediaBusy('try again shortly', 5),
      transcodeTimeout(10),
      accountNotAllowed(),
    ].map((problem) => {
      expect(problem).toBeInstanceOf(Problem);
      return problem.body;
    });
    expect(bodies).toEqual([
      { statusCode: 404, code: 'MEDIA_NOT_FOUND', message: expect.any(String) },
      { statusCode: 413, code: 'MEDIA_TOO_LARGE', message: expect.stringContaining('1024 bytes'), maxBytes: 1024 },
      { statusCode: 415, code: 'FORMAT_UNAVAILABLE', message: expect.stringContaining('ffmpeg is not available') },
      { statusCode: 503, code: 'MEDIA_BUSY', message: 'try again shortly', retryAfter: 5 },
      { statusCode: 503, code: 'TRANSCODE_TIMEOUT', message: expect.any(String), retryAfter: 10 },
      { statusCode: 403, code: 'ACCOUNT_NOT_ALLOWED', message: expect.any(String) },
    ]);
  });
});

describe('retryAfterOfProblem', () => {
  it('is the whole seconds (rounded up) a problem asks a client to wait', () => {
    expect(retryAfterOfProblem(mediaBusy('busy', 5))).toBe(5);
    expect(retryAfterOfProblem(transcodeTimeout(1.2))).toBe(2);
    expect(retryAfterOfProblem(mediaBusy('busy', 0.001))).toBe(1);
  });

  it('is nothing for a wait that is not a positive number, a problem without one, or any other error', () => {
    expect(retryAfterOfProblem(mediaBusy('busy', 0))).toBeUndefined();
    expect(retryAfterOfProblem(mediaBusy('busy', -3))).toBeUndefined();
    expect(retryAfterOfProblem(new Problem(503, 'MEDIA_BUSY', 'busy', { retryAfter: '5' }))).toBeUndefined();
    expect(retryAfterOfProblem(mediaNotFound())).toBeUndefined();
    expect(retryAfterOfProblem(Object.assign(new Error('busy'), { extra: { retryAfter: 5 } }))).toBeUndefined();
    expect(retryAfterOfProblem(new Error('busy'))).toBeUndefined();
    expect(retryAfterOfProblem(undefined)).toBeUndefined();
  });
});
