import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import { LocalStore } from '../../store/local-store.js';
import type { StoreLock, WechatStore } from '../wechat-store.js';
import { MessageOnce, REPEAT_WINDOW_MS } from './message-once.js';

const PREFIX = 'wx:';
const APP = 'wxonce0001';
const OTHER = 'wxonce0002';
const OPENID = 'oUser-0123456789abcdef';
const EVENT_KEY = `${OPENID}|1700000000|subscribe`;

const hashed = (key: string) => createHash('sha256').update(key).digest('base64url');
const answerKey = (appId: string, key: string) => `${PREFIX}{${appId}}:msg-answer:${hashed(key)}`;

/** A LocalStore on a clock the test moves, with every call it receives written down. */
function world() {
  let now = 1_700_000_000_000;
  const store = new LocalStore(() => now);
  const calls: { op: string; key: string; ttlMs?: number }[] = [];
  const spy: WechatStore = {
    kind: 'memory',
    get: (key) => (calls.push({ op: 'get', key }), store.get(key)),
    set: (key, value, ttlMs) => (calls.push({ op: 'set', key, ttlMs }), store.set(key, value, ttlMs)),
    delete: (key) => store.delete(key),
    lock: (key, ttlMs) => (calls.push({ op: 'lock', key, ttlMs }), store.lock(key, ttlMs)),
    isLocked: (key) => store.isLocked(key),
    hit: (key, windowMs, by) => store.hit(key, windowMs, by),
    ping: () => store.ping(),
    close: () => store.close(),
  };
  return {
    once: new MessageOnce(spy, PREFIX),
    store,
    calls,
    advance: (ms: number) => (now += ms),
  };
}

