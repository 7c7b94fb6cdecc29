import { caching } from 'cache-manager';
import { HttpProblem } from '../common/http-problem.js';
import { CacheManagerStore } from '../store/cache-manager.store.js';
import type { WechatStore } from '../store/wechat-store.js';
import { spendRenditionBudget } from './rendition-budget.js';

const newStore = async () => new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined);
const failingStore = {
  get: () => Promise.reject(new Error('down')),
  set: () => Promise.reject(new Error('down')),
  hit: () => Promise.reject(new Error('down')),
} as unknown as WechatStore;

describe('the per-user budget of new renditions', () => {
  it('lets `perMinute` through in a window, then 429 RATE_LIMITED with the seconds left', async () => {
    const store = await newStore();
    for (let i = 0; i < 3; i++) await spendRenditionBudget(store, 'alice', 3);
    const over = await spendRenditionBudget(store, 'alice', 3).catch((error: unknown) => error as HttpProblem);
    expect(over).toBeInstanceOf(HttpProblem);
    expect(over).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect((over as HttpProblem).extra.retryAfter).toBeGreaterThanOrEqual(59);
    expect((over as HttpProblem).extra.retryAfter).toBeLessThanOrEqual(60);
    await spendRenditionBudget(store, 'bob', 3);
  });

  it('0 is no limit, and a store that fails lets renditions through', async () => {
    const store = await newStore();
    for (let i = 0; i < 5; i++) await spendRenditionBudget(store, 'alice', 0);
    await spendRenditionBudget(failingStore, 'alice', 1);
  });
});
