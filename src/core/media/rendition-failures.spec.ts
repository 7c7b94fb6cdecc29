import { jest } from '@jest/globals';
import { Problem } from '../problem.js';
import type { WechatStore } from '../wechat-store.js';
import { mediaBusy, mediaTooLarge, transcodeTimeout } from './media-problems.js';
import { FAILURE_MEMORY_MS, recallFailure, rememberFailure } from './rendition-failures.js';

/** A store that answers `value` for every key (what another instance, or anyone with access to the store, left there). */
const holding = (value: unknown) => ({ get: async () => value }) as unknown as WechatStore;
const kept = { statusCode: 413, code: 'MEDIA_TOO_LARGE', message: 'the media is larger than the limit of 1024 bytes' };

describe('rememberFailure', () => {
  /** A store that records what it is asked to keep. */
  const recording = () => {
    const set = jest.fn(async (_key: string, _value: unknown, _ttlMs: number) => undefined);
    return { store: { set } as unknown as WechatStore, set };
  };

  it('keeps a lasting failure as plain fields, for a day', async () => {
    const { store, set } = recording();
    await rememberFailure(store, 'k', mediaTooLarge(1024));
    expect(set.mock.calls).toEqual([
      [
        'k',
        { statusCode: 413, code: 'MEDIA_TOO_LARGE', message: mediaTooLarge(1024).message, extra: { maxBytes: 1024 } },
        FAILURE_MEMORY_MS,
      ],
    ]);
  });

  it('writes nothing for a failure that may pass (a timeout, a busy instance) or an error that is no problem', async () => {
    const { store, set } = recording();
    await rememberFailure(store, 'k', transcodeTimeout(10));
    await rememberFailure(store, 'k', mediaBusy('busy', 5));
    await rememberFailure(store, 'k', Object.assign(new Error('disk full'), { code: 'MEDIA_TOO_LARGE' }));
    expect(set).not.toHaveBeenCalled();
  });
});

describe('recallFailure: a kept failure read back', () => {
  it('keeps the extra fields of a well-formed failure', async () => {
    const problem = await recallFailure(holding({ ...kept, extra: { maxBytes: 1024 } }), 'k');
    expect(problem).toBeInstanceOf(Problem);
    expect(problem?.body).toEqual({ ...kept, maxBytes: 1024 });
  });

  it('answers extra fields that are no object (missing, null, text) as none', async () => {
    for (const extra of [undefined, null, 'maxBytes', 1024]) {
      const problem = await recallFailure(holding({ ...kept, extra }), 'k');
      expect(problem).toBeInstanceOf(Problem);
      expect(problem?.extra).toEqual({});
      expect(problem?.body).toEqual(kept);
    }
  });

  it('answers nothing for a value that is not a lasting failure’s shape', async () => {
    const values = [
      undefined,
      null,
      'MEDIA_TOO_LARGE',
      { ...kept, code: 'MEDIA_BUSY' },
      { ...kept, code: 413 },
      { ...kept, statusCode: '413' },
      { ...kept, message: 413 },
      { statusCode: 413, code: 'MEDIA_TOO_LARGE' },
    ];
    for (const value of values) expect(await recallFailure(holding(value), 'k')).toBeUndefined();
  });
});
