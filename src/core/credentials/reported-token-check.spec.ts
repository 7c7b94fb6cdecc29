import { caching } from 'cache-manager';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import { createStore } from '../../store/create-store.js';
import type { WechatStore } from '../wechat-store.js';
import { deleteKeys, REDIS_URL, uniquePrefix } from '../../../test/support/redis-keys.js';
import { ReportedTokenCheck } from './reported-token-check.js';

const TIMING = { intervalMs: 5000, waitMs: 2000, pollMs: 5 };
const prefix = uniquePrefix('reportcheck');
let redis: WechatStore;

beforeAll(async () => {
  redis = await createStore({ redisUrl: REDIS_URL, commandTimeoutMs: 2000, warn: () => undefined });
});
afterAll(async () => {
  await redis.close();
  await deleteKeys(prefix);
});

/** A probe that answers what WeChat would, counting questions; `gate` holds answers back until opened. */
function probe(rejects: Set<string>) {
  const asked: string[] = [];
  let open: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  return {
    asked,
    hold: () => {
      gate = new Promise((resolve) => {
        open = resolve;
      });
    },
    release: () => open(),
    fn: async (_appId: string, value: string) => {
      asked.push(value);
      await gate;
      return rejects.has(value);
    },
  };
}

let n = 0;
const fresh = () => `${prefix}${++n}:`;

describe('ReportedTokenCheck', () => {
  it('believes a report only when WeChat rejects the value; a valid one is kept', async () => {
    const wechat = probe(new Set(['revoked']));
    const check = new ReportedTokenCheck(redis, fresh(), wechat.fn, TIMING);
    expect(await check.confirmsRejected('wxa', 'revoked')).toBe(true);
    expect(await check.confirmsRejected('wxb', 'valid')).toBe(false);
    expect(wechat.asked).toEqual(['revoked', 'valid']);
  });

  it('asks WeChat once per account per interval: concurrent reports share the answer', async () => {
    let now = 1_000_000;
    const wechat = probe(new Set(['revoked']));
    // a store whose expiry follows the same clock as the check's
    const store = new CacheManagerStore(await caching('memory', { max: 100, ttl: 60_000 }), undefined, undefined, () => now);
    const check = new ReportedTokenCheck(store, fresh(), wechat.fn, TIMING, () => now);
    wechat.hold();
    const answers = Promise.all(Array.from({ length: 50 }, () => check.confirmsRejected('wxa', 'revoked')));
    wechat.release();
    expect(await answers).toEqual(Array(50).fill(true));
    expect(wechat.asked).toHaveLength(1);
    // within the interval, another value of the same account is not asked about, and not believed
    expect(await check.confirmsRejected('wxa', 'other')).toBe(false);
    expect(wechat.asked).toHaveLength(1);
    now += TIMING.intervalMs;
    expect(await check.confirmsRejected('wxa', 'other')).toBe(false);
    expect(wechat.asked).toEqual(['revoked', 'other']);
  });

  it('across instances: one question, and every instance takes its verdict', async () => {
    const keyPrefix = fresh();
    const wechat = probe(new Set(['revoked']));
    const first = new ReportedTokenCheck(redis, keyPrefix, wechat.fn, TIMING);
    const second = new ReportedTokenCheck(redis, keyPrefix, wechat.fn, TIMING);
    wechat.hold();
    const one = first.confirmsRejected('wxa', 'revoked');
    // the second instance finds the gate taken and waits for the verdict
    const two = second.confirmsRejected('wxa', 'revoked');
    wechat.release();
    expect(await Promise.all([one, two])).toEqual([true, true]);
    expect(wechat.asked).toHaveLength(1);
  });

  it('a verdict that does not come in time, or is about another value, is no confirmation', async () => {
    const keyPrefix = fresh();
    const wechat = probe(new Set(['revoked', 'also-revoked']));
    const quick = { ...TIMING, waitMs: 50 };
    const first = new ReportedTokenCheck(redis, keyPrefix, wechat.fn, quick);
    const second = new ReportedTokenCheck(redis, keyPrefix, wechat.fn, quick);
    wechat.hold();
    const one = first.confirmsRejected('wxa', 'revoked');
    expect(await second.confirmsRejected('wxa', 'revoked')).toBe(false);
    wechat.release();
    expect(await one).toBe(true);
    expect(await second.confirmsRejected('wxa', 'also-revoked')).toBe(false);
    expect(wechat.asked).toEqual(['revoked']);
  });

  it('a store that cannot lock leaves this process to ask on its own', async () => {
    const broken = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      lock: () => Promise.reject(new Error('down')),
    };
    const wechat = probe(new Set(['revoked']));
    const check = new ReportedTokenCheck(broken, fresh(), wechat.fn, TIMING);
    expect(await check.confirmsRejected('wxa', 'revoked')).toBe(true);
    expect(wechat.asked).toEqual(['revoked']);
  });

  it('never writes the value itself to the store', async () => {
    const keyPrefix = fresh();
    const written: unknown[] = [];
    const spy = {
      get: (key: string) => redis.get(key),
      lock: (key: string, ttl: number) => redis.lock(key, ttl),
      set: (key: string, value: unknown, ttl: number) => {
        written.push(key, value);
        return redis.set(key, value, ttl);
      },
    };
    const check = new ReportedTokenCheck(spy, keyPrefix, probe(new Set()).fn, TIMING);
    await check.confirmsRejected('wxa', 'the-secret-token-value');
    expect(JSON.stringify(written)).not.toContain('the-secret-token-value');
    expect(written.length).toBeGreaterThan(0);
  });
});
