import type { StoreHit, WechatStore } from '../../core/wechat-store.js';
import { HttpProblem } from '../http/http-problem.js';
import type { ResolvedWechatOptions } from '../wechat.options.js';
import { FAILED_BEARERS_PER_MINUTE, RateLimiter } from './rate-limiter.js';

/** A store whose counter answers `answer` (or fails), remembering each key and window it was asked about. */
function storeAnswering(answer: StoreHit | Error) {
  const hits: { key: string; windowMs: number }[] = [];
  const store = {
    hit: async (key: string, windowMs: number) => {
      hits.push({ key, windowMs });
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { hits, store: store as unknown as WechatStore };
}

function limiter(rateLimitPerMinute: number, answer: StoreHit | Error) {
  const { hits, store } = storeAnswering(answer);
  const options = { rateLimitPerMinute, keyPrefix: 'p:' } as ResolvedWechatOptions;
  return { hits, limiter: new RateLimiter(options, store) };
}

/** A reply that remembers the headers set on it. */
function replySink() {
  const headers: Record<string, string> = {};
  return { headers, header: (name: string, value: string) => (headers[name] = value) };
}

const hitAt = (count: number, resetMs = 30_000): StoreHit => ({ count, resetMs });

describe('RateLimiter', () => {
  it('is off at a budget of 0: every request goes on and the store is never asked', async () => {
    const off = limiter(0, hitAt(1));
    expect(off.limiter.enabled).toBe(false);
    expect(await off.limiter.verdict('login', '10.0.0.1')).toEqual({ allowed: true });
    expect(off.hits).toEqual([]);
    const reply = replySink();
    await expect(off.limiter.admit('media', { ip: '10.0.0.1' }, reply)).resolves.toBeUndefined();
    expect(reply.headers).toEqual({});
    // one request a minute is a budget too
    expect(limiter(1, hitAt(1)).limiter.enabled).toBe(true);
  });

  it('counts a family and key in one-minute windows under the key prefix', async () => {
    const on = limiter(300, hitAt(1));
    await on.limiter.verdict('diagnose', 'consumer-a');
    await on.limiter.verdict('credentials', 'consumer-b');
    expect(on.hits).toEqual([
      { key: 'p:rl:diagnose:consumer-a', windowMs: 60_000 },
      { key: 'p:rl:credentials:consumer-b', windowMs: 60_000 },
    ]);
  });

  it('lets the budget through, the last request included, and refuses the one after', async () => {
    expect(await limiter(300, hitAt(300)).limiter.verdict('other', 'k')).toEqual({ allowed: true });
    expect(await limiter(300, hitAt(1)).limiter.verdict('other', 'k')).toEqual({ allowed: true });
    expect(await limiter(300, hitAt(301, 12_000)).limiter.verdict('other', 'k')).toEqual({
      allowed: false,
      retryAfterSec: 12,
    });
  });

  it('gives failed bearers the smaller of their own cap and the budget', async () => {
    expect(FAILED_BEARERS_PER_MINUTE).toBe(10);
    // a large budget: bearers still stop at 10
    expect(await limiter(300, hitAt(10)).limiter.verdict('bearer', 'k')).toEqual({ allowed: true });
    expect(await limiter(300, hitAt(11)).limiter.verdict('bearer', 'k')).toMatchObject({ allowed: false });
    // other families keep the whole budget
    expect(await limiter(300, hitAt(11)).limiter.verdict('login', 'k')).toEqual({ allowed: true });
    // a budget below 10 is the bearers' cap too
    expect(await limiter(5, hitAt(5)).limiter.verdict('bearer', 'k')).toEqual({ allowed: true });
    expect(await limiter(5, hitAt(6)).limiter.verdict('bearer', 'k')).toMatchObject({ allowed: false });
  });

  it('asks the client to wait the window out in whole seconds, rounded up, and at least one', async () => {
    const wait = async (resetMs: number) =>
      (await limiter(1, hitAt(2, resetMs)).limiter.verdict('media', 'k')) as { retryAfterSec: number };
    expect((await wait(1500)).retryAfterSec).toBe(2);
    expect((await wait(59_001)).retryAfterSec).toBe(60);
    expect((await wait(3000)).retryAfterSec).toBe(3);
    expect((await wait(0)).retryAfterSec).toBe(1);
    expect((await wait(-50)).retryAfterSec).toBe(1);
  });

  it('lets requests through while the store fails: an outage locks nobody out', async () => {
    const failing = limiter(1, new Error('redis down'));
    expect(await failing.limiter.verdict('login', 'k')).toEqual({ allowed: true });
    expect(failing.hits).toHaveLength(1);
    const reply = replySink();
    await expect(failing.limiter.admitKey('credentials', 'consumer', reply)).resolves.toBeUndefined();
    expect(reply.headers).toEqual({});
  });

  it('admits within the budget without touching the reply', async () => {
    const within = limiter(2, hitAt(2));
    const reply = replySink();
    await expect(within.limiter.admit('login', { ip: '192.0.2.7' }, reply)).resolves.toBeUndefined();
    expect(reply.headers).toEqual({});
    expect(within.hits.map((h) => h.key)).toEqual(['p:rl:login:192.0.2.7']);
  });

  it('past the budget throws 429 RATE_LIMITED with Retry-After, as a header and in the body', async () => {
    const over = limiter(2, hitAt(3, 4200));
    const reply = replySink();
    const error = await over.limiter.admitKey('credentials', 'consumer', reply).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpProblem);
    expect(error).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', extra: { retryAfter: 5 } });
    expect((error as HttpProblem).body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryAfter: 5 });
    expect(reply.headers).toEqual({ 'retry-after': '5' });
  });

  it('counts a request under its client address, or under "unknown" when the platform gives none', async () => {
    const over = limiter(1, hitAt(2));
    const refused = (request: { ip?: string }) => over.limiter.admit('media', request, replySink()).catch((e: unknown) => e);
    expect(await refused({ ip: '203.0.113.9' })).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await refused({})).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await refused({ ip: '' })).toMatchObject({ code: 'RATE_LIMITED' });
    expect(over.hits.map((h) => h.key)).toEqual(['p:rl:media:203.0.113.9', 'p:rl:media:unknown', 'p:rl:media:unknown']);
  });
});
