import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { caching } from 'cache-manager';
import { CacheManagerStore } from '../../store/cache-manager.store.js';
import { createStore } from '../../store/create-store.js';
import type { StoreLock, WechatStore } from '../wechat-store.js';
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

const digestOf = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * A store in memory for the rules of one instance: `gate` says whether this instance takes the
 * question (a lock) or finds another instance holding it (null); `get` answers the verdicts in
 * `seen` one look after the other (the last one again once they run out).
 */
function fakeStore(gate: 'free' | 'taken', seen: unknown[] = []) {
  const calls: { locks: [string, number][]; sets: [string, unknown, number][]; gets: string[] } = {
    locks: [],
    sets: [],
    gets: [],
  };
  const store = {
    lock: async (key: string, ttlMs: number) => {
      calls.locks.push([key, ttlMs]);
      return gate === 'free' ? ({ release: async () => undefined } as unknown as StoreLock) : null;
    },
    set: async (key: string, value: unknown, ttlMs: number) => void calls.sets.push([key, value, ttlMs]),
    get: async (key: string) => {
      calls.gets.push(key);
      return seen[Math.min(calls.gets.length, seen.length) - 1];
    },
  };
  return { store, calls };
}

/** What `answer` settled to after `ms` of the fake clock; undefined while it is still out. */
async function after<T>(ms: number, answer: Promise<T>): Promise<{ value: T } | undefined> {
  let settled: { value: T } | undefined;
  void answer.then((value) => (settled = { value }));
  await jest.advanceTimersByTimeAsync(ms);
  return settled;
}

describe('ReportedTokenCheck (one instance, its store faked)', () => {
  // waits up to 20 ms for another instance's verdict, looking every 5 ms: 5 looks in all
  const QUICK = { intervalMs: 5000, waitMs: 20, pollMs: 5 };
  const KEY_PREFIX = 'p:';
  const VERDICT_KEY = 'p:{wxa}:access_token:report-verdict';
  const DIGEST = digestOf('revoked');

  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('the instance that takes the gate asks WeChat, leaving digest then verdict for intervalMs + waitMs', async () => {
    const { store, calls } = fakeStore('free');
    const wechat = probe(new Set(['revoked']));
    const check = new ReportedTokenCheck(store, KEY_PREFIX, wechat.fn, QUICK, () => 1_000_000);
    // at once: it waits for nobody
    expect(await after(0, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: true });
    expect(wechat.asked).toEqual(['revoked']);
    // the gate is held for one interval: one question per account per interval
    expect(calls.locks).toEqual([['p:{wxa}:access_token:report-check', 5000]]);
    expect(calls.sets).toEqual([
      [VERDICT_KEY, { digest: DIGEST }, 5020],
      [VERDICT_KEY, { digest: DIGEST, rejected: true }, 5020],
    ]);
    expect(calls.gets).toEqual([]);
  });

  it('an instance that finds the gate taken asks WeChat nothing and takes the verdict once it is in', async () => {
    for (const rejected of [true, false]) {
      const { store, calls } = fakeStore('taken', [undefined, { digest: DIGEST }, { digest: DIGEST, rejected }]);
      const wechat = probe(new Set(['revoked']));
      const check = new ReportedTokenCheck(store, KEY_PREFIX, wechat.fn, QUICK);
      // the third look, after two pauses, finds the verdict
      expect(await after(10, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: rejected });
      expect(calls.gets).toEqual([VERDICT_KEY, VERDICT_KEY, VERDICT_KEY]);
      expect(wechat.asked).toEqual([]);
      expect(calls.sets).toEqual([]);
    }
  });

  it('no verdict within waitMs is no confirmation: waitMs / pollMs pauses, one look after each', async () => {
    const { store, calls } = fakeStore('taken', [{ digest: DIGEST }]);
    const check = new ReportedTokenCheck(store, KEY_PREFIX, probe(new Set(['revoked'])).fn, QUICK);
    const answer = check.confirmsRejected('wxa', 'revoked');
    expect(await after(15, answer)).toBeUndefined();
    expect(calls.gets).toHaveLength(4);
    expect(await after(5, answer)).toEqual({ value: false });
    expect(calls.gets).toHaveLength(5);
    // nothing more is looked at once the answer is given
    await jest.advanceTimersByTimeAsync(100);
    expect(calls.gets).toHaveLength(5);
  });

  it('a pause that is not a whole number of polls still waits the whole of waitMs', async () => {
    const { store, calls } = fakeStore('taken', [{ digest: DIGEST }]);
    const check = new ReportedTokenCheck(store, KEY_PREFIX, probe(new Set()).fn, { ...QUICK, waitMs: 12 });
    // ceil(12 / 5) = 3 pauses
    expect(await after(15, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: false });
    expect(calls.gets).toHaveLength(4);
  });

  it('a question about another value is no confirmation, at once, whatever its verdict', async () => {
    for (const other of [{ digest: digestOf('other'), rejected: true }, { digest: digestOf('other') }]) {
      const { store, calls } = fakeStore('taken', [other, { digest: DIGEST, rejected: true }]);
      const check = new ReportedTokenCheck(store, KEY_PREFIX, probe(new Set(['revoked'])).fn, QUICK);
      expect(await after(0, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: false });
      expect(calls.gets).toHaveLength(1);
    }
  });

  it('what is not a verdict (no object, no string digest, a rejected that is no boolean) is looked at again', async () => {
    const notVerdicts: unknown[] = [
      undefined,
      null,
      'garbage',
      42,
      { rejected: true },
      { digest: 5, rejected: true },
      { digest: DIGEST, rejected: 'yes' },
      // not an object, however verdict-like its fields
      Object.assign(() => false, { digest: DIGEST, rejected: false }),
    ];
    for (const notVerdict of notVerdicts) {
      const { store, calls } = fakeStore('taken', [notVerdict, { digest: DIGEST, rejected: true }]);
      const check = new ReportedTokenCheck(store, KEY_PREFIX, probe(new Set(['revoked'])).fn, QUICK);
      expect(await after(5, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: true });
      expect(calls.gets).toHaveLength(2);
    }
  });

  it('while the store is down, this process alone spaces its questions: one per account per interval', async () => {
    const down = () => Promise.reject(new Error('down'));
    let now = 1_000_000;
    const wechat = probe(new Set(['revoked', 'other']));
    const check = new ReportedTokenCheck({ get: down, set: down, lock: down }, KEY_PREFIX, wechat.fn, QUICK, () => now);
    expect(await check.confirmsRejected('wxa', 'revoked')).toBe(true);
    now += QUICK.intervalMs - 1;
    // the same value shares the answer; another one is not believed, and WeChat is not asked again
    expect(await check.confirmsRejected('wxa', 'revoked')).toBe(true);
    expect(await check.confirmsRejected('wxa', 'other')).toBe(false);
    expect(wechat.asked).toEqual(['revoked']);
    // another account has an interval of its own
    expect(await check.confirmsRejected('wxb', 'other')).toBe(true);
    now += 1;
    expect(await check.confirmsRejected('wxa', 'other')).toBe(true);
    expect(wechat.asked).toEqual(['revoked', 'other', 'other']);
  });

  it('a store that cannot be read while waiting is no confirmation', async () => {
    const { store } = fakeStore('taken');
    const failing = { ...store, get: () => Promise.reject(new Error('down')) };
    const check = new ReportedTokenCheck(failing, KEY_PREFIX, probe(new Set(['revoked'])).fn, QUICK);
    expect(await after(20, check.confirmsRejected('wxa', 'revoked'))).toEqual({ value: false });
  });
});
