import { jest } from '@jest/globals';
import { caching } from 'cache-manager';
import { Problem } from '../problem.js';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import type { WechatStore } from '../wechat-store.js';
import { formatUnavailable, mediaTooLarge, transcodeTimeout } from './media-problems.js';
import { spendRenditionBudget } from './rendition-budget.js';
import { FAILURE_MEMORY_MS, recallFailure, rememberFailure } from './rendition-failures.js';

const newStore = async () => new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined);
const failingStore = {
  get: () => Promise.reject(new Error('down')),
  set: () => Promise.reject(new Error('down')),
  hit: () => Promise.reject(new Error('down')),
} as unknown as WechatStore;

describe('remembered rendition failures', () => {
  it('keeps too large and undecodable for a day, and answers them as they were', async () => {
    const store = await newStore();
    const set = jest.spyOn(store, 'set');
    await rememberFailure(store, 'k1', mediaTooLarge(1024));
    await rememberFailure(store, 'k2', formatUnavailable('ffmpeg cannot decode this voice'));
    expect(set.mock.calls.map((call) => call[2])).toEqual([FAILURE_MEMORY_MS, FAILURE_MEMORY_MS]);
    expect(FAILURE_MEMORY_MS).toBe(24 * 3600_000);
    const tooLarge = await recallFailure(store, 'k1');
    expect(tooLarge).toBeInstanceOf(Problem);
    expect(tooLarge?.body).toEqual(mediaTooLarge(1024).body);
    expect((await recallFailure(store, 'k2'))?.body).toEqual(formatUnavailable('ffmpeg cannot decode this voice').body);
    expect(await recallFailure(store, 'nothing')).toBeUndefined();
  });

  it('never keeps a timeout (or anything but a problem of the voice itself)', async () => {
    const store = await newStore();
    await rememberFailure(store, 'k', transcodeTimeout(10));
    await rememberFailure(store, 'k2', new Error('storage down'));
    expect([await recallFailure(store, 'k'), await recallFailure(store, 'k2')]).toEqual([undefined, undefined]);
  });

  it('ignores a value that is no kept failure, and a store that does not answer', async () => {
    const store = await newStore();
    await store.set('forged', { statusCode: 200, code: 'OK', message: 'fine' }, 1000);
    await store.set('shapeless', 'MEDIA_TOO_LARGE', 1000);
    expect([await recallFailure(store, 'forged'), await recallFailure(store, 'shapeless')]).toEqual([undefined, undefined]);
    await rememberFailure(failingStore, 'k', mediaTooLarge(1));
    expect(await recallFailure(failingStore, 'k')).toBeUndefined();
  });
});

describe('the per-user budget of new renditions', () => {
  it('lets `perMinute` through in a window, then 429 RATE_LIMITED with the seconds left', async () => {
    const store = await newStore();
    for (let i = 0; i < 3; i++) await spendRenditionBudget(store, 'alice', 3);
    const over = await spendRenditionBudget(store, 'alice', 3).catch((error: unknown) => error as Problem);
    expect(over).toBeInstanceOf(Problem);
    expect(over).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect((over as Problem).extra.retryAfter).toBeGreaterThanOrEqual(59);
    expect((over as Problem).extra.retryAfter).toBeLessThanOrEqual(60);
    await spendRenditionBudget(store, 'bob', 3);
  });

  it('0 is no limit, and a store that fails lets renditions through', async () => {
    const store = await newStore();
    for (let i = 0; i < 5; i++) await spendRenditionBudget(store, 'alice', 0);
    await spendRenditionBudget(failingStore, 'alice', 1);
  });
});