describe('MessageOnce.claim', () => {
  it('is true for the first arrival and false for every repeat within the window', async () => {
    const { once, advance } = world();
    await expect(once.claim(APP, '1234567890123456789')).resolves.toBe(true);
    await expect(once.claim(APP, '1234567890123456789')).resolves.toBe(false);
    advance(REPEAT_WINDOW_MS - 1);
    await expect(once.claim(APP, '1234567890123456789')).resolves.toBe(false);
    advance(1);
    // the window has passed: the same key is a new message
    await expect(once.claim(APP, '1234567890123456789')).resolves.toBe(true);
  });

  it('covers every repeat WeChat makes: a minute', () => {
    expect(REPEAT_WINDOW_MS).toBe(60_000);
  });

  it('keeps keys apart and accounts apart', async () => {
    const { once } = world();
    expect(await once.claim(APP, 'a')).toBe(true);
    expect(await once.claim(APP, 'b')).toBe(true);
    expect(await once.claim(OTHER, 'a')).toBe(true);
    expect(await once.claim(OTHER, 'a')).toBe(false);
  });

  it('claims a hashed key in the account hash slot, for the window, never naming the openid', async () => {
    const { once, calls } = world();
    await once.claim(APP, EVENT_KEY);
    expect(calls).toEqual([{ op: 'lock', key: `${PREFIX}{${APP}}:msg-claim:${hashed(EVENT_KEY)}`, ttlMs: REPEAT_WINDOW_MS }]);
    expect(calls[0]!.key).not.toContain(OPENID);
    expect(hashed(EVENT_KEY)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('is false while another holder has the claim, and never releases its own', async () => {
    let released = false;
    const refusing = { lock: async () => null } as unknown as WechatStore;
    expect(await new MessageOnce(refusing, PREFIX).claim(APP, 'k')).toBe(false);
    const lock: StoreLock = { release: async () => void (released = true), extend: async () => true };
    const granting = { lock: async () => lock } as unknown as WechatStore;
    expect(await new MessageOnce(granting, PREFIX).claim(APP, 'k')).toBe(true);
    expect(released).toBe(false);
  });
});

describe('MessageOnce.record and waitForFirst', () => {
  it.each([
    ['a reply', { reply: { type: 'text' as const, content: 'hi' } }],
    ['a deferred reply', { deferred: true as const }],
    ['nothing', {}],
  ])('gives back %s as recorded, for the window, under a hashed answer key', async (_what, answer) => {
    const { once, calls, advance } = world();
    await once.record(APP, EVENT_KEY, answer);
    expect(calls).toEqual([{ op: 'set', key: answerKey(APP, EVENT_KEY), ttlMs: REPEAT_WINDOW_MS }]);
    await expect(once.waitForFirst(APP, EVENT_KEY, 1000)).resolves.toEqual(answer);
    advance(REPEAT_WINDOW_MS);
    // the answer has expired with the window: nothing to wait for any more
    await expect(once.waitForFirst(APP, EVENT_KEY, 0)).resolves.toBeUndefined();
  });

  it('keeps answers per account and per key, apart from the claims', async () => {
    const { once } = world();
    await once.claim(APP, 'k');
    await expect(once.waitForFirst(APP, 'k', 0)).resolves.toBeUndefined();
    await once.record(APP, 'k', { deferred: true });
    await expect(once.waitForFirst(OTHER, 'k', 0)).resolves.toBeUndefined();
    await expect(once.waitForFirst(APP, 'k2', 0)).resolves.toBeUndefined();
    await expect(once.waitForFirst(APP, 'k', 0)).resolves.toEqual({ deferred: true });
  });

  it('waits for an answer recorded while it waits', async () => {
    const { once, store, calls } = world();
    let gets = 0;
    const recording = {
      // the first handling records its answer after the repeat has looked twice
      get: async (key: string) => {
        if (++gets === 2) await once.record(APP, 'k', { reply: { type: 'text', content: 'first' } });
        return store.get(key);
      },
    } as unknown as WechatStore;
    const started = Date.now();
    const answer = await new MessageOnce(recording, PREFIX).waitForFirst(APP, 'k', 5000);
    expect(answer).toEqual({ reply: { type: 'text', content: 'first' } });
    expect(gets).toBe(2);
    expect(calls.filter((c) => c.op === 'set')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it.each([
    ['a string', 'answer'],
    ['a list', [{ reply: {} }]],
    ['null', null],
    ['a number', 7],
  ])('takes %s under the answer key for no answer yet', async (_what, value) => {
    const { once, store } = world();
    await store.set(answerKey(APP, 'k'), value, REPEAT_WINDOW_MS);
    await expect(once.waitForFirst(APP, 'k', 0)).resolves.toBeUndefined();
  });

  it('fails when the store fails', async () => {
    const failing = { get: async () => Promise.reject(new Error('store down')) } as unknown as WechatStore;
    await expect(new MessageOnce(failing, PREFIX).waitForFirst(APP, 'k', 1000)).rejects.toThrow('store down');
  });
});

describe('MessageOnce.waitForFirst on a clock', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_800_000_000_000 }));
  afterEach(() => jest.useRealTimers());

  /** A store without the answer that counts how often it is asked. */
  function empty() {
    const asked: number[] = [];
    const store = { get: async () => (asked.push(Date.now()), undefined) } as unknown as WechatStore;
    return { once: new MessageOnce(store, PREFIX), asked };
  }

  it.each([0, -1, -1000])('looks once and gives up at once when it may wait %i ms', async (waitMs) => {
    const { once, asked } = empty();
    await expect(once.waitForFirst(APP, 'k', waitMs)).resolves.toBeUndefined();
    expect(asked).toHaveLength(1);
  });

  it('looks every 25 ms, the last time at the deadline, and then answers undefined', async () => {
    const { once, asked } = empty();
    const start = Date.now();
    let result: unknown = 'pending';
    void once.waitForFirst(APP, 'k', 110).then((answer) => (result = answer));
    await jest.advanceTimersByTimeAsync(109);
    expect(result).toBe('pending');
    expect(asked.map((t) => t - start)).toEqual([0, 25, 50, 75, 100]);
    await jest.advanceTimersByTimeAsync(1);
    expect(result).toBeUndefined();
    expect(asked.map((t) => t - start)).toEqual([0, 25, 50, 75, 100, 110]);
  });
});
