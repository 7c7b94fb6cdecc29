import { Problem } from '../problem.js';

/** The answers of the media layer that more than one file gives. */

/** 404 `MEDIA_NOT_FOUND`: the id is not saved here, or not for this user. */
export const mediaNotFound = () => new Problem(404, 'MEDIA_NOT_FOUND', 'this media id has not been saved');

/** 413 `MEDIA_TOO_LARGE`: past the size limit (a download, or the mp3 of a voice). */
export const mediaTooLarge = (maxBytes: number) =>
  new Problem(413, 'MEDIA_TOO_LARGE', `the media is larger than the limit of ${maxBytes} bytes`, { maxBytes });

/** 415 `FORMAT_UNAVAILABLE`: no mp3 can be made; the original stays available. */
export const formatUnavailable = (why: string) =>
  new Problem(415, 'FORMAT_UNAVAILABLE', `no mp3 of this media: ${why}; the original is still served`);

/** 503 `MEDIA_BUSY`, with the seconds after which a retry is worth it (sent as Retry-After). */
export const mediaBusy = (message: string, retryAfter: number) => new Problem(503, 'MEDIA_BUSY', message, { retryAfter });

/** 503 `TRANSCODE_TIMEOUT`: ffmpeg ran past its time bound and was killed. */
export const transcodeTimeout = (retryAfter: number) =>
  new Problem(503, 'TRANSCODE_TIMEOUT', 'making the mp3 took too long; try again later', { retryAfter });

/** 403 `ACCOUNT_NOT_ALLOWED`: a user works with media only through the account they logged in through. */
export const accountNotAllowed = () =>
  new Problem(
    403,
    'ACCOUNT_NOT_ALLOWED',
    'this user logged in through another Official Account; media are saved and read only through your own account',
  );

/** The Retry-After (seconds) an error asks for, when it asks for one. */
export function retryAfterOfProblem(error: unknown): number | undefined {
  const retryAfter = error instanceof Problem ? error.extra.retryAfter : undefined;
  return typeof retryAfter === 'number' && retryAfter > 0 ? Math.ceil(retryAfter) : undefined;
}
